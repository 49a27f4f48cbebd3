/** The `GET /v1beta/models` catalogue the simulator advertises (Gemini API `Model` resources). */

export interface GeminiModel {
  name: string;
  version: string;
  displayName: string;
  description: string;
  inputTokenLimit: number;
  outputTokenLimit: number;
  supportedGenerationMethods: string[];
  temperature: number;
  topP: number;
  topK: number;
  maxTemperature: number;
  thinking: boolean;
}

const METHODS = ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'];

function model(id: string, displayName: string, version: string, thinking: boolean, outputTokenLimit = 65536): GeminiModel {
  return {
    name: `models/${id}`,
    version,
    displayName,
    description: `${displayName} (simulated)`,
    inputTokenLimit: 1048576,
    outputTokenLimit,
    supportedGenerationMethods: METHODS,
    temperature: 1,
    topP: 0.95,
    topK: 64,
    maxTemperature: 2,
    thinking,
  };
}

export const MODELS: readonly GeminiModel[] = [
  model('gemini-3-pro-preview', 'Gemini 3 Pro Preview', '3-pro-preview-11-2025', true),
  model('gemini-3-flash-preview', 'Gemini 3 Flash Preview', '3-flash-preview-12-2025', true),
  model('gemini-2.5-pro', 'Gemini 2.5 Pro', '2.5', true),
  model('gemini-2.5-flash', 'Gemini 2.5 Flash', '001', true),
  model('gemini-2.5-flash-lite', 'Gemini 2.5 Flash-Lite', '001', true),
  model('gemini-2.0-flash', 'Gemini 2.0 Flash', '2.0', false, 8192),
];

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

/** A list page for the query string (`pageSize`, `pageToken`, where the token is the next offset). */
export function modelsPage(query: string): string {
  const q = new URLSearchParams(query);
  const sizeRaw = Number(q.get('pageSize') ?? DEFAULT_PAGE_SIZE);
  const size = Number.isFinite(sizeRaw) && sizeRaw > 0 ? Math.min(MAX_PAGE_SIZE, Math.floor(sizeRaw)) : DEFAULT_PAGE_SIZE;
  const fromRaw = Number(q.get('pageToken') ?? 0);
  const from = Number.isInteger(fromRaw) && fromRaw >= 0 ? fromRaw : 0;
  const slice = MODELS.slice(from, from + size);
  const page: Record<string, unknown> = { models: slice };
  if (from + size < MODELS.length) page.nextPageToken = String(from + size);
  return `${JSON.stringify(page, null, 2)}\n`;
}

export function findModel(id: string): GeminiModel | undefined {
  const name = id.startsWith('models/') ? id : `models/${id}`;
  return MODELS.find((m) => m.name === name);
}
