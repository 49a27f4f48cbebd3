import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { RequestRecord } from '../../src/telemetry/record.js';
import { createTracing, traceIdFor } from '../../src/telemetry/tracing/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { minimalRecord } from '../helpers/records.js';

/**
 * OpenTelemetry traces end to end (SPEC section 7): the router exports one SERVER span per request and a CLIENT
 * child per upstream attempt over OTLP/HTTP to a receiver started here, with the GenAI attributes taken from the
 * request's record.
 */
const SERVER = 2;
const CLIENT = 3;
const STATUS_ERROR = 2;
const VENDOR_HEADER = 'otlp-vendor-secret-0001';

let receiver: OtlpReceiver;
let backup: Simulator;
let h: Harness;
const records = new Map<string, RequestRecord>();

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
  receiver = await startOtlpReceiver();
  backup = await startSimulator({ port: 0, label: 'backup' });
  h = await startHarness({
    providers: { backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-provider-key-0001', models: ['claude-sonnet-4-6'] } },
    routers: [ROUTER],
    failover: { breaker: { consecutiveFailures: 1_000_000, errorRate: 1 } },
    telemetry: { otlp: { endpoint: receiver.url, headers: { 'x-vendor-key': VENDOR_HEADER }, service_name: 'switchyard-test' } },
  });
  // Keep each finished record as the router made it, to compare the spans against.
  const recorder = h.app.services.recorder;
  const add = recorder.add.bind(recorder);
  recorder.add = (record: RequestRecord) => {
    records.set(record.id, record);
    add(record);
  };
});
afterAll(async () => {
  await h?.close();
  await backup?.close();
  await receiver?.close();
});
beforeEach(() => {
  h.sim.reset();
  backup.reset();
});

async function post(path: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ id: string; status: number; text: string }> {
  const res = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': h.key, authorization: `Bearer ${h.key}`, ...headers },
    body: JSON.stringify(body),
  });
  return { id: res.headers.get('x-request-id')!, status: res.status, text: await res.text() };
}

/** The request's record, and its spans once everything queued has been exported. */
async function traceOf(id: string): Promise<{ record: RequestRecord; server: ReceivedSpan; clients: ReceivedSpan[] }> {
  await h.app.services.tracing!.flush();
  const record = records.get(id);
  expect(record, `record ${id}`).toBeDefined();
  const mine = receiver.spans.filter((s) => s.attributes['switchyard.request.id'] === id);
  const servers = mine.filter((s) => s.kind === SERVER);
  expect(servers).toHaveLength(1);
  const clients = mine.filter((s) => s.kind === CLIENT).sort((a, b) => Number(a.attributes['switchyard.attempt.index']) - Number(b.attributes['switchyard.attempt.index']));
  expect(mine).toHaveLength(1 + clients.length);
  return { record: record!, server: servers[0], clients };
}

const ms = (ns: bigint) => Number(ns) / 1e6;

/** Parent/child links and times: the request span is a root, attempts are its children and lie within it. */
function expectShape(record: RequestRecord, server: ReceivedSpan, clients: ReceivedSpan[]): void {
  expect(server.traceId).toBe(traceIdFor(record.id));
  expect(server.parentSpanId).toBeUndefined();
  expect(ms(server.startNs)).toBeCloseTo(record.time, 3);
  expect(ms(server.endNs - server.startNs)).toBeCloseTo(record.durationMs, 3);
  expect(clients).toHaveLength(record.attempts.length);
  for (const [i, c] of clients.entries()) {
    expect(c.traceId).toBe(server.traceId);
    expect(c.parentSpanId).toBe(server.spanId);
    expect(c.startNs).toBeGreaterThanOrEqual(server.startNs);
    expect(c.endNs).toBeLessThanOrEqual(server.endNs);
    expect(c.endNs).toBeGreaterThanOrEqual(c.startNs);
    expect(ms(c.startNs)).toBeCloseTo(Math.min(record.time + record.attempts[i].startMs!, record.time + record.durationMs), 3);
  }
  expect(server.resource['service.name']).toBe('switchyard-test');
}

function expectUsage(attrs: Record<string, unknown>, record: RequestRecord): void {
  const u = record.usage!;
  expect(u.output).toBeGreaterThan(0);
  expect(attrs['gen_ai.usage.input_tokens']).toBe(u.input + u.cacheRead + u.cacheWrite);
  expect(attrs['gen_ai.usage.output_tokens']).toBe(u.output);
  expect(attrs['gen_ai.usage.cache_read.input_tokens']).toBe(u.cacheRead);
  expect(attrs['gen_ai.usage.cache_creation.input_tokens']).toBe(u.cacheWrite);
  expect(attrs['switchyard.usage.input_uncached_tokens']).toBe(u.input);
}

