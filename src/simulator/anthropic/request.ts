/**
 * Validation of Anthropic Messages / count_tokens bodies (the checks the real API makes that a
 * router can trip over) and the single walk that sizes the prompt and finds cache breakpoints.
 */
import { createHash } from 'node:crypto';
import { countChars } from '../tokens.js';
import type { TurnRequest } from '../turn.js';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface MessagesRequest {
  body: Json;
  model: string;
  stream: boolean;
  maxTokens?: number;
  messages: unknown[];
}

/** Result: a parsed request, or the `invalid_request_error` message. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const ROLES = new Set(['user', 'assistant', 'system']);
const MIN_THINKING_BUDGET = 1024;

export function checkMessagesBody(
  body: unknown,
  opts: { countTokens: boolean; betas: string },
): Checked<MessagesRequest> {
  if (!isObject(body)) return { ok: false, message: 'Input should be a valid dictionary' };
  if (body.model === undefined) return { ok: false, message: 'model: Field required' };
  if (typeof body.model !== 'string') return { ok: false, message: 'model: Input should be a valid string' };
  let maxTokens: number | undefined;
  if (!opts.countTokens) {
    if (body.max_tokens === undefined) return { ok: false, message: 'max_tokens: Field required' };
    if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens)) {
      return { ok: false, message: 'max_tokens: Input should be a valid integer' };
    }
    if (body.max_tokens < 0) return { ok: false, message: 'max_tokens: Input should be greater than or equal to 0' };
    maxTokens = body.max_tokens;
  }
  if (body.messages === undefined) return { ok: false, message: 'messages: Field required' };
  if (!Array.isArray(body.messages)) return { ok: false, message: 'messages: Input should be a valid list' };
  if (body.messages.length === 0) return { ok: false, message: 'messages: at least one message is required' };
  for (let i = 0; i < body.messages.length; i++) {
    const m: unknown = body.messages[i];
    if (!isObject(m)) return { ok: false, message: `messages.${i}: Input should be a valid dictionary` };
    if (typeof m.role !== 'string' || !ROLES.has(m.role)) {
      return { ok: false, message: `messages.${i}.role: Input should be 'user' or 'assistant'` };
    }
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) {
      return { ok: false, message: `messages.${i}.content: Input should be a valid list` };
    }
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    return { ok: false, message: 'stream: Input should be a valid boolean' };
  }
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) {
    return { ok: false, message: 'system: Input should be a valid list' };
  }
  if (body.tools !== undefined && !Array.isArray(body.tools)) return { ok: false, message: 'tools: Input should be a valid list' };
  const thinking = body.thinking;
  if (isObject(thinking) && thinking.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || !Number.isInteger(budget)) {
      return { ok: false, message: 'thinking.enabled.budget_tokens: Field required' };
    }
    if (budget < MIN_THINKING_BUDGET) {
      return { ok: false, message: `thinking.enabled.budget_tokens: Input should be greater than or equal to ${MIN_THINKING_BUDGET}` };
    }
    if (maxTokens !== undefined && maxTokens <= budget && !opts.betas.includes('interleaved-thinking')) {
      return { ok: false, message: '`max_tokens` must be greater than `thinking.budget_tokens`.' };
    }
  }
  return {
    ok: true,
    value: { body, model: body.model, stream: body.stream === true, maxTokens, messages: body.messages },
  };
}

/** A cache breakpoint: after block `index` (in tools, system, messages order). */
export interface Breakpoint {
  index: number;
  ttl: '5m' | '1h';
}

export interface PromptAnalysis {
  /** Characters in tools + system + messages (see `countChars`). */
  chars: number;
  /** Cumulative characters after each block (only when caching is in play). */
  cumChars: number[];
  /** Prefix hash after block i, for the blocks a cache lookup can use (sparse). */
  hashes: string[];
  breakpoints: Breakpoint[];
}

export const MAX_BREAKPOINTS = 4;

function ttlOf(cc: unknown): '5m' | '1h' | undefined {
  if (!isObject(cc)) return undefined;
  return cc.ttl === '1h' ? '1h' : '5m';
}

function serializeForHash(block: unknown): string {
  if (typeof block === 'string') return block;
  if (isObject(block) && 'cache_control' in block) {
    const { cache_control: _cc, ...rest } = block;
    return JSON.stringify(rest);
  }
  return JSON.stringify(block);
}

