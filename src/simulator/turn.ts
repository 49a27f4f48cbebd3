/**
 * The protocol-neutral "turn": what the simulated model answers, independent of the wire format.
 * Each protocol module turns its request into a `TurnRequest`, takes a `Turn` (scripted or generated)
 * and encodes it in its own wire format (ids, field names, stream framing).
 */
import { createHash } from 'node:crypto';
import type { ScriptedTurn, ScriptedUsage, StopReason } from './types.js';
import { estimateTokens } from './tokens.js';

export type TurnBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; name: string; input: unknown; id?: string }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data: string };

export interface Turn {
  content: TurnBlock[];
  stopReason: StopReason;
  stopSequence: string | null;
  usage: Partial<ScriptedUsage>;
  source: 'script' | 'generated';
}

/** What a protocol extracted from a generation request. */
export interface TurnRequest {
  model: string;
  /** Text of the last user message (empty when none). */
  lastUserText: string;
  /** Whether the request asked for visible reasoning. */
  thinking: boolean;
  /** Thinking requested with its text omitted (only the signature is returned). */
  thinkingOmitted: boolean;
  /** Output budget (max_tokens / max_completion_tokens / maxOutputTokens), if given. */
  maxTokens?: number;
  stopSequences: string[];
  /** Free-form name of the simulator instance, named in generated answers. */
  label?: string;
  /** A tool the request forces (OpenAI `tool_choice` required/named, Gemini mode ANY): the generated answer calls it. */
  forcedTool?: string;
  /** The request asks for JSON output (OpenAI `response_format`, Gemini `responseMimeType`). */
  json?: boolean;
}

export function turnFromScript(s: ScriptedTurn, req: TurnRequest): Turn {
  const content = s.content.map((b): TurnBlock => ({ ...b }) as TurnBlock);
  const stopReason = s.stop_reason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
  const stopSequence = stopReason === 'stop_sequence' ? (s.stop_sequence ?? req.stopSequences[0] ?? null) : null;
  return { content, stopReason, stopSequence, usage: { ...(s.usage ?? {}) }, source: 'script' };
}

const WORDS_ECHOED = 12;

/** The deterministic answer given when no scripted turn is queued. */
export function generateTurn(req: TurnRequest): Turn {
  const words = req.lastUserText.split(/\s+/).filter(Boolean).slice(0, WORDS_ECHOED);
  const echo = words.length > 0 ? words.join(' ') : '(no text)';
  const who = req.label ? `${req.model} via ${req.label}` : req.model;
  let text = `Simulated reply from ${who}: ${echo}`;
  if (req.json) text = JSON.stringify({ reply: text });
  const content: TurnBlock[] = [];
  let budget = req.maxTokens ?? Number.POSITIVE_INFINITY;
  let stopReason: StopReason = 'end_turn';
  if (req.thinking) {
    const thinking = req.thinkingOmitted ? '' : `The user wrote: ${echo}. A short, direct answer fits.`;
    content.push({ type: 'thinking', thinking, signature: makeSignature(`${req.model}\n${thinking}\n${echo}`) });
    budget -= estimateTokens(thinking);
  }
  if (req.forcedTool !== undefined) {
    content.push({ type: 'tool_use', name: req.forcedTool, input: {} });
    return { content, stopReason: 'tool_use', stopSequence: null, usage: {}, source: 'generated' };
  }
  if (estimateTokens(text) > budget) {
    text = text.slice(0, Math.max(0, budget) * 4);
    stopReason = 'max_tokens';
  }
  if (text.length > 0) content.push({ type: 'text', text });
  return { content, stopReason, stopSequence: null, usage: {}, source: 'generated' };
}

/** Output-token estimate for a turn (text, thinking, tool names and inputs). */
export function outputTokens(turn: Turn): number {
  let chars = 0;
  for (const b of turn.content) {
    if (b.type === 'text') chars += b.text.length;
    else if (b.type === 'thinking') chars += b.thinking.length;
    else if (b.type === 'tool_use') chars += b.name.length + JSON.stringify(b.input ?? {}).length;
    else chars += 16;
  }
  return Math.max(1, Math.ceil(chars / 4));
}

/**
 * A random-looking opaque base64 blob shaped like a real thinking signature (protobuf-ish prefix,
 * a few hundred characters), derived from `seed` so the same thinking gets the same signature.
 */
export function makeSignature(seed: string): string {
  const parts: Buffer[] = [Buffer.from([0x12, 0xa8, 0x02, 0x0a, 0x46, 0x08, 0x0b, 0x18, 0x02, 0x2a, 0x40])];
  for (let i = 0; i < 6; i++) parts.push(createHash('sha256').update(`${i}:${seed}`).digest());
  return Buffer.concat(parts).toString('base64');
}
