/** The `GET /v1/models` catalogue the simulator advertises (newest first, like the API). */

export interface ModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

export const MODELS: readonly ModelInfo[] = [
  { type: 'model', id: 'claude-opus-4-8', display_name: 'Claude Opus 4.8', created_at: '2026-05-28T00:00:00Z' },
  { type: 'model', id: 'claude-sonnet-4-6', display_name: 'Claude Sonnet 4.6', created_at: '2026-02-17T00:00:00Z' },
  { type: 'model', id: 'claude-opus-4-6', display_name: 'Claude Opus 4.6', created_at: '2026-02-05T00:00:00Z' },
  { type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-15T00:00:00Z' },
  { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  { type: 'model', id: 'claude-opus-4-1-20250805', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
  { type: 'model', id: 'claude-sonnet-4-20250514', display_name: 'Claude Sonnet 4', created_at: '2025-05-22T00:00:00Z' },
];

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

function page(list: readonly ModelInfo[], hasMore: boolean): string {
  return JSON.stringify({
    data: list,
    has_more: hasMore,
    first_id: list.length > 0 ? list[0].id : null,
    last_id: list.length > 0 ? list[list.length - 1].id : null,
  });
}

const DEFAULT_PAGE = page(MODELS.slice(0, DEFAULT_LIMIT), MODELS.length > DEFAULT_LIMIT);

/** The list page for a query string (`limit`, `after_id`, `before_id`). */
export function modelsPage(query: string): string {
  if (query === '') return DEFAULT_PAGE;
  const q = new URLSearchParams(query);
  const limitRaw = Number(q.get('limit') ?? DEFAULT_LIMIT);
  const limit = Number.isFinite(limitRaw) ? Math.min(MAX_LIMIT, Math.max(1, Math.floor(limitRaw))) : DEFAULT_LIMIT;
  const after = q.get('after_id');
  const before = q.get('before_id');
  let from = 0;
  let to = MODELS.length;
  if (after) {
    const i = MODELS.findIndex((m) => m.id === after);
    from = i >= 0 ? i + 1 : MODELS.length;
  }
  if (before) {
    const i = MODELS.findIndex((m) => m.id === before);
    to = i >= 0 ? i : 0;
    from = Math.max(from, to - limit);
  }
  const slice = MODELS.slice(from, Math.min(to, from + limit));
  return page(slice, before ? from > 0 : from + slice.length < to);
}

export function findModel(id: string): ModelInfo | undefined {
  return MODELS.find((m) => m.id === id);
}