/** How many blocks before a breakpoint the API looks back for an earlier cache hit. */
export const LOOKBACK_BLOCKS = 20;

/**
 * Walk tools, system and message blocks: total size, breakpoints, and (when the body mentions
 * `cache_control` and has breakpoints) prefix hashes at the block boundaries a cache lookup can
 * use. Returns an error message for an empty text block or too many breakpoints, as the API does.
 */
export function analyzePrompt(req: MessagesRequest, withCache: boolean): Checked<PromptAnalysis> {
  const { body } = req;
  let chars = 0;
  const cumChars: number[] = [];
  const breakpoints: Breakpoint[] = [];
  const items: unknown[] = [];
  const sections: string[] = [];

  const visit = (block: unknown, section: string): void => {
    chars += countChars(block);
    if (!withCache) return;
    items.push(block);
    sections.push(section);
    cumChars.push(chars);
    const ttl = isObject(block) ? ttlOf(block.cache_control) : undefined;
    if (ttl) breakpoints.push({ index: cumChars.length - 1, ttl });
  };

  if (Array.isArray(body.tools)) for (const t of body.tools) visit(t, 'T');
  if (typeof body.system === 'string') visit(body.system, 'S');
  else if (Array.isArray(body.system)) for (const b of body.system) visit(b, 'S');
  for (let i = 0; i < req.messages.length; i++) {
    const m = req.messages[i] as Json;
    const role = m.role as string;
    if (typeof m.content === 'string') {
      visit(m.content, role);
      continue;
    }
    const content = m.content as unknown[];
    for (let j = 0; j < content.length; j++) {
      const b = content[j];
      if (isObject(b) && b.type === 'text' && (typeof b.text !== 'string' || b.text.length === 0)) {
        return { ok: false, message: 'messages: text content blocks must be non-empty' };
      }
      visit(b, j === 0 ? role : '');
    }
  }
  const hashes: string[] = [];
  if (withCache) {
    const auto = ttlOf(body.cache_control);
    const last = cumChars.length - 1;
    if (auto && last >= 0 && !breakpoints.some((b) => b.index === last)) breakpoints.push({ index: last, ttl: auto });
    if (breakpoints.length > MAX_BREAKPOINTS) {
      return { ok: false, message: `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints.length}.` };
    }
    if (breakpoints.length > 0) {
      // digests only where a lookup can land: each breakpoint and the blocks it looks back over
      const wanted = new Uint8Array(items.length);
      for (const bp of breakpoints) for (let i = Math.max(0, bp.index - LOOKBACK_BLOCKS + 1); i <= bp.index; i++) wanted[i] = 1;
      const upTo = Math.max(...breakpoints.map((b) => b.index));
      const hash = createHash('sha1').update(req.model).update('\u0000');
      for (let i = 0; i <= upTo; i++) {
        hash.update(sections[i]).update(serializeForHash(items[i])).update('\u0001');
        if (wanted[i]) hashes[i] = hash.copy().digest('base64');
      }
    }
  }
  return { ok: true, value: { chars, cumChars, hashes, breakpoints } };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  const fallback: string[] = [];
  for (const b of content) {
    if (!isObject(b)) continue;
    if (b.type === 'text' && typeof b.text === 'string') texts.push(b.text);
    else if (b.type === 'tool_result') fallback.push(textOf(b.content));
  }
  return (texts.length > 0 ? texts : fallback).join(' ');
}

export function toTurnRequest(req: MessagesRequest, label: string | undefined): TurnRequest {
  let lastUserText = '';
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i] as Json;
    if (m.role === 'user') {
      lastUserText = textOf(m.content);
      break;
    }
  }
  const th = req.body.thinking;
  const thinking = isObject(th) && (th.type === 'enabled' || th.type === 'adaptive');
  const stops = req.body.stop_sequences;
  return {
    model: req.model,
    lastUserText,
    thinking,
    thinkingOmitted: thinking && isObject(th) && th.display === 'omitted',
    maxTokens: req.maxTokens,
    stopSequences: Array.isArray(stops) ? stops.filter((s): s is string => typeof s === 'string') : [],
    label,
  };
}
