import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * Hostile request bodies through HTTP, on every client endpoint and both the passthrough and the translating path:
 * each must get a clean 4xx in the caller's own error format, be recorded, and leave the router answering.
 */

let sim: Simulator;
let h: Harness;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  h = await startHarness(
    {
      server: { port: 0, body_limit: '4MiB' },
      providers: { oai: { format: 'openai', base_url: `${sim.url}/v1`, api_key: 'sk-oai-test-provider-key-0002', models: ['gpt-4o'] } },
    },
    { sim },
  );
});
afterAll(async () => {
  await h.close();
  await sim.close();
});

interface Target {
  name: string;
  path: string;
  api: 'anthropic' | 'openai';
  model: string;
  /** A valid body for this target, as an object (the cases below spoil it). */
  valid: Record<string, unknown>;
}

const TARGETS: Target[] = [
  { name: 'messages passthrough', path: '/v1/messages', api: 'anthropic', model: 'claude-sonnet-4-5', valid: { model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'messages translated', path: '/v1/messages', api: 'anthropic', model: 'oai/gpt-4o', valid: { model: 'oai/gpt-4o', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'count_tokens exact', path: '/v1/messages/count_tokens', api: 'anthropic', model: 'claude-sonnet-4-5', valid: { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'count_tokens estimate', path: '/v1/messages/count_tokens', api: 'anthropic', model: 'oai/gpt-4o', valid: { model: 'oai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'chat passthrough', path: '/v1/chat/completions', api: 'openai', model: 'oai/gpt-4o', valid: { model: 'oai/gpt-4o', messages: [{ role: 'user', content: 'hi' }] } },
  { name: 'chat translated', path: '/v1/chat/completions', api: 'openai', model: 'claude-sonnet-4-5', valid: { model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] } },
];

interface Answer {
  status: number;
  id: string;
  json: Record<string, unknown>;
}

async function send(t: Target, body: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  const r = await fetch(`${h.url}${t.path}`, { method: 'POST', headers: { 'x-api-key': h.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers }, body });
  const text = await r.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${t.name}: status ${r.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: r.status, id: r.headers.get('x-request-id') ?? '', json };
}

/** The caller's own error shape, a 4xx, a record with that status, and a router that still answers. */
async function expectCleanRejection(t: Target, a: Answer, what: string): Promise<void> {
  const where = `${t.name}: ${what}: ${JSON.stringify(a.json).slice(0, 300)}`;
  expect(a.status, where).toBeGreaterThanOrEqual(400);
  expect(a.status, where).toBeLessThan(500);
  if (t.api === 'anthropic') {
    expect(a.json.type, where).toBe('error');
    expect(typeof (a.json.error as { type?: unknown })?.type, where).toBe('string');
    expect(typeof (a.json.error as { message?: unknown })?.message, where).toBe('string');
  } else {
    expect(typeof (a.json.error as { message?: unknown })?.message, where).toBe('string');
    expect(typeof (a.json.error as { type?: unknown })?.type, where).toBe('string');
  }
  expect(a.id, where).toMatch(/^req_/);
  await h.flush();
  const rec = await h.app.services.store.getRecord(a.id);
  expect(rec?.status, where).toBe(a.status);
  expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
}

function spoil(t: Target, patch: Record<string, unknown>): string {
  return JSON.stringify({ ...t.valid, ...patch });
}

function withMessages(t: Target, messages: unknown): string {
  return spoil(t, { messages });
}

const DEPTH = 100_000;

/** Cases that are wrong whatever the path: the router itself must refuse them. */
function structuralCases(t: Target): Array<[string, Buffer | string]> {
  const valid = JSON.stringify(t.valid);
  return [
    ['not JSON at all', 'this is not json'],
    ['an empty body', ''],
    ['truncated JSON', valid.slice(0, valid.length - 3)],
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"hello"'],
    ['trailing garbage', `${valid} trailing`],
    ['a bare control character in a string', valid.replace('"hi"', '"h\u0001i"')],
    ['a bad escape', valid.replace('"hi"', '"h\\qi"')],
    ['invalid UTF-8 (0xff)', Buffer.concat([Buffer.from(valid.slice(0, valid.indexOf('"hi"') + 1)), Buffer.from([0xff, 0xfe]), Buffer.from(valid.slice(valid.indexOf('"hi"') + 3))])],
    ['overlong UTF-8 (0xc0 0xaf)', Buffer.concat([Buffer.from(valid.slice(0, valid.indexOf('"hi"') + 1)), Buffer.from([0xc0, 0xaf]), Buffer.from(valid.slice(valid.indexOf('"hi"') + 3))])],
    ['an encoded UTF-16 surrogate (0xed 0xa0 0x80)', Buffer.concat([Buffer.from(valid.slice(0, valid.indexOf('"hi"') + 1)), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(valid.slice(valid.indexOf('"hi"') + 3))])],
    [`arrays nested ${DEPTH} deep`, `{"model":${JSON.stringify(t.model)},"max_tokens":5,"messages":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`],
    [`objects nested ${DEPTH} deep`, `{"model":${JSON.stringify(t.model)},"max_tokens":5,"messages":[{"role":"user","content":"x"}],"metadata":${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}}`],
    ['an unterminated deep nest', `{"model":${JSON.stringify(t.model)},"messages":${'['.repeat(DEPTH)}`],
    ['a body over the size limit', `{"model":${JSON.stringify(t.model)},"messages":[{"role":"user","content":"${'a'.repeat(5 * 1024 * 1024)}"}]}`],
    ['a 100 KB model name', spoil(t, { model: 'm'.repeat(100_000) })],
    ['the model key twice', `{"model":"other-model",${valid.slice(1)}`],
    ['the messages key twice', `{"messages":[],${valid.slice(1)}`],
    ['the stream key twice', `{"stream":true,${valid.slice(1, -1)},"stream":false}`],
    ['model missing', JSON.stringify({ ...t.valid, model: undefined })],
    ['messages missing', JSON.stringify({ ...t.valid, messages: undefined })],
    ['model null', spoil(t, { model: null })],
    ['model a number', spoil(t, { model: 42 })],
    ['model an object', spoil(t, { model: { id: 'x' } })],
    ['model empty', spoil(t, { model: '' })],
    ['messages a string', spoil(t, { messages: 'hi' })],
    ['messages an object', spoil(t, { messages: { role: 'user' } })],
    ['messages null', spoil(t, { messages: null })],
    ['stream a string', spoil(t, { stream: 'yes' })],
    ['stream a number', spoil(t, { stream: 1 })],
    ['tools an object', spoil(t, { tools: { name: 'x' } })],
    ['an unknown model', spoil(t, { model: 'no-such-provider/no-such-model' })],
  ];
}

/** Anthropic top-level fields of the wrong type: refused by the router on every path. */
const ANTHROPIC_FIELD_TYPES: Array<[string, unknown]> = [
  ['max_tokens', 'many'],
  ['max_tokens', -1],
  ['max_tokens', 1.5],
  ['max_tokens', Infinity],
  ['system', 5],
  ['system', { text: 'x' }],
  ['metadata', 'user-1'],
  ['metadata', []],
  ['tool_choice', 'auto'],
  ['temperature', 'hot'],
  ['top_p', []],
  ['top_k', '5'],
  ['stop_sequences', 'STOP'],
  ['thinking', true],
  ['output_config', 'json'],
  ['context_management', 1],
  ['service_tier', 5],
  ['extra_body', []],
  ['fallback', { ttft_timeout: 'soon' }],
  ['fallback', { max_attempts: 1000 }],
];

const OPENAI_FIELD_TYPES: Array<[string, unknown]> = [
  ['max_tokens', 'many'],
  ['max_completion_tokens', []],
  ['stream_options', 'usage'],
  ['fallback', { ttft_timeout: 'soon' }],
];

/** Nested fields of the wrong type, unknown blocks: refused where the router decodes (translating path). */
const NESTED_ANTHROPIC: Array<[string, unknown]> = [
  ['a message that is a number', [1]],
  ['a message that is null', [null]],
  ['a message role that is a number', [{ role: 5, content: 'x' }]],
  ['an unknown message role', [{ role: 'wizard', content: 'x' }]],
  ['content a number', [{ role: 'user', content: 5 }]],
  ['content missing', [{ role: 'user' }]],
  ['a block that is a string in an array', [{ role: 'user', content: ['x'] }]],
  ['a text block with a numeric text', [{ role: 'user', content: [{ type: 'text', text: 5 }] }]],
  ['a block without a type', [{ role: 'user', content: [{ text: 'x' }] }]],
  ['a block type that is a number', [{ role: 'user', content: [{ type: 7 }] }]],
  ['an unknown block type', [{ role: 'user', content: [{ type: 'hologram', data: 'x' }] }]],
  ['an image with a bad source', [{ role: 'user', content: [{ type: 'image', source: 'http://x' }] }]],
  ['a tool_use with a string input', [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: 'x' }] }]],
  ['200,000 numbers as messages', Array.from({ length: 200_000 }, () => 1)],
];

const NESTED_OPENAI: Array<[string, unknown]> = [
  ['a message that is a number', [1]],
  ['a message that is null', [null]],
  ['a message role that is a number', [{ role: 5, content: 'x' }]],
  ['an unknown message role', [{ role: 'wizard', content: 'x' }]],
  ['content a number', [{ role: 'user', content: 5 }]],
  ['a part that is a string', [{ role: 'user', content: ['x'] }]],
  ['a text part with a numeric text', [{ role: 'user', content: [{ type: 'text', text: 5 }] }]],
  ['an unknown part type', [{ role: 'user', content: [{ type: 'hologram', data: 'x' }] }]],
  ['an image_url that is a number', [{ role: 'user', content: [{ type: 'image_url', image_url: 5 }] }]],
  ['tool_calls a string', [{ role: 'assistant', tool_calls: 'x' }]],
  ['a tool call with numeric arguments', [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: 5 } }] }]],
  ['200,000 numbers as messages', Array.from({ length: 200_000 }, () => 1)],
];

