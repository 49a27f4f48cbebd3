import Anthropic from '@anthropic-ai/sdk';
import { Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createLogger } from '../../src/app.js';
import { createClientKey } from '../../src/auth/index.js';
import { parseConfig } from '../../src/config/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const PROVIDER_KEYS = ['sk-ant-rotation-key-AAAA-0001', 'sk-ant-rotation-key-BBBB-0002'];
const CUSTOM_KEY = 'custom-gateway-secret-XYZ-0003';

let simA: Simulator;
let simB: Simulator;
let logs = '';

async function startApp() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sy-prov-'));
  const config = parseConfig(
    {
      providers: {
        anthropic: { api_keys: PROVIDER_KEYS, base_url: simA.url + '/', headers: { 'x-team': 'platform' } },
        'my-gateway': { format: 'anthropic', base_url: simB.url, api_key: CUSTOM_KEY, models: ['house-model-1'] },
        'down-provider': { format: 'anthropic', base_url: 'http://127.0.0.1:9', api_key: 'down-key-0004', models: ['down-model'] },
      },
      aliases: { fast: 'my-gateway/house-model-1', 'claude-haiku-4-5': 'my-gateway/house-model-1' },
      telemetry: { log_level: 'trace', records: { flush_interval: 20 } },
    },
    'test',
    {},
  );
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs += chunk.toString();
      cb();
    },
  });
  const app = await createApp({ config, dataDir, logger: createLogger('trace', sink), env: {} });
  const url = await app.listen(0, '127.0.0.1');
  const { key, record } = await createClientKey(app.services.store, 'prov-test');
  app.services.keys.noteCreated(record);
  return { app, url, key, dataDir };
}

let ctx: Awaited<ReturnType<typeof startApp>>;
let client: Anthropic;

beforeAll(async () => {
  simA = await startSimulator({ port: 0, label: 'A' });
  simB = await startSimulator({ port: 0, label: 'B' });
  ctx = await startApp();
  client = new Anthropic({ baseURL: ctx.url, apiKey: ctx.key, maxRetries: 0 });
});
afterAll(async () => {
  await ctx.app.close(500);
  await simA.close();
  await simB.close();
});

const ask = (model: string) => client.messages.create({ model, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });

