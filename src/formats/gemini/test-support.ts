/**
 * Helpers for this folder's tests (not part of the codec): loading the recorded Gemini fixtures from shared/ beside
 * the repository, and driving the stream decoder.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { StreamEvent } from '../canonical/types.js';
import { GeminiStreamDecoder } from './stream-decoder.js';

/** Recorded JSON is read loosely in tests; assertions check its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export const FIXTURES = path.resolve(import.meta.dirname, '../../../../shared/fixtures');
const RECORDED = path.join(FIXTURES, 'recorded/gemini');

export function recordedJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(RECORDED, name), 'utf8')) as Record<string, unknown>;
}

/** The SSE data payloads of a `*.chunks.txt` fixture (one per line). */
export function recordedChunks(name: string): string[] {
  return readFileSync(path.join(RECORDED, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

export interface Interaction {
  uri: string;
  request: Record<string, unknown> | null;
  status: number;
  /** Non-stream response body. */
  body?: Record<string, unknown>;
  /** Stream response: the data payloads. */
  chunks?: string[];
}

export function cassette(name: string): Interaction[] {
  const doc = parseYaml(readFileSync(path.join(RECORDED, name), 'utf8')) as { interactions: Array<Record<string, Loose>> };
  return doc.interactions.map((i) => {
    const out: Interaction = { uri: i.request.uri, request: i.request.parsed_body ?? null, status: i.response.status.code };
    if (i.response.parsed_body) out.body = i.response.parsed_body;
    else if (typeof i.response.body?.string === 'string') out.chunks = sseData(i.response.body.string);
    return out;
  });
}

/** The data payloads of raw SSE text. */
export function sseData(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    const lines = block.split(/\r\n|\n|\r/).filter((l) => l.startsWith('data:'));
    if (lines.length > 0) out.push(lines.map((l) => l.slice(5).replace(/^ /, '')).join('\n'));
  }
  return out;
}

export function decodeStream(chunks: string[], ctx = { provider: 'google-ai-studio', model: 'gemini-3-pro-preview' }): StreamEvent[] {
  const d = new GeminiStreamDecoder(ctx);
  return [...chunks.flatMap((c) => d.push(undefined, c)), ...d.end()];
}
