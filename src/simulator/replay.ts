/**
 * Replay of recorded responses: the queue (`Simulator.replay`, `POST /_sim/replay`), validation, and sending a
 * recorded body or event list in the framing of the protocol whose path the request arrived on. Protocol handlers
 * take a replay where they would take a scripted turn (after auth and validation), so faults apply as usual.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { FaultPlan } from './faults.js';
import { pumpFrames, sendBody, type Exchange, type FaultAdapter, type Frame } from './http.js';
import type { ReplayMatch, ReplayResponse, SimProtocol } from './types.js';

/** What a queued replay is matched against. */
export interface ReplayContext {
  protocol: SimProtocol;
  model?: string;
  path: string;
  stream: boolean;
}

interface Entry {
  response: ReplayResponse;
  match?: ReplayMatch;
}

function matches(m: ReplayMatch | undefined, ctx: ReplayContext): boolean {
  if (!m) return true;
  if (m.protocol !== undefined && m.protocol !== ctx.protocol) return false;
  if (m.model !== undefined && m.model !== ctx.model) return false;
  if (m.path !== undefined && m.path !== ctx.path) return false;
  if (m.stream !== undefined && m.stream !== ctx.stream) return false;
  return true;
}

/** Queued replays, first-in first-out among the requests each one matches. */
export class ReplayQueue {
  private entries: Entry[] = [];

  add(responses: ReplayResponse[], match?: ReplayMatch): void {
    for (const response of responses) this.entries.push({ response, match });
  }

  /** The replay the request gets, consumed unless `peek` (a faulted request leaves it for the retry). */
  take(ctx: ReplayContext, peek = false): ReplayResponse | undefined {
    const i = this.entries.findIndex((e) => matches(e.match, ctx));
    if (i < 0) return undefined;
    const { response } = this.entries[i];
    if (!peek) this.entries.splice(i, 1);
    return response;
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
  }
}

export class ReplayError extends Error {}

const PROTOCOLS = new Set<string>(['anthropic', 'openai', 'gemini']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Check one replay (from code); returns it or throws `ReplayError`. */
export function validateReplay(input: unknown, where = 'replay'): ReplayResponse {
  if (!isObj(input)) throw new ReplayError(`${where} must be an object`);
  const r = input as ReplayResponse & Record<string, unknown>;
  if (r.status !== undefined && (typeof r.status !== 'number' || !Number.isInteger(r.status) || r.status < 100 || r.status > 999)) {
    throw new ReplayError(`${where}.status must be an integer HTTP status`);
  }
  const bodies = (['json', 'sse', 'raw'] as const).filter((k) => r[k] !== undefined);
  if (bodies.length > 1) throw new ReplayError(`${where} takes at most one of json, sse and raw (got ${bodies.join(', ')})`);
  if (r.sse !== undefined && (!Array.isArray(r.sse) || r.sse.some((p) => typeof p !== 'string'))) {
    throw new ReplayError(`${where}.sse must be an array of strings`);
  }
  if (r.raw !== undefined && typeof r.raw !== 'string' && !Buffer.isBuffer(r.raw)) throw new ReplayError(`${where}.raw must be a Buffer or a string`);
  if (r.contentType !== undefined && typeof r.contentType !== 'string') throw new ReplayError(`${where}.contentType must be a string`);
  if (r.headers !== undefined) {
    if (!isObj(r.headers)) throw new ReplayError(`${where}.headers must be an object`);
    for (const [k, v] of Object.entries(r.headers)) if (typeof v !== 'string') throw new ReplayError(`${where}.headers.${k} must be a string`);
  }
  return r;
}

export function validateReplayMatch(input: unknown): ReplayMatch | undefined {
  if (input === undefined) return undefined;
  if (!isObj(input)) throw new ReplayError('match must be an object');
  if (input.protocol !== undefined && !PROTOCOLS.has(input.protocol as string)) throw new ReplayError('match.protocol must be anthropic, openai or gemini');
  if (input.model !== undefined && typeof input.model !== 'string') throw new ReplayError('match.model must be a string');
  if (input.path !== undefined && typeof input.path !== 'string') throw new ReplayError('match.path must be a string');
  if (input.stream !== undefined && typeof input.stream !== 'boolean') throw new ReplayError('match.stream must be a boolean');
  return input as ReplayMatch;
}

/**
 * The control surface's body: `{response}` or `{responses: [...]}`, plus `match`. Over JSON, `raw` is a UTF-8
 * string and `rawBase64` carries binary bytes.
 */
export function replaysFromJson(input: unknown): { responses: ReplayResponse[]; match?: ReplayMatch } {
  if (!isObj(input)) throw new ReplayError('body must be an object with `response` or `responses`');
  const list = input.responses !== undefined ? input.responses : input.response !== undefined ? [input.response] : undefined;
  if (!Array.isArray(list)) throw new ReplayError('body needs `response` (an object) or `responses` (an array)');
  const responses = list.map((r: unknown, i) => {
    const where = `responses[${i}]`;
    if (isObj(r) && r.rawBase64 !== undefined) {
      if (typeof r.rawBase64 !== 'string') throw new ReplayError(`${where}.rawBase64 must be a string`);
      if (r.raw !== undefined) throw new ReplayError(`${where} takes raw or rawBase64, not both`);
      const { rawBase64, ...rest } = r;
      r = { ...rest, raw: Buffer.from(rawBase64, 'base64') };
    }
    return validateReplay(r, where);
  });
  return { responses, match: validateReplayMatch(input.match) };
}

/** Headers a replay may not set: the simulator frames the body itself. */
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'content-encoding', 'content-type']);

