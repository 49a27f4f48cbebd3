import { createHash, randomBytes } from 'node:crypto';

/**
 * Identifier rewriting for OpenAI-compatible upstreams. Every rewrite is a pure function of the original value, so
 * the same id or name maps identically wherever it appears (assistant tool_calls, tool messages, tool_choice) without
 * any server-side table.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[bytes[i % bytes.length] % 62];
  return out;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** OpenAI rejects tool-call ids longer than 40 characters (`messages[i].tool_calls[j].id: string too long`). */
export const MAX_TOOL_CALL_ID = 40;

/** Mistral wants exactly 9 characters of `[a-zA-Z0-9]`. Ids already in that form (Mistral's own) stay as they are. */
export function alnum9ToolCallId(id: string): string {
  if (/^[a-zA-Z0-9]{9}$/.test(id)) return id;
  return base62(digest(id), 9);
}

export type ToolCallIdStyle = 'any' | 'alnum9';

/** The id a tool call (and its result) carries towards an upstream of the given style. */
export function upstreamToolCallId(id: string, style: ToolCallIdStyle = 'any'): string {
  if (style === 'alnum9') return alnum9ToolCallId(id);
  if (id.length <= MAX_TOOL_CALL_ID && id.length > 0) return id;
  return `call_${base62(digest(id), 24)}`;
}

/** A fresh random id with a prefix (`call_`, `chatcmpl-`), for things an upstream sent without one. */
export function randomId(prefix: string): string {
  return `${prefix}${base62(randomBytes(24), 24)}`;
}

/** A fresh id for a tool call the upstream sent without one. */
export function mintToolCallId(): string {
  return randomId('call_');
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * OpenAI function names must match `^[a-zA-Z0-9_-]{1,64}$`; Anthropic allows 128 characters (Claude Code's MCP tool
 * names exceed 64). Other names are sanitised and shortened with a hash of the original so distinct names stay
 * distinct; `restoreToolName` maps them back given the request's tool names.
 */
export function openaiToolName(name: string): string {
  if (TOOL_NAME.test(name)) return name;
  const safe = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 55);
  return `${safe}_${digest(name).toString('hex').slice(0, 8)}`;
}

export function restoreToolName(name: string, requestToolNames?: readonly string[]): string {
  if (!requestToolNames || TOOL_NAME.test(name) === false) return name;
  for (const original of requestToolNames) {
    if (original !== name && openaiToolName(original) === name) return original;
  }
  return name;
}
