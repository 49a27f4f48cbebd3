/**
 * Test support (not used by the codec): loads the recorded Anthropic traffic and Claude Code requests shared beside
 * the repository, and accumulates canonical stream events into the response they describe.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ContentBlock, Response, StreamEvent } from '../../../canonical/types.js';
import { SseSplitter } from '../../../sse/index.js';
import { parseToolInput } from '../json-repair.js';

export const SHARED = path.resolve(import.meta.dirname, '../../../../../../shared');
export const RECORDED = path.join(SHARED, 'fixtures/recorded/anthropic');
export const CLAUDE_CODE = path.join(SHARED, 'fixtures/claude-code');

export interface SseRecord {
  event: string | undefined;
  data: string;
}

export function parseSse(text: string): SseRecord[] {
  const splitter = new SseSplitter();
  const all = [...splitter.push(Buffer.from(text)), ...splitter.flush()];
  return all.filter((e) => e.hasData).map((e) => ({ event: e.event, data: e.data }));
}

/** A `*.chunks.txt` file: one event JSON per line, the event name being its `type`. */
function chunkLines(text: string): SseRecord[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((data) => ({ event: (JSON.parse(data) as { type: string }).type, data }));
}

interface Interaction {
  request: { uri: string; parsed_body?: Record<string, unknown> };
  response: { status: { code: number }; parsed_body?: Record<string, unknown>; body?: { string?: string } };
}

function cassettes(): Array<{ name: string; interactions: Interaction[] }> {
  return readdirSync(RECORDED)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ name: f, interactions: (parseYaml(readFileSync(path.join(RECORDED, f), 'utf8')) as { interactions: Interaction[] }).interactions }));
}

export interface RecordedStream {
  name: string;
  events: SseRecord[];
}

export function recordedStreams(): RecordedStream[] {
  const out: RecordedStream[] = [];
  for (const f of readdirSync(RECORDED).sort()) {
    const text = () => readFileSync(path.join(RECORDED, f), 'utf8');
    if (f.endsWith('.chunks.txt')) out.push({ name: f, events: chunkLines(text()) });
    else if (f.endsWith('basic_response.txt')) out.push({ name: f, events: parseSse(text()) });
  }
  for (const c of cassettes()) {
    c.interactions.forEach((it, i) => {
      if (it.response.status.code === 200 && typeof it.response.body?.string === 'string') out.push({ name: `${c.name}#${i}`, events: parseSse(it.response.body.string) });
    });
  }
  return out;
}

export interface RecordedBody {
  name: string;
  body: Record<string, unknown>;
}

/** Non-streaming 200 Message bodies. */
export function recordedMessages(): RecordedBody[] {
  const out: RecordedBody[] = [];
  for (const f of readdirSync(RECORDED).sort()) {
    if (!f.endsWith('.json')) continue;
    const body = JSON.parse(readFileSync(path.join(RECORDED, f), 'utf8')) as Record<string, unknown>;
    if (body.type !== 'error') out.push({ name: f, body });
  }
  for (const c of cassettes()) {
    c.interactions.forEach((it, i) => {
      const body = it.response.parsed_body;
      if (it.response.status.code === 200 && body?.type === 'message') out.push({ name: `${c.name}#${i}`, body });
    });
  }
  return out;
}

export interface RecordedError {
  name: string;
  status: number;
  body: string;
}

export function recordedErrors(): RecordedError[] {
  const out: RecordedError[] = [{ name: 'issue-17366', status: 400, body: readFileSync(path.join(RECORDED, 'anthropic--anthropic-issue-17366-error.json'), 'utf8') }];
  for (const c of cassettes()) {
    c.interactions.forEach((it, i) => {
      if (it.response.status.code >= 400) out.push({ name: `${c.name}#${i}`, status: it.response.status.code, body: JSON.stringify(it.response.parsed_body) });
    });
  }
  return out;
}

/** Request bodies of the cassettes' `/v1/messages` calls. */
export function recordedRequests(): RecordedBody[] {
  const out: RecordedBody[] = [];
  for (const c of cassettes()) {
    c.interactions.forEach((it, i) => {
      if (it.request.parsed_body && /\/v1\/messages(\?|$)/.test(it.request.uri)) out.push({ name: `${c.name}#${i}`, body: it.request.parsed_body });
    });
  }
  return out;
}

