import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { RequestRecord } from '../../src/telemetry/record.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * What a finished request leaves in the store (SPEC section 7): key id, the routing decision, every attempt with its
 * key id and start offset, the latency breakdown, metadata, cost — and, only when configured, redacted bodies.
 */
let backup: Simulator;
let h: Harness;
let withBodies: Harness;

const ROUTER = {
  name: 'routers/tiers',
  routes: [
    {
      route: { route_id: 'pro', variants: [{ variant: { variant_id: 'sonnet', model_id: 'anthropic/claude-sonnet-4-6' }, weight: 100 }] },
      condition: { cel_expression: 'tier == "pro"' },
    },
  ],
  defaultRoute: { route_id: 'default', variants: [{ variant: { variant_id: 'haiku', model_id: 'anthropic/claude-haiku-4-5' }, weight: 100 }] },
};

beforeAll(async () => {
  backup = await startSimulator({ port: 0, label: 'backup' });
  h = await startHarness({
    providers: { backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-provider-key-0001', models: ['claude-sonnet-4-6'] } },
    routers: [ROUTER],
    failover: { breaker: { consecutiveFailures: 1_000_000, errorRate: 1 } },
  });
  withBodies = await startHarness({ telemetry: { records: { flush_interval: 50, bodies: true } } });
});
afterAll(async () => {
  await h?.close();
  await withBodies?.close();
  await backup?.close();
});
beforeEach(() => {
  h.sim.reset();
  backup.reset();
});

async function send(harness: Harness, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ id: string; status: number; text: string }> {
  const res = await fetch(`${harness.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': harness.key, ...headers },
    body: JSON.stringify({ max_tokens: 64, messages: [{ role: 'user', content: 'hello there' }], ...body }),
  });
  return { id: res.headers.get('x-request-id')!, status: res.status, text: await res.text() };
}

async function recordOf(harness: Harness, id: string): Promise<RequestRecord> {
  await harness.flush();
  const rec = await harness.app.services.store.getRecord(id);
  expect(rec, `record ${id}`).not.toBeNull();
  return rec!;
}

describe('record fields', () => {
  it('a passthrough stream: key id, chain, attempt key and offset, latency breakdown that adds up, cost', async () => {
    const r = await send(h, { model: 'anthropic/claude-sonnet-4-6', stream: true });
    expect(r.status).toBe(200);
    const rec = await recordOf(h, r.id);
    const key = (await h.app.services.store.listKeys()).find((k) => k.name === 'test-key')!;
    expect(rec.keyId).toBe(key.id);
    expect(rec.routing).toMatchObject({ kind: 'model', router: null, candidates: [{ provider: 'anthropic', model: 'claude-sonnet-4-6' }] });
    expect(rec.attempts).toHaveLength(1);
    const [a] = rec.attempts;
    expect(a).toMatchObject({ provider: 'anthropic', success: true, keyId: 'key0' });
    expect(a.startMs).toBeGreaterThanOrEqual(0);
    expect(a.usage?.output).toBeGreaterThan(0);
    expect(rec.overheadMs).not.toBeNull();
    expect(rec.ttftMs).toBe(a.ttftMs);
    expect(rec.generationMs).not.toBeNull();
    // start offset + upstream TTFT + generation is the whole request (rounding aside).
    expect(Math.abs(a.startMs! + a.ttftMs! + rec.generationMs! - rec.durationMs)).toBeLessThan(0.05);
    expect(rec.costUsd).toBeGreaterThan(0);
    expect(a.costUsd).toBe(rec.costUsd);
    expect(rec.bodies).toBeNull();
  });

  it('a failover: both attempts, the second starting after the first ended, only the answer billed', async () => {
    h.sim.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
    const r = await send(h, { model: 'claude-sonnet-4-6', provider: { order: ['anthropic', 'backup'] } });
    expect(r.status).toBe(200);
    const rec = await recordOf(h, r.id);
    expect(rec.attempts.map((a) => [a.provider, a.success, a.status])).toEqual([
      ['anthropic', false, 529],
      ['backup', true, 200],
    ]);
    const [first, second] = rec.attempts;
    expect(second.startMs!).toBeGreaterThanOrEqual(first.startMs! + first.durationMs - 0.05);
    expect(first.usage ?? null).toBeNull();
    expect(first.costUsd ?? null).toBeNull();
    expect(second.keyId).toBe('key0');
    expect(rec.routing?.candidates.map((c) => c.provider)).toEqual(['anthropic', 'backup']);
  });

  it('a router: the matched CEL expression, route and variant; metadata from header and body', async () => {
    const r = await send(h, { model: 'router/tiers', metadata: { user_id: 'u-42' } }, { 'x-switchyard-metadata': 'tier=pro; team=infra' });
    expect(r.status).toBe(200);
    const rec = await recordOf(h, r.id);
    expect(rec.routing).toMatchObject({ kind: 'router', router: 'tiers', routeId: 'pro', variantId: 'sonnet', matchedExpression: 'tier == "pro"' });
    expect(rec.routing?.reasoning).toContain('tier == "pro"');
    expect(rec.metadata).toEqual({ tier: 'pro', team: 'infra', user_id: 'u-42' });

    const d = await send(h, { model: 'router/tiers' });
    const def = await recordOf(h, d.id);
    expect(def.routing).toMatchObject({ kind: 'router', routeId: 'default', variantId: 'haiku', matchedExpression: null });
    expect(def.metadata).toBeNull();
  });

  it('auto: the ranking and the candidates passed over, with reasons', async () => {
    const r = await send(h, { model: 'auto' });
    expect(r.status).toBe(200);
    const rec = await recordOf(h, r.id);
    expect(rec.routing?.kind).toBe('auto');
    expect(rec.routing?.auto?.ranked.length).toBeGreaterThan(0);
    expect(rec.routing?.auto?.ranked[0]).toMatchObject({ rank: 1 });
    expect(rec.routing?.auto?.sort.length).toBeGreaterThan(0);
    expect(rec.attempts[0].model).toBe(rec.routing?.candidates[0].model);
  });
});

describe('record bodies (telemetry.records.bodies: true)', () => {
  it('stores request and response with the client key and provider key redacted', async () => {
    const r = await send(withBodies, { model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: `my key is ${withBodies.key} and sk-ant-test-provider-key-0001` }] });
    expect(r.status).toBe(200);
    const rec = await recordOf(withBodies, r.id);
    expect(rec.bodies?.request).toContain('my key is [redacted]');
    expect(rec.bodies?.request).not.toContain(withBodies.key);
    expect(rec.bodies?.request).not.toContain('sk-ant-test-provider-key-0001');
    // The simulator echoes the prompt, so the response carries both keys too: stored redacted, otherwise as sent.
    expect(r.text).toContain(withBodies.key);
    expect(rec.bodies?.response).toBe(r.text.replace(withBodies.key, '[redacted]').replace('sk-ant-test-provider-key-0001', '[redacted]'));
  });

  it('keeps the body of a rejected request too', async () => {
    const res = await fetch(`${withBodies.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': withBodies.key },
      body: '{"model": "claude-sonnet-4-6", "messages": [',
    });
    expect(res.status).toBe(400);
    const rec = await recordOf(withBodies, res.headers.get('x-request-id')!);
    expect(rec.bodies?.request).toBe('{"model": "claude-sonnet-4-6", "messages": [');
    expect(JSON.parse(rec.bodies!.response!).type).toBe('error');
  });
});