export interface ReplaySend {
  protocol: SimProtocol;
  /** Whether the request asked for a stream. */
  stream: boolean;
  /** Gemini stream framing: `alt=sse` or one JSON array. */
  geminiMode?: 'sse' | 'array';
  /** Gemini array streams: tells the protocol's fault frames whether `[` went out. */
  progress?: { opened: boolean };
  /** The protocol's usual response headers (request id, label). */
  headers: OutgoingHttpHeaders;
  plan: FaultPlan;
  adapter: FaultAdapter;
}

function defaultContentType(o: ReplaySend, streamed: boolean): string {
  if (o.protocol === 'gemini') return streamed && o.geminiMode !== 'array' ? 'text/event-stream' : 'application/json; charset=UTF-8';
  return streamed ? 'text/event-stream; charset=utf-8' : 'application/json';
}

/** `data:` lines for a payload (one per line of it, as SSE requires). */
function dataLines(payload: string, eol: string): string {
  return payload
    .split(/\r?\n/)
    .map((l) => `data: ${l}${eol}`)
    .join('');
}

function eventType(payload: string): string | undefined {
  try {
    const v = JSON.parse(payload) as unknown;
    return isObj(v) && typeof v.type === 'string' ? v.type : undefined;
  } catch {
    return undefined;
  }
}

/** The first content-carrying frame (where `slow_first_token` waits): after the opening event, except for Gemini. */
function markFirst(frames: Frame[], protocol: SimProtocol): Frame[] {
  const i = protocol === 'gemini' || frames.length < 2 ? 0 : 1;
  if (frames[i]) frames[i] = { ...frames[i], firstToken: true };
  return frames;
}

/** Event payloads framed for the protocol. */
export function replayFrames(payloads: string[], o: Pick<ReplaySend, 'protocol' | 'geminiMode'>): Frame[] {
  const frames: Frame[] = [];
  switch (o.protocol) {
    case 'anthropic':
      for (const p of payloads) {
        const type = eventType(p);
        frames.push({ text: `${type !== undefined ? `event: ${type}\n` : ''}${dataLines(p, '\n')}\n` });
      }
      break;
    case 'openai':
      for (const p of payloads) frames.push({ text: `${dataLines(p, '\n')}\n` });
      if (payloads.at(-1)?.trim() !== '[DONE]') frames.push({ text: 'data: [DONE]\n\n' });
      break;
    case 'gemini':
      if (o.geminiMode === 'array') {
        payloads.forEach((p, i) => frames.push({ text: i === 0 ? `[${p}` : `,\r\n${p}` }));
        frames.push({ text: payloads.length > 0 ? '\n]' : '[]' });
      } else {
        for (const p of payloads) frames.push({ text: `${dataLines(p, '\r\n')}\r\n` });
      }
      break;
  }
  return frames;
}

/** Raw stream bytes as SSE events: each frame ends after a blank line (`\n\n` or `\r\n\r\n`); nothing is changed. */
export function splitRawEvents(buf: Buffer): Frame[] {
  const frames: Frame[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    let end = -1;
    if (buf[i] === 0x0a && buf[i + 1] === 0x0a) end = i + 2;
    else if (buf[i] === 0x0d && buf[i + 1] === 0x0a && buf[i + 2] === 0x0d && buf[i + 3] === 0x0a) end = i + 4;
    if (end < 0) continue;
    frames.push({ text: buf.subarray(start, end) });
    start = end;
    i = end - 1;
  }
  if (start < buf.length) frames.push({ text: buf.subarray(start) });
  return frames;
}

function jsonBody(value: unknown, protocol: SimProtocol): string {
  // As each protocol writes its bodies: Anthropic compact, OpenAI and Gemini pretty-printed.
  if (protocol === 'anthropic') return JSON.stringify(value);
  return protocol === 'gemini' ? `${JSON.stringify(value, null, 2)}\n` : JSON.stringify(value, null, 2);
}

/** Answer the exchange with a replay, carrying out the remaining faults of the plan. */
export async function sendReplay(x: Exchange, r: ReplayResponse, o: ReplaySend): Promise<void> {
  x.log.replayed = true;
  const status = r.status ?? 200;
  const extra: OutgoingHttpHeaders = {};
  let headerType: string | undefined;
  for (const [k, v] of Object.entries(r.headers ?? {})) {
    const key = k.toLowerCase();
    if (key === 'content-type') headerType = v;
    if (!DROPPED_HEADERS.has(key)) extra[key] = v;
  }
  const raw = typeof r.raw === 'string' ? Buffer.from(r.raw, 'utf8') : r.raw;
  const streamed = r.sse !== undefined || (raw !== undefined && o.stream && status < 300);
  const headers: OutgoingHttpHeaders = {
    ...o.headers,
    ...(streamed ? { 'cache-control': 'no-cache' } : {}),
    ...extra,
    'content-type': r.contentType ?? headerType ?? defaultContentType(o, streamed),
  };
  if (streamed) {
    const frames = r.sse !== undefined ? markFirst(replayFrames(r.sse, o), o.protocol) : markFirst(splitRawEvents(raw!), o.protocol);
    x.res.writeHead(status, headers);
    const progress = o.progress;
    const tracked = progress ? trackOpened(frames, progress) : frames;
    await pumpFrames(x, tracked, o.plan, o.adapter);
    return;
  }
  const body = raw ?? (r.json !== undefined ? jsonBody(r.json, o.protocol) : '');
  await sendBody(x, status, headers, body, o.plan, o.adapter);
}

function* trackOpened(frames: Frame[], progress: { opened: boolean }): Generator<Frame> {
  for (const f of frames) {
    yield f;
    progress.opened = true;
  }
}
