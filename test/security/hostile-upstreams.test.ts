import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * Providers that misbehave on purpose: an event without an end (no newline, ever), a stream of pings that never gets to
 * content, content that never ends, invalid JSON, the wrong content type, endless JSON and endless error bodies. The
 * router must answer each with a well-formed error (or end a committed stream with an error event), write a record,
 * and hold a bounded amount of memory, with the default limits.
 */

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** Writes `piece` until the router hangs up; backpressure keeps this server's own memory flat. */
function endless(res: http.ServerResponse, piece: Buffer | string): void {
  let open = true;
  res.on('close', () => (open = false));
  const pump = () => {
    while (open && res.write(piece));
    if (open) res.once('drain', pump);
  };
  pump();
}

const ANTHROPIC_START = `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'x', stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } })}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`;
const ANTHROPIC_DELTA = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"more "}}\n\n';
const OPENAI_DELTA = 'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"x","choices":[{"index":0,"delta":{"content":"more "},"finish_reason":null}]}\n\n';
const GEMINI_DELTA = 'data: {"candidates":[{"content":{"role":"model","parts":[{"text":"more "}]},"index":0}]}\r\n\r\n';

type Behaviour = 'giant-event' | 'endless-pings' | 'endless-content' | 'invalid-json' | 'wrong-type' | 'endless-json' | 'endless-error';

function protocolOf(url: string): 'anthropic' | 'openai' | 'gemini' {
  return url.startsWith('/v1beta') ? 'gemini' : url.includes('chat/completions') ? 'openai' : 'anthropic';
}

