import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createLogger, type App } from '../../src/app.js';
import { createClientKey } from '../../src/auth/index.js';
import { parseConfig } from '../../src/config/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

/**
 * A representative run (successes on every path, failover, a wrong client key, a provider rejecting its key and echoing
 * it back, client errors, admin calls, key creation) with debug logging and body capture on, after which every output
 * is searched for every key the run used: the log, every byte of the store's files (all columns of all records),
 * /metrics, every response body and header the clients got, and what each provider received.
 */

const ADMIN_KEY = 'sk-admin-leak-test-0123456789abcdef';
const CONFIG_CLIENT_KEY = 'sk-sy-config-bootstrap-key-0123456789';
const WRONG_KEY = 'sk-sy-wrong-guess-abcdefghijklmnop0123';
const P_ANTHROPIC = 'sk-ant-provider-key-anthropic-000111';
const P_OPENAI_1 = 'sk-proj-provider-key-openai-rot-000222';
const P_OPENAI_2 = 'sk-proj-provider-key-openai-rot-000333';
const P_ECHO = 'sk-ant-provider-key-echoed-back-000444';

let simA: Simulator;
let simO: Simulator;
let echo: http.Server;
const echoSeen: string[] = [];
let app: App;
let url: string;
let dataDir: string;
let clientKey: string;
const logChunks: string[] = [];
/** Everything the clients were sent, headers and bodies, except the one answer that shows a new key once. */
const clientSaw: string[] = [];
let createdKey = '';