describe('OTLP traces', () => {
  it('exports a non-streaming Anthropic request as a SERVER span with one CLIENT attempt', async () => {
    const r = await post('/v1/messages', { model: 'anthropic/claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] });
    expect(r.status).toBe(200);
    const { record, server, clients } = await traceOf(r.id);
    expectShape(record, server, clients);

    expect(server.name).toBe('chat anthropic/claude-sonnet-4-6');
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'anthropic/claude-sonnet-4-6',
      'gen_ai.response.model': record.model,
      'gen_ai.request.stream': false,
      'gen_ai.response.finish_reasons': ['end_turn'],
      'http.response.status_code': 200,
      'switchyard.api': 'anthropic',
      'switchyard.endpoint': 'messages',
      'switchyard.key.name': 'test-key',
      'switchyard.key.id': record.keyId,
      'switchyard.attempts': 1,
      'switchyard.overhead_ms': record.overheadMs,
      'switchyard.ttft_ms': record.ttftMs,
    });
    // The request span speaks the router's model names, the attempt spans the provider's.
    expect(record.model).toBe('anthropic/claude-sonnet-4-6');
    expect(server.attributes['switchyard.cost_usd']).toBe(record.costUsd ?? undefined);
    expect(server.attributes['error.type']).toBeUndefined();
    expect(server.status.code ?? 0).not.toBe(STATUS_ERROR);
    expectUsage(server.attributes, record);

    const [attempt] = clients;
    expect(attempt.name).toBe('chat claude-sonnet-4-6');
    expect(attempt.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-6',
      'gen_ai.response.model': 'claude-sonnet-4-6',
      'http.response.status_code': 200,
      'switchyard.provider.key_id': 'key0',
      'switchyard.attempt.index': 0,
    });
    expect(attempt.attributes['error.type']).toBeUndefined();
    // Time to first chunk is a streaming figure in the convention.
    expect(attempt.attributes['gen_ai.response.time_to_first_chunk']).toBeUndefined();
  });

  it('exports a streaming OpenAI chat request with its time to first chunk', async () => {
    const r = await post('/v1/chat/completions', { model: 'anthropic/claude-sonnet-4-6', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hello' }] });
    expect(r.status).toBe(200);
    expect(r.text).toContain('data: [DONE]');
    const { record, server, clients } = await traceOf(r.id);
    expectShape(record, server, clients);

    expect(record.stream).toBe(true);
    expect(server.name).toBe('chat anthropic/claude-sonnet-4-6');
    expect(server.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.stream': true,
      'switchyard.api': 'openai',
      'switchyard.endpoint': 'chat_completions',
      'http.response.status_code': 200,
      'gen_ai.response.finish_reasons': [record.stopReason],
    });
    expect(record.stopReason).toBeTruthy();
    expectUsage(server.attributes, record);
    expect(clients).toHaveLength(1);
    expect(record.attempts[0].ttftMs).not.toBeNull();
    expect(clients[0].attributes['gen_ai.response.time_to_first_chunk']).toBeCloseTo(record.attempts[0].ttftMs! / 1000, 6);
    expect(clients[0].attributes['switchyard.ttft_ms']).toBe(record.attempts[0].ttftMs);
  });

  it('exports a failed-over request as two attempts, the failed one with its error.type', async () => {
    h.sim.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
    const r = await post('/v1/messages', { model: 'anthropic/claude-sonnet-4-6', models: ['backup/claude-sonnet-4-6'], max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] });
    expect(r.status).toBe(200);
    const { record, server, clients } = await traceOf(r.id);
    expectShape(record, server, clients);

    expect(record.attempts.map((a) => [a.provider, a.status, a.success])).toEqual([
      ['anthropic', 529, false],
      ['backup', 200, true],
    ]);
    expect(server.attributes).toMatchObject({ 'gen_ai.provider.name': 'backup', 'switchyard.provider': 'backup', 'switchyard.attempts': 2, 'http.response.status_code': 200 });
    expect(server.attributes['error.type']).toBeUndefined();

    const [failed, answered] = clients;
    expect(record.attempts[0].errorClass).toBeTruthy();
    expect(failed.attributes).toMatchObject({ 'gen_ai.provider.name': 'anthropic', 'http.response.status_code': 529, 'error.type': record.attempts[0].errorClass });
    expect(failed.attributes['gen_ai.response.model']).toBeUndefined();
    expect(failed.status.code).toBe(STATUS_ERROR);
    expect(answered.attributes).toMatchObject({ 'gen_ai.provider.name': 'backup', 'gen_ai.response.model': 'claude-sonnet-4-6', 'http.response.status_code': 200 });
    expect(answered.attributes['error.type']).toBeUndefined();
    expect(answered.status.code ?? 0).not.toBe(STATUS_ERROR);
    // The answering attempt starts after the failed one began (sequential failover).
    expect(answered.startNs).toBeGreaterThanOrEqual(failed.startNs);
  });

  it('marks a failed request with error.type and an ERROR status', async () => {
    const r = await post('/v1/messages', { model: 'nowhere/no-such-model', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] });
    expect(r.status).toBeGreaterThanOrEqual(400);
    const { record, server, clients } = await traceOf(r.id);
    expectShape(record, server, clients);
    expect(record.errorClass).toBeTruthy();
    expect(server.attributes).toMatchObject({ 'error.type': record.errorClass, 'http.response.status_code': r.status, 'gen_ai.request.model': 'nowhere/no-such-model' });
    expect(server.status.code).toBe(STATUS_ERROR);
  });

  it('carries the router, route and variant of a routed request', async () => {
    const r = await post('/v1/messages', { model: 'router/tiers', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] }, { 'x-switchyard-metadata': 'tier=pro' });
    expect(r.status).toBe(200);
    const { server } = await traceOf(r.id);
    expect(server.attributes).toMatchObject({ 'switchyard.routing.kind': 'router', 'switchyard.router': 'tiers', 'switchyard.route': 'pro', 'switchyard.variant': 'sonnet', 'gen_ai.request.model': 'router/tiers' });
  });

  it('posts JSON to <endpoint>/v1/traces with the configured headers', () => {
    expect(receiver.exports.length).toBeGreaterThan(0);
    for (const e of receiver.exports) {
      expect(e.path).toBe('/v1/traces');
      expect(e.contentType).toMatch(/^application\/json/);
      expect(e.headers['x-vendor-key']).toBe(VENDOR_HEADER);
    }
  });
});