describe('telemetry.records.enabled: false', () => {
  it('keeps no records while still answering', async () => {
    const off = await startHarness({ telemetry: { records: { flush_interval: 50, enabled: false } } });
    try {
      const r = await send(off, { model: 'claude-sonnet-4-6' });
      expect(r.status).toBe(200);
      await off.flush();
      expect(await off.app.services.store.getRecord(r.id)).toBeNull();
      expect(await off.app.services.store.listRecords({ limit: 10 })).toEqual([]);
    } finally {
      await off.close();
    }
  });

  it('a config reload switches records on and off; /metrics says which and counts what was written', async () => {
    const h = await startHarness({ telemetry: { records: { flush_interval: 50, enabled: false } } });
    const metric = async (name: string) => {
      const text = await (await fetch(`${h.url}/metrics`)).text();
      return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    };
    const reload = async (enabled: boolean) => {
      const next = parseConfig({ ...h.app.services.config, telemetry: { ...h.app.services.config.telemetry, records: { ...h.app.services.config.telemetry.records, enabled } } }, 'test', {});
      return (await h.app.reloadConfig(next)).notApplied;
    };
    try {
      expect(await metric('switchyard_records_enabled')).toBe(0);
      const before = await send(h, { model: 'claude-sonnet-4-6' });
      expect(await reload(true)).toEqual([]);
      expect(await metric('switchyard_records_enabled')).toBe(1);
      const during = await send(h, { model: 'claude-sonnet-4-6' });
      await h.flush();
      expect(await reload(false)).toEqual([]);
      const after = await send(h, { model: 'claude-sonnet-4-6' });
      await h.flush();
      expect([before, during, after].map((r) => r.status)).toEqual([200, 200, 200]);
      expect(await h.app.services.store.getRecord(before.id)).toBeNull();
      expect((await h.app.services.store.getRecord(during.id))?.status).toBe(200);
      expect(await h.app.services.store.getRecord(after.id)).toBeNull();
      expect(await metric('switchyard_records_written_total')).toBe(1);
      expect(await metric('switchyard_records_enabled')).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('a reload that changes other telemetry settings still names telemetry as not applied', async () => {
    const h = await startHarness();
    try {
      const cfg = h.app.services.config;
      const next = parseConfig({ ...cfg, telemetry: { ...cfg.telemetry, records: { ...cfg.telemetry.records, enabled: false, retention: 1000 } } }, 'test', {});
      expect(await h.app.reloadConfig(next)).toEqual({ notApplied: ['telemetry'] });
      expect(h.app.services.recorder.enabled).toBe(false);
    } finally {
      await h.close();
    }
  });
});