/**
 * Claude Code request bodies; `path` tells `/v1/messages` from `/v1/messages/count_tokens`. (The `errors/`
 * recordings hold slimmed summaries, not bodies.)
 */
export function claudeCodeRequests(): Array<RecordedBody & { path: string }> {
  const out: Array<RecordedBody & { path: string }> = [];
  const files = readdirSync(CLAUDE_CODE).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(CLAUDE_CODE, f));
  for (const file of files.sort()) {
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .forEach((line, i) => {
        const rec = JSON.parse(line) as { method?: string; path?: string; body?: unknown };
        if (rec.method === 'POST' && typeof rec.path === 'string' && rec.path.startsWith('/v1/messages') && rec.body && typeof rec.body === 'object') {
          out.push({ name: `${path.relative(CLAUDE_CODE, file)}#${i}`, path: rec.path, body: rec.body as Record<string, unknown> });
        }
      });
  }
  return out;
}

/**
 * Canonical events → the response they describe, checking the stream contract on the way (start first, dense
 * block indices in start order, deltas only to started and not yet stopped blocks, finish or error last).
 */
export function accumulate(events: StreamEvent[]): { response?: Response; error?: StreamEvent & { type: 'error' } } {
  const blocks: ContentBlock[] = [];
  const args: string[] = [];
  const open = new Set<number>();
  let res: Response | undefined;
  for (const [n, ev] of events.entries()) {
    if (n === 0 && ev.type !== 'start' && ev.type !== 'error') throw new Error(`first event is ${ev.type}`);
    if ((ev.type === 'finish' || ev.type === 'error') && n !== events.length - 1) throw new Error(`${events[n + 1].type} after ${ev.type}`);
    switch (ev.type) {
      case 'start':
        res = { id: ev.id, model: ev.model, content: blocks, stopReason: 'end_turn', usage: ev.usage };
        break;
      case 'block_start': {
        if (ev.index !== blocks.length) throw new Error(`block_start ${ev.index}, expected ${blocks.length}`);
        open.add(ev.index);
        const s = ev.block;
        if (s.type === 'text') blocks.push({ type: 'text', text: '' });
        else if (s.type === 'thinking') blocks.push({ type: 'thinking', text: '', ...(s.signatureOrigin ? { signatureOrigin: s.signatureOrigin } : {}) });
        else if (s.type === 'redacted_thinking') blocks.push({ type: 'redacted_thinking', data: s.data });
        else if (s.type === 'tool_call') blocks.push({ type: 'tool_call', id: s.id, name: s.name, input: {}, ...(s.signature ? { signature: s.signature } : {}) });
        else blocks.push({ type: 'opaque', format: s.format, value: s.value });
        args[ev.index] = '';
        break;
      }
      case 'text_delta':
      case 'thinking_delta':
      case 'signature_delta':
      case 'tool_args_delta': {
        if (!open.has(ev.index)) throw new Error(`${ev.type} for block ${ev.index} which is not open`);
        const b = blocks[ev.index];
        if (ev.type === 'text_delta' && b.type === 'text') b.text += ev.text;
        else if (ev.type === 'thinking_delta' && b.type === 'thinking') b.text += ev.text;
        else if (ev.type === 'signature_delta' && (b.type === 'thinking' || b.type === 'text' || b.type === 'tool_call')) b.signature = (b.signature ?? '') + ev.signature;
        else if (ev.type === 'tool_args_delta' && b.type === 'tool_call') args[ev.index] += ev.json;
        else throw new Error(`${ev.type} does not fit a ${b.type} block`);
        break;
      }
      case 'block_stop': {
        if (!open.delete(ev.index)) throw new Error(`block_stop for block ${ev.index} which is not open`);
        const b = blocks[ev.index];
        if (b.type === 'tool_call') b.input = parseToolInput(args[ev.index]);
        break;
      }
      case 'finish':
        if (open.size) throw new Error(`finish with open blocks ${[...open].join(',')}`);
        if (!res) throw new Error('finish without start');
        res.stopReason = ev.stopReason;
        res.stopSequence = ev.stopSequence;
        res.usage = ev.usage;
        return { response: res };
      case 'error':
        return { response: res, error: ev };
    }
  }
  throw new Error('the events ended without finish or error');
}