async function call(method: string, pathname: string, key: string | null, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const r = await fetch(`${url}${pathname}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...extraHeaders },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  clientSaw.push(JSON.stringify([...r.headers.entries()]), text);
  return { status: r.status, text };
}

beforeAll(async () => {
  simA = await startSimulator({ port: 0 });
  simO = await startSimulator({ port: 0 });
  // A provider that rejects its key and, like some real ones, repeats the key in the error message.
  echo = http.createServer((req, res) => {
    req.resume();
    const key = String(req.headers['x-api-key'] ?? req.headers.authorization ?? '');
    echoSeen.push(key);
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key: ${key}` } }));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  dataDir = mkdtempSync(path.join(tmpdir(), 'sy-leaks-'));
  const config = parseConfig(
    {
      server: { port: 0 },
      auth: { admin_key: ADMIN_KEY, keys: [{ name: 'bootstrap', key: CONFIG_CLIENT_KEY }] },
      providers: {
        anthropic: { api_key: P_ANTHROPIC, base_url: simA.url, models: ['claude-sonnet-4-5'] },
        oai: { format: 'openai', base_url: `${simO.url}/v1`, api_keys: [P_OPENAI_1, P_OPENAI_2], models: ['gpt-4o', 'claude-sonnet-4-5'] },
        echo: { format: 'anthropic', base_url: `http://127.0.0.1:${(echo.address() as AddressInfo).port}`, api_key: P_ECHO, models: ['claude-sonnet-4-5', 'echo-only'] },
      },
      telemetry: { records: { flush_interval: 50, bodies: true }, log_level: 'debug' },
    },
    'test',
    {},
  );
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logChunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  app = await createApp({ config, dataDir, logger: createLogger('debug', sink), env: {} });
  url = await app.listen(0, '127.0.0.1');
  const made = await createClientKey(app.services.store, 'client');
  app.services.keys.noteCreated(made.record);
  clientKey = made.key;

  const msg = (model: string, extra: Record<string, unknown> = {}) => ({ model, max_tokens: 30, messages: [{ role: 'user', content: 'hello' }], ...extra });
  const chat = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: 'hello' }], ...extra });

  // Successes on each path, streamed and not, with both client keys and the admin key.
  expect((await call('POST', '/v1/messages', clientKey, msg('anthropic/claude-sonnet-4-5'))).status).toBe(200);
  expect((await call('POST', '/v1/messages', CONFIG_CLIENT_KEY, msg('anthropic/claude-sonnet-4-5', { stream: true }))).status).toBe(200);
  expect((await call('POST', '/v1/messages', ADMIN_KEY, msg('oai/gpt-4o'))).status).toBe(200);
  expect((await call('POST', '/v1/chat/completions', clientKey, chat('oai/gpt-4o', { stream: true }))).status).toBe(200);
  expect((await call('POST', '/v1/chat/completions', clientKey, chat('anthropic/claude-sonnet-4-5'))).status).toBe(200);
  expect((await call('POST', '/v1/chat/completions', clientKey, chat('oai/gpt-4o'))).status).toBe(200);
  expect((await call('POST', '/v1/messages/count_tokens', clientKey, { model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200);
  // Failover: the echoing provider refuses its key first, another provider answers.
  expect((await call('POST', '/v1/messages', clientKey, msg('claude-sonnet-4-5', { provider: { order: ['echo', 'anthropic'] } }))).status).toBe(200);
  expect((await call('POST', '/v1/chat/completions', clientKey, chat('claude-sonnet-4-5', { provider: { order: ['echo', 'oai'] } }))).status).toBe(200);
  // Provider 401 with no one left: the client gets a 502 carrying the provider's message, without its key.
  const rejected = await call('POST', '/v1/messages', clientKey, msg('echo/echo-only'));
  expect(rejected.status).toBe(502);
  expect(rejected.text).toContain('invalid x-api-key: [redacted]');
  expect((await call('POST', '/v1/chat/completions', clientKey, chat('echo/echo-only'))).status).toBe(502);
  // Upstream faults and client errors.
  simA.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
  await call('POST', '/v1/messages', clientKey, msg('claude-sonnet-4-5', { provider: { order: ['anthropic', 'oai'] } }));
  expect((await call('POST', '/v1/messages', WRONG_KEY, msg('anthropic/claude-sonnet-4-5'))).status).toBe(401);
  expect((await call('POST', '/v1/chat/completions', WRONG_KEY, chat('oai/gpt-4o'))).status).toBe(401);
  expect((await call('POST', '/v1/messages', null, msg('anthropic/claude-sonnet-4-5'), { 'x-api-key': WRONG_KEY })).status).toBe(401);
  expect((await call('POST', '/v1/messages', clientKey, msg('no/such-model'))).status).toBe(404);
  expect((await call('POST', '/v1/messages', clientKey, '{"model": broken')).status).toBe(400);
  // A client that pastes its key into the conversation: stored bodies are redacted too.
  // (The provider gets that content, and its answer may quote it: those two are the client's own words, left out of the
  // searches of what clients and providers saw below.)
  const seen = clientSaw.length;
  expect((await call('POST', '/v1/messages', clientKey, { model: 'anthropic/claude-sonnet-4-5', max_tokens: 30, messages: [{ role: 'user', content: `my key is ${clientKey}` }] })).status).toBe(200);
  clientSaw.length = seen;
  // Admin calls, and a key made through the API: shown in that one answer, nowhere else.
  const r = await fetch(`${url}/admin/v1/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'made-by-api' }) });
  expect(r.status).toBe(201);
  createdKey = ((await r.json()) as { key: string }).key;
  expect((await call('POST', '/v1/messages', createdKey, msg('anthropic/claude-sonnet-4-5'))).status).toBe(200);
  expect((await call('GET', '/admin/v1/keys', ADMIN_KEY)).status).toBe(200);
  expect((await call('GET', '/admin/v1/requests?limit=100', ADMIN_KEY)).status).toBe(200);
  expect((await call('GET', '/v1/models', clientKey)).status).toBe(200);
  await app.services.recorder.flush();
});

afterAll(async () => {
  await app.close(1000);
  await simA.close();
  await simO.close();
  await new Promise((r) => echo.close(r));
});

function secrets(): Array<[string, string]> {
  return [
    ['admin key', ADMIN_KEY],
    ['config client key', CONFIG_CLIENT_KEY],
    ['client key', clientKey],
    ['API-made client key', createdKey],
    ['wrong client key', WRONG_KEY],
    ['anthropic provider key', P_ANTHROPIC],
    ['openai provider key 1', P_OPENAI_1],
    ['openai provider key 2', P_OPENAI_2],
    ['echoing provider key', P_ECHO],
  ];
}

describe('no key appears in any output of a representative run', () => {
  it('the run used every key (so the search below means something)', () => {
    expect(echoSeen).toContain(P_ECHO);
    const sentA = simA.requests.map((q) => String(q.headers['x-api-key']));
    const sentO = simO.requests.map((q) => String(q.headers.authorization));
    expect(sentA).toContain(P_ANTHROPIC);
    expect(sentO).toContain(`Bearer ${P_OPENAI_1}`);
    expect(sentO).toContain(`Bearer ${P_OPENAI_2}`);
    expect(logChunks.join('').length).toBeGreaterThan(1000);
  });

  it('not in the debug log', () => {
    const log = logChunks.join('');
    for (const [what, key] of secrets()) expect(log.includes(key), `${what} in the log`).toBe(false);
  });

  it('not in the store: every byte of every file (records with bodies, attempts, keys, metadata)', () => {
    const files = readdirSync(dataDir).map((f) => readFileSync(path.join(dataDir, f)));
    expect(files.length).toBeGreaterThan(0);
    const bytes = Buffer.concat(files);
    expect(bytes.includes('hello'), 'the captured bodies are in the store').toBe(true);
    for (const [what, key] of secrets()) expect(bytes.includes(key), `${what} in the store`).toBe(false);
  });

  it('not in the records as the admin API returns them', async () => {
    const records = await app.services.store.listRecords({ limit: 1000 });
    expect(records.length).toBeGreaterThan(15);
    const text = JSON.stringify(records);
    for (const [what, key] of secrets()) expect(text.includes(key), `${what} in a record`).toBe(false);
  });

  it('not in /metrics', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/# HELP/);
    for (const [what, key] of secrets()) expect(text.includes(key), `${what} in /metrics`).toBe(false);
  });

  it('not in any answer or header a client got (bar the one answer that creates a key)', () => {
    const text = clientSaw.join('\n');
    for (const [what, key] of secrets()) expect(text.includes(key), `${what} sent to a client`).toBe(false);
  });

  it('client keys are never sent to a provider, and each provider only ever gets its own key', () => {
    const toA = JSON.stringify(simA.requests.filter((q) => !q.body.includes('my key is')).map((q) => [q.headers, q.query, q.body.toString('utf8')]));
    const toO = JSON.stringify(simO.requests.map((q) => [q.headers, q.query, q.body.toString('utf8')]));
    for (const key of [ADMIN_KEY, CONFIG_CLIENT_KEY, clientKey, createdKey, WRONG_KEY]) {
      expect(toA.includes(key) || toO.includes(key), 'a client key reached a provider').toBe(false);
    }
    for (const key of [P_OPENAI_1, P_OPENAI_2, P_ECHO]) expect(toA.includes(key), 'another provider key reached anthropic').toBe(false);
    for (const key of [P_ANTHROPIC, P_ECHO]) expect(toO.includes(key), 'another provider key reached oai').toBe(false);
    expect(echoSeen.every((k) => k === P_ECHO)).toBe(true);
  });
});
