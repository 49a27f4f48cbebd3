/**
 * Model ids listed by `GET /v1/models` for providers that do not list their models in the config.
 * Source: shared/data/models-dev-subset.json (current, non-deprecated entries). The full catalog replaces this.
 */
export const KNOWN_MODELS: Readonly<Record<string, ReadonlyArray<{ id: string; name: string; released: string }>>> = {
  anthropic: [
    { id: 'claude-sonnet-5', name: 'Claude Sonnet 5', released: '2026-06-30' },
    { id: 'claude-fable-5', name: 'Claude Fable 5', released: '2026-06-09' },
    { id: 'claude-opus-4-8', name: 'Claude Opus 4.8', released: '2026-05-28' },
    { id: 'claude-opus-4-7', name: 'Claude Opus 4.7', released: '2026-04-16' },
    { id: 'claude-sonnet-4-6', name: 'Claude Sonnet 4.6', released: '2026-02-17' },
    { id: 'claude-opus-4-6', name: 'Claude Opus 4.6', released: '2026-02-05' },
    { id: 'claude-opus-4-5', name: 'Claude Opus 4.5', released: '2025-11-24' },
    { id: 'claude-haiku-4-5', name: 'Claude Haiku 4.5', released: '2025-10-15' },
    { id: 'claude-sonnet-4-5', name: 'Claude Sonnet 4.5', released: '2025-09-29' },
  ],
};
