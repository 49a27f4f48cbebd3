/** The OpenAI-shaped `GET /v1/models` list the simulator advertises. */

export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export const MODELS: readonly OpenAIModel[] = [
  { id: 'gpt-5', object: 'model', created: 1754425777, owned_by: 'system' },
  { id: 'gpt-5-mini', object: 'model', created: 1754425928, owned_by: 'system' },
  { id: 'gpt-5-nano', object: 'model', created: 1754426384, owned_by: 'system' },
  { id: 'gpt-4.1', object: 'model', created: 1744316542, owned_by: 'system' },
  { id: 'gpt-4.1-mini', object: 'model', created: 1744318173, owned_by: 'system' },
  { id: 'gpt-4.1-nano', object: 'model', created: 1744321707, owned_by: 'system' },
  { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
  { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
  { id: 'o3', object: 'model', created: 1744225308, owned_by: 'system' },
  { id: 'o4-mini', object: 'model', created: 1744225351, owned_by: 'system' },
];

export const MODELS_PAGE = JSON.stringify({ object: 'list', data: MODELS }, null, 2);

export function findModel(id: string): OpenAIModel | undefined {
  return MODELS.find((m) => m.id === id);
}