describe('provider registry', () => {
  it('rotates api_keys, sends configured headers, and strips a trailing slash from base_url', async () => {
    simA.reset();
    await ask('claude-sonnet-4-6');
    await ask('claude-sonnet-4-6');
    await ask('anthropic/claude-sonnet-4-6');
    expect(simA.requests.map((r) => r.headers['x-api-key'])).toEqual([PROVIDER_KEYS[0], PROVIDER_KEYS[1], PROVIDER_KEYS[0]]);
    expect(simA.requests.every((r) => r.headers['x-team'] === 'platform' && r.path === '/v1/messages')).toBe(true);
  });

  it('serves a custom anthropic-format endpoint by provider/model and by its listed bare id', async () => {
    simB.reset();
    const a = await ask('my-gateway/house-model-1');
    expect(a.model).toBe('my-gateway/house-model-1');
    const b = await ask('house-model-1');
    expect(b.model).toBe('my-gateway/house-model-1');
    expect(simB.requests).toHaveLength(2);
    expect(simB.requests[0].headers['x-api-key']).toBe(CUSTOM_KEY);
    expect(JSON.parse(simB.requests[0].body.toString()).model).toBe('house-model-1');
  });

  it('resolves aliases, including one that redirects a Claude Code model slot', async () => {
    simB.reset();
    expect((await ask('fast')).model).toBe('my-gateway/house-model-1');
    expect((await ask('claude-haiku-4-5')).model).toBe('my-gateway/house-model-1');
    expect(simB.requests).toHaveLength(2);
  });

  it('a provider that refuses connections gives 502 api_error naming the provider, with a record', async () => {
    const err = (await ask('down-provider/down-model').catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/could not connect to provider down-provider \(ECONNREFUSED\)/);
    await ctx.app.services.recorder.flush();
    const rec = await ctx.app.services.store.getRecord(err.headers!.get('x-request-id')!);
    expect(rec).toMatchObject({ status: 502, errorClass: 'connect_error', provider: null });
    expect(rec!.attempts[0]).toMatchObject({ provider: 'down-provider', status: null, success: false, errorClass: 'connect_error' });
  });

  it('GET /v1/models answers in Anthropic shape with anthropic-version and OpenAI shape without', async () => {
    const anthropic = (await (await fetch(`${ctx.url}/v1/models?limit=1000`, { headers: { 'x-api-key': ctx.key, 'anthropic-version': '2023-06-01' } })).json()) as { data: Array<{ type: string; id: string }>; has_more: boolean };
    expect(anthropic.data.every((m) => m.type === 'model')).toBe(true);
    const ids = anthropic.data.map((m) => m.id);
    expect(ids).toContain('claude-opus-4-8');
    expect(ids).toContain('my-gateway/house-model-1');
    expect(ids).toContain('fast');
    expect(anthropic.has_more).toBe(false);
    const openai = (await (await fetch(`${ctx.url}/v1/models`, { headers: { authorization: `Bearer ${ctx.key}` } })).json()) as { object: string; data: Array<{ object: string; id: string }> };
    expect(openai.object).toBe('list');
    expect(openai.data[0].object).toBe('model');
    const paged = (await (await fetch(`${ctx.url}/v1/models?limit=2`, { headers: { 'x-api-key': ctx.key, 'anthropic-version': '2023-06-01' } })).json()) as { data: unknown[]; has_more: boolean; last_id: string };
    expect(paged.data).toHaveLength(2);
    expect(paged.has_more).toBe(true);
  });

  it('never writes a provider key or a client key to the log or the records', async () => {
    await ask('claude-sonnet-4-6');
    await new Anthropic({ baseURL: ctx.url, apiKey: 'sk-sy-wrong-client-key-for-test-000000', maxRetries: 0 }).messages.create({ model: 'x', max_tokens: 1, messages: [] }).catch(() => undefined);
    await ctx.app.services.recorder.flush();
    expect(logs.length).toBeGreaterThan(0);
    const db = readFileSync(path.join(ctx.dataDir, 'switchyard.db'));
    const wal = (() => {
      try {
        return readFileSync(path.join(ctx.dataDir, 'switchyard.db-wal'));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    for (const secret of [...PROVIDER_KEYS, CUSTOM_KEY, 'down-key-0004', ctx.key, 'sk-sy-wrong-client-key-for-test-000000']) {
      expect(logs.includes(secret), `log contains ${secret.slice(0, 8)}…`).toBe(false);
      expect(db.includes(secret) || wal.includes(secret), `store contains ${secret.slice(0, 8)}…`).toBe(false);
    }
  });
});

describe('catalog and resolution', () => {
  it('GET /llm/v1alpha/models serves the catalog with prices and availability', async () => {
    const r = await fetch(`${ctx.url}/llm/v1alpha/models`, { headers: { authorization: `Bearer ${ctx.key}` } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { models: Array<Record<string, unknown>> };
    expect(body.models.length).toBeGreaterThanOrEqual(60);
    expect(body.models.some((m) => m.available === true)).toBe(true);
    expect(body.models.some((m) => m.available === false)).toBe(true);
  });

  it('a 404 for an unknown model suggests the closest configured names', async () => {
    const err = (await ask('sonnet-4-6').catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/Did you mean .*claude-sonnet-4-6/);
  });
});

describe('config additions to the catalog', () => {
  it('a custom provider model object with limits and prices appears in the catalog and is used', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sy-cat-'));
    const config = parseConfig(
      {
        providers: { 'house': { format: 'anthropic', base_url: simB.url, api_key: 'house-key-0001', models: [{ id: 'house-large', context: 64000, max_output: 4096, price: { input: 1.5, output: 6 } }] } },
        telemetry: { log_level: 'silent' },
      },
      'test',
      {},
    );
    const app = await createApp({ config, dataDir, env: {} });
    try {
      const entry = app.services.catalog.get('house', 'house-large');
      expect(entry).toMatchObject({ context: 64000, maxOutput: 4096, price: { input: 1.5, output: 6 } });
      const url = await app.listen(0, '127.0.0.1');
      const { key, record } = await createClientKey(app.services.store, 'cat');
      app.services.keys.noteCreated(record);
      const body = (await (await fetch(`${url}/llm/v1alpha/models`, { headers: { authorization: `Bearer ${key}` } })).json()) as { models: Array<Record<string, unknown>> };
      expect(JSON.stringify(body.models)).toContain('house-large');
    } finally {
      await app.close(200);
    }
  });
});
