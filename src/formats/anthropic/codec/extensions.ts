import type { Request } from '../../canonical/types.js';
import type { Json } from './wire.js';

/**
 * What `extensions.anthropic` of a canonical request holds. Every key is an Anthropic wire field spread back into
 * the body for an Anthropic upstream, except the reserved keys below, which carry tool data the canonical `tools`
 * cannot:
 * - `server_tools`: server tools (`web_search_20250305`, `bash_20250124`, ...) with their position in the client's
 *   `tools` array, so the array is rebuilt in the same order (tools are part of the cached prompt prefix).
 * - `tool_fields`: per custom-tool name, the fields beyond name/description/input_schema/strict/cache_control
 *   (`type: "custom"`, `defer_loading`, `input_examples`, `eager_input_streaming`, `allowed_callers`, ...).
 * The presence of `extensions.anthropic` (possibly empty) marks a request decoded from an Anthropic client.
 */
export const SERVER_TOOLS_KEY = 'server_tools';
export const TOOL_FIELDS_KEY = 'tool_fields';

export interface AnthropicExtensions extends Json {
  [SERVER_TOOLS_KEY]?: Array<{ index: number; tool: Json }>;
  [TOOL_FIELDS_KEY]?: Record<string, Json>;
}

export const RESERVED_KEYS: readonly string[] = [SERVER_TOOLS_KEY, TOOL_FIELDS_KEY];

export function anthropicExtensions(req: Request): AnthropicExtensions | undefined {
  return req.extensions.anthropic as AnthropicExtensions | undefined;
}

/**
 * The Anthropic server tools of a request (e.g. `{type: "web_search_20250305", name: "web_search", ...}`), for
 * encoders that can map some of them to their own features (Gemini `googleSearch`).
 */
export function anthropicServerTools(req: Request): Json[] {
  return (anthropicExtensions(req)?.[SERVER_TOOLS_KEY] ?? []).map((s) => s.tool);
}
