/**
 * Anthropic tool ids must match ^[a-zA-Z0-9_-]+$ (other vendors emit e.g. `functions.Bash:0`). The mapping replaces
 * each invalid character with `_`, so it is deterministic and applied identically to `tool_use.id` and
 * `tool_result.tool_use_id`, and leaves valid ids (every Anthropic and OpenAI id) unchanged.
 */
export function sanitizeToolId(id: string): string {
  const clean = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return clean === '' ? '_' : clean;
}

/** Message ids towards Anthropic clients: kept when already `msg_…`, else prefixed. */
export function messageId(id: string): string {
  return id.startsWith('msg_') ? id : `msg_${id}`;
}
