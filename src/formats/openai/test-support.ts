/**
 * Test helpers for this codec: reading the recorded OpenAI-format fixtures (chunk files, raw SSE, go-vcr and VCR.py
 * cassettes) and folding canonical stream events into a summary that tests compare. Not used at run time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { StopReason, StreamEvent, Usage } from '../canonical/types.js';
import { SseSplitter } from '../sse/index.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../../../../shared/fixtures/recorded/openai');

export function fixtureText(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

/** `*.chunks.txt`: one SSE data payload per line. */
export function chunkLines(name: string): string[] {
  return fixtureText(name)
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** Data payloads of raw SSE text, `[DONE]` included. */
export function sseData(text: string): string[] {
  const splitter = new SseSplitter();
  const events = [...splitter.push(Buffer.from(text, 'utf8')), ...splitter.flush()];
  return events.filter((e) => e.hasData).map((e) => e.data);
}

export interface Interaction {
  url: string;
  request: Record<string, unknown> | undefined;
  status: number;
  /** Parsed JSON body, or the raw text of a stream / non-JSON body. */
  response: unknown;
}

/** Both cassette dialects: go-vcr v2 (`request.body` JSON text) and VCR.py (`request.parsed_body`). */
export function cassette(name: string): Interaction[] {
  const doc = parseYaml(fixtureText(name)) as { interactions: Array<Record<string, Record<string, unknown>>> };
  return doc.interactions.map((it) => {
    const req = it.request;
    const res = it.response;
    const request = (req.parsed_body ?? (typeof req.body === 'string' && req.body ? JSON.parse(req.body) : undefined)) as Record<string, unknown> | undefined;
    const status = (res.code as number | undefined) ?? (res.status as { code: number }).code;
    let response: unknown = res.parsed_body;
    if (response === undefined) {
      const raw = typeof res.body === 'string' ? res.body : (res.body as { string?: string } | undefined)?.string ?? '';
      try {
        response = JSON.parse(raw);
      } catch {
        response = raw;
      }
    }
    return { url: String(req.url ?? req.uri), request, status, response };
  });
}

export interface StreamSummary {
  id?: string;
  model?: string;
  text: string;
  thinking: string;
  tools: Array<{ id: string; name: string; args: string; signature?: string }>;
  /** Block kinds in start order. */
  blocks: string[];
  stopReason?: StopReason;
  usage?: Usage;
  error?: string;
}

/** Folds events into a summary, checking the stream invariants every decoder must keep on the way. */
export function summarize(events: StreamEvent[]): StreamSummary {
  const s: StreamSummary = { text: '', thinking: '', tools: [], blocks: [] };
  const open = new Set<number>();
  const stopped = new Set<number>();
  const toolAt = new Map<number, StreamSummary['tools'][number]>();
  events.forEach((e, i) => {
    if (i === 0 && e.type !== 'start' && e.type !== 'error') throw new Error(`first event is ${e.type}`);
    if ((s.stopReason || s.error) && i > 0) throw new Error(`event ${e.type} after the end`);
    switch (e.type) {
      case 'start':
        s.id = e.id;
        s.model = e.model;
        break;
      case 'block_start':
        if (e.index !== s.blocks.length) throw new Error(`block index ${e.index} is not dense`);
        s.blocks.push(e.block.type);
        open.add(e.index);
        if (e.block.type === 'tool_call') {
          const t = { id: e.block.id, name: e.block.name, args: '', ...(e.block.signature ? { signature: e.block.signature } : {}) };
          s.tools.push(t);
          toolAt.set(e.index, t);
        }
        break;
      case 'text_delta':
      case 'thinking_delta':
      case 'tool_args_delta':
        if (!open.has(e.index)) throw new Error(`${e.type} for block ${e.index} that is not open`);
        if (e.type === 'text_delta') s.text += e.text;
        else if (e.type === 'thinking_delta') s.thinking += e.text;
        else toolAt.get(e.index)!.args += e.json;
        break;
      case 'block_stop':
        if (!open.delete(e.index)) throw new Error(`block_stop for block ${e.index} that is not open`);
        stopped.add(e.index);
        break;
      case 'finish':
        if (open.size) throw new Error(`finish with blocks still open: ${[...open].join(',')}`);
        s.stopReason = e.stopReason;
        s.usage = e.usage;
        break;
      case 'error':
        s.error = e.error.message;
        break;
      default:
        break;
    }
  });
  return s;
}