describe.each(TARGETS)('hostile bodies: $name', (t) => {
  it.each(structuralCases(t))('%s', async (what, body) => {
    await expectCleanRejection(t, await send(t, body), what);
  });

  // count_tokens runs no failover, so it accepts (and ignores) a `fallback` the same body would carry to /v1/messages.
  const fields = (t.api === 'anthropic' ? ANTHROPIC_FIELD_TYPES : OPENAI_FIELD_TYPES).filter(([f]) => !(f === 'fallback' && t.path.includes('count_tokens')));
  it.each(fields)('%s = %j', async (field, value) => {
    // Infinity stands for a number JSON can write but a double cannot hold.
    const body = value === Infinity ? JSON.stringify({ ...t.valid, [field]: 0 }).replace(`"${field}":0`, `"${field}":1e400`) : spoil(t, { [field]: value });
    await expectCleanRejection(t, await send(t, body), `${field}: ${JSON.stringify(value)}`);
  });

  if (t.name.includes('translated') || t.name.includes('estimate')) {
    it.each(t.api === 'anthropic' ? NESTED_ANTHROPIC : NESTED_OPENAI)('%s', async (what, messages) => {
      await expectCleanRejection(t, await send(t, withMessages(t, messages)), what);
    });
  }
});

describe('header values that would reach upstream headers', () => {
  const t = TARGETS[0];

  it.each([
    ['anthropic-beta with a non-ASCII byte', { 'anthropic-beta': 'tools-2024-04-04,caf\u00e9' }],
    ['anthropic-version with a non-ASCII byte', { 'anthropic-version': '2023-06-01\u00ff' }],
  ])('%s gets a 400 in the Anthropic format', async (what, headers) => {
    const a = await send(t, JSON.stringify(t.valid), headers as Record<string, string>);
    await expectCleanRejection(t, a, what);
    expect((a.json.error as { message: string }).message).toMatch(/header/);
  });

  /** Raw bytes, since no HTTP client would send them. */
  async function raw(request: string): Promise<string> {
    const { port } = new URL(h.url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let out = '';
      socket.on('data', (d) => (out += d.toString('latin1')));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
      socket.write(request);
    });
  }

  it.each([
    ['a bare CR inside anthropic-beta', 'anthropic-beta: a\rInjected: 1'],
    ['a NUL inside a header value', 'x-switchyard-metadata: tier=gold\u0000x'],
    ['a header line without a colon', 'anthropic-beta a'],
  ])('%s is refused by the parser with a JSON 400 and a record', async (_what, line) => {
    const body = JSON.stringify(t.valid);
    const answer = await raw(`POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-api-key: ${h.key}\r\ncontent-type: application/json\r\n${line}\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    const [head, json] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400/);
    const parsed = JSON.parse(json) as { type: string; error: { type: string; message: string } };
    expect(parsed).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const id = /x-request-id: (\S+)/.exec(head)![1];
    await h.flush();
    expect((await h.app.services.store.getRecord(id))?.errorClass).toBe('malformed_http');
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('a user id with CR/LF travels only inside the JSON body, never as a header', async () => {
    sim.reset();
    const body = spoil(t, { metadata: { user_id: 'u1\r\nx-injected: yes' } });
    const a = await send(t, body);
    expect(a.status).toBe(200);
    const upstream = sim.requests.at(-1)!;
    expect(upstream.headers['x-injected']).toBeUndefined();
  });
});

describe('memory stays bounded', () => {
  it('a burst of oversized and deeply nested bodies does not grow the heap without bound', async () => {
    const t = TARGETS[1];
    const before = process.memoryUsage().rss;
    const deep = `{"model":"oai/gpt-4o","max_tokens":5,"messages":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`;
    const big = `{"model":"oai/gpt-4o","messages":[{"role":"user","content":"${'a'.repeat(5 * 1024 * 1024)}"}]}`;
    for (let i = 0; i < 20; i++) {
      const answers = await Promise.all([send(t, deep), send(t, big), send(t, withMessages(t, Array.from({ length: 200_000 }, () => 1)))]);
      for (const a of answers) expect(a.status).toBeLessThan(500);
    }
    // A generous bound: 60 rejected bodies of up to 5 MB each must not pile up.
    expect(process.memoryUsage().rss - before).toBeLessThan(400 * 1024 * 1024);
  });
});