function hostile(behaviour: Behaviour, stream: boolean, protocol: 'anthropic' | 'openai' | 'gemini', res: http.ServerResponse): void {
  const sse = { 'content-type': 'text/event-stream' };
  switch (behaviour) {
    case 'giant-event':
      // One event that never ends: no newline, ever.
      res.writeHead(200, stream ? sse : { 'content-type': 'application/json' });
      res.write(stream ? 'data: ' : '{"id":"');
      return endless(res, CHUNK);
    case 'endless-pings': {
      res.writeHead(200, sse);
      const ping = protocol === 'anthropic' ? 'event: ping\ndata: {"type":"ping"}\n\n' : protocol === 'openai' ? ': keep-alive\n\n' : 'data: {"candidates":[]}\r\n\r\n';
      return endless(res, Buffer.from(ping.repeat(256)));
    }
    case 'endless-content':
      res.writeHead(200, sse);
      if (protocol === 'anthropic') res.write(ANTHROPIC_START);
      return endless(res, Buffer.from((protocol === 'anthropic' ? ANTHROPIC_DELTA : protocol === 'openai' ? OPENAI_DELTA : GEMINI_DELTA).repeat(64)));
    case 'invalid-json':
      res.writeHead(200, stream ? sse : { 'content-type': 'application/json' });
      return void res.end(stream ? (protocol === 'anthropic' ? 'event: message_start\ndata: {"type":"message_start","message":{\n\n' : 'data: {"choices":[{"delta":{"content":"x"\n\n') : '{"id":"msg_1","content":[{"type":"text","text":"x"}');
    case 'wrong-type':
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html><body>Gateway login</body></html>');
    case 'endless-json':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"msg_1","content":[');
      return endless(res, Buffer.from('{"type":"text","text":"x"},'.repeat(2048)));
    case 'endless-error':
      res.writeHead(500, { 'content-type': 'application/json' });
      res.write('{"error":{"message":"');
      return endless(res, CHUNK);
  }
}

let upstream: http.Server;
let h: Harness;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { model?: string; stream?: boolean };
      const url = req.url ?? '';
      const protocol = protocolOf(url);
      const model = protocol === 'gemini' ? decodeURIComponent(/models\/([^:]+):/.exec(url)?.[1] ?? '') : (body.model ?? '');
      const stream = protocol === 'gemini' ? url.includes('streamGenerateContent') : body.stream === true;
      hostile(model as Behaviour, stream, protocol, res);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const models: Behaviour[] = ['giant-event', 'endless-pings', 'endless-content', 'invalid-json', 'wrong-type', 'endless-json', 'endless-error'];
  h = await startHarness({
    failover: { max_attempts: 1 },
    providers: {
      'evil-a': { format: 'anthropic', base_url: base, api_key: 'sk-evil-a-provider-key-0003', models },
      'evil-o': { format: 'openai', base_url: `${base}/v1`, api_key: 'sk-evil-o-provider-key-0004', models },
      'evil-g': { format: 'gemini', base_url: base, api_key: 'evil-g-provider-key-0005', models },
    },
  });
});
afterAll(async () => {
  await h.close();
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

interface Path {
  name: string;
  api: 'anthropic' | 'openai';
  provider: string;
}

const PATHS: Path[] = [
  { name: 'Anthropic client, Anthropic provider (passthrough)', api: 'anthropic', provider: 'evil-a' },
  { name: 'Anthropic client, OpenAI provider (translated)', api: 'anthropic', provider: 'evil-o' },
  { name: 'Anthropic client, Gemini provider (translated)', api: 'anthropic', provider: 'evil-g' },
  { name: 'OpenAI client, OpenAI provider (passthrough)', api: 'openai', provider: 'evil-o' },
  { name: 'OpenAI client, Anthropic provider (translated)', api: 'openai', provider: 'evil-a' },
];

interface Outcome {
  status: number;
  contentType: string;
  text: string;
  id: string;
}

/** Sends one request and reads the whole answer, however long, keeping only its last 64 KB. */
async function call(p: Path, behaviour: Behaviour, stream: boolean, fallback?: Record<string, unknown>): Promise<Outcome> {
  const model = `${p.provider}/${behaviour}`;
  const body =
    p.api === 'anthropic'
      ? { model, max_tokens: 50, stream, messages: [{ role: 'user', content: 'hi' }], ...(fallback ? { fallback } : {}) }
      : { model, stream, messages: [{ role: 'user', content: 'hi' }], ...(fallback ? { fallback } : {}) };
  const r = await fetch(`${h.url}${p.api === 'anthropic' ? '/v1/messages' : '/v1/chat/completions'}`, {
    method: 'POST',
    headers: { 'x-api-key': h.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
  let tail = '';
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    tail = (tail + decoder.decode(value, { stream: true })).slice(-65536);
  }
  return { status: r.status, contentType: r.headers.get('content-type') ?? '', text: tail, id: r.headers.get('x-request-id') ?? '' };
}

/** A JSON error in the caller's format. */
function expectErrorBody(p: Path, o: Outcome, where: string): void {
  expect(o.contentType, where).toMatch(/application\/json/);
  const json = JSON.parse(o.text) as Record<string, unknown>;
  if (p.api === 'anthropic') expect(json, where).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
  else expect(json, where).toMatchObject({ error: { type: expect.any(String), message: expect.any(String) } });
}

async function recordOf(id: string) {
  await h.flush();
  return h.app.services.store.getRecord(id);
}

describe.each(PATHS)('hostile upstream: $name', (p) => {
  it.each([
    ['giant-event', true, /too_large|stream_cut/],
    ['giant-event', false, /too_large|invalid/],
    ['endless-json', false, /too_large/],
    ['invalid-json', true, /malformed|invalid|stream_cut|api_error/],
    ['invalid-json', false, /invalid/],
    ['wrong-type', true, /stream_cut|malformed|invalid|api_error/],
    ['wrong-type', false, /invalid/],
    ['endless-error', false, /http_500|api_error/],
  ] as Array<[Behaviour, boolean, RegExp]>)('%s (stream %s): a well-formed error, recorded', async (behaviour, stream, errorClass) => {
    const o = await call(p, behaviour, stream);
    const where = `${p.name} ${behaviour} stream=${stream}: ${o.status} ${o.text.slice(0, 300)}`;
    expect(o.status, where).toBeGreaterThanOrEqual(500);
    expectErrorBody(p, o, where);
    const rec = await recordOf(o.id);
    expect(rec?.status, where).toBe(o.status);
    expect(rec?.attempts.at(-1)?.errorClass ?? rec?.errorClass, where).toMatch(errorClass);
  });

  it('endless pings before any content: a well-formed error once the preamble limit or the deadline is reached', async () => {
    const o = await call(p, 'endless-pings', true, { timeout: '3s' });
    const where = `${p.name}: ${o.status} ${o.text.slice(0, 300)}`;
    expect([502, 504], where).toContain(o.status);
    expectErrorBody(p, o, where);
    expect((await recordOf(o.id))?.status).toBe(o.status);
  });

  it('content that never ends: the committed stream is closed with an error event at the deadline', async () => {
    const o = await call(p, 'endless-content', true, { timeout: '1500ms' });
    const where = `${p.name}: ${o.status} ${o.text.slice(-300)}`;
    expect(o.status, where).toBe(200);
    expect(o.contentType, where).toMatch(/text\/event-stream/);
    if (p.api === 'anthropic') expect(o.text, where).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"[a-z_]+","message":"[^"]+"\}\}\n\n$/);
    else expect(o.text, where).toMatch(/data: \{"error":\{"message":"[^"]+","type":"[a-z_]+".*\}\}\n\n$/);
    const rec = await recordOf(o.id);
    expect(rec?.errorClass, where).toBe('stream_cut');
  });
});

describe('memory with hostile upstreams', () => {
  it('stays bounded across every hostile answer, run again in parallel', async () => {
    const before = process.memoryUsage().rss;
    const runs: Array<Promise<Outcome>> = [];
    for (const p of PATHS) {
      runs.push(call(p, 'giant-event', true), call(p, 'giant-event', false), call(p, 'endless-json', false), call(p, 'endless-error', false), call(p, 'endless-pings', true, { timeout: '3s' }));
    }
    const outcomes = await Promise.all(runs);
    for (const o of outcomes) expect(o.status).toBeGreaterThanOrEqual(500);
    // 25 hostile answers at once, each cut at its limit (16 MiB per event or preamble, 64 MiB per body): a bound, not
    // a measurement. Without the limits the endless ones would grow until the process died.
    expect(process.memoryUsage().rss - before).toBeLessThan(1536 * 1024 * 1024);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });
});