describe('tracing off', () => {
  it('creates nothing without an endpoint in config or environment', async () => {
    const log = pino({ level: 'silent' });
    expect(await createTracing(undefined, log, {})).toBeNull();
    expect(await createTracing({ endpoint: '' }, log, {})).toBeNull();
    expect(await createTracing({ headers: { 'x-vendor-key': 'k' }, service_name: 'x' }, log, {})).toBeNull();
    // The harness's router has no endpoint and an empty environment.
    const plain = await startHarness();
    try {
      expect(plain.app.services.tracing).toBeNull();
    } finally {
      await plain.close();
    }
  });

  it('uses OTEL_EXPORTER_OTLP_ENDPOINT when the config has none', async () => {
    const r = await startOtlpReceiver();
    try {
      const tracing = await createTracing({}, pino({ level: 'silent' }), { OTEL_EXPORTER_OTLP_ENDPOINT: r.url });
      expect(tracing).not.toBeNull();
      tracing!.exportRecord(minimalRecord('req_env'));
      await tracing!.shutdown();
      expect(r.exports.map((e) => e.path)).toEqual(['/v1/traces']);
      expect(r.spans.map((s) => [s.name, s.kind, s.resource['service.name']])).toEqual([['count_tokens', SERVER, 'switchyard']]);
    } finally {
      await r.close();
    }
  });
});

describe('export failures', () => {
  it('are logged once, without the configured headers', async () => {
    const r = await startOtlpReceiver();
    r.failWith = 400;
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    try {
      const tracing = await createTracing({ endpoint: r.url, headers: { authorization: `Bearer ${VENDOR_HEADER}` } }, pino({ level: 'info' }, sink), {});
      tracing!.exportRecord(minimalRecord('req_fail1'));
      await tracing!.flush();
      tracing!.exportRecord(minimalRecord('req_fail2'));
      await tracing!.shutdown();
      expect(r.exports).toHaveLength(2);
      const log = lines.join('');
      expect(log.match(/exporting trace spans failed/g)).toHaveLength(1);
      expect(log).toContain('exporting traces over OTLP/HTTP');
      expect(log).not.toContain(VENDOR_HEADER);
    } finally {
      await r.close();
    }
  });
});
