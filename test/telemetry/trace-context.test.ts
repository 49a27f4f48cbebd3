import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { RequestRecord } from '../../src/telemetry/record.js';
import { createTracing, traceIdFor, traceIdOf } from '../../src/telemetry/tracing/index.js';
import { ADMIN_KEY, get } from '../admin/support.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { minimalRecord } from '../helpers/records.js';

/**
 * W3C Trace Context on the way in (docs/observability.md, "Joining the caller's trace"): a valid `traceparent` makes
 * the request span a child of the caller's span, in the caller's trace, and is kept in the record; an unsampled one
 * exports nothing; an invalid one is ignored. Nothing of it goes upstream.
 */
const SERVER = 2;
const CLIENT = 3;

let receiver: OtlpReceiver;
let backup: Simulator;
let h: Harness;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  backup = await startSimulator({ port: 0, label: 'backup' });
  h = await startHarness({
    auth: { admin_key: ADMIN_KEY },
    providers: {
      backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-provider-key-0001', models: ['claude-sonnet-4-6'] },
      'backup-oai': { format: 'openai', base_url: `${backup.url}/v1`, api_key: 'backup-oai-provider-key-0001', models: ['gpt-4o'] },
    },
    failover: { breaker: { consecutiveFailures: 1_000_000, errorRate: 1 } },
    telemetry: { otlp: { endpoint: receiver.url, service_name: 'switchyard-test' } },
  });
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

/** A fresh caller context per test, so traces never mix. */
function callerContext(flags = '01'): { traceId: string; spanId: string; header: string } {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  const traceId = hex(31) + '1';
  const spanId = hex(15) + '2';
  return { traceId, spanId, header: `00-${traceId}-${spanId}-${flags}` };
}

async function post(path: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ id: string; status: number }> {
  const res = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': h.key, authorization: `Bearer ${h.key}`, ...headers },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return { id: res.headers.get('x-request-id')!, status: res.status };
}

const message = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
  post('/v1/messages', { model: 'anthropic/claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }], ...body }, headers);

/** The stored record (waits for the batch write). */
async function recordOf(id: string): Promise<RequestRecord> {
  for (let i = 0; i < 200; i++) {
    await h.flush();
    const rec = await h.app.services.store.getRecord(id);
    if (rec) return rec;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`record ${id} not stored`);
}

/** Every span exported for this request id, once everything queued has gone out. */
async function spansOf(id: string): Promise<{ server: ReceivedSpan | undefined; clients: ReceivedSpan[]; all: ReceivedSpan[] }> {
  await h.app.services.tracing!.flush();
  const all = receiver.spans.filter((s) => s.attributes['switchyard.request.id'] === id);
  return { server: all.find((s) => s.kind === SERVER), clients: all.filter((s) => s.kind === CLIENT), all };
}

describe('an incoming traceparent', () => {
  it('makes the request span a child of the caller span, in the caller trace, with its attempts under it', async () => {
    const caller = callerContext('01');
    h.sim.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
    const r = await message({ traceparent: caller.header, tracestate: 'vendor=abc' }, { models: ['backup/claude-sonnet-4-6'] });
    expect(r.status).toBe(200);
    const { server, clients, all } = await spansOf(r.id);
    expect(server).toBeDefined();
    expect(server!.traceId).toBe(caller.traceId);
    expect(server!.parentSpanId).toBe(caller.spanId);
    expect(server!.spanId).not.toBe(caller.spanId);
    expect(clients).toHaveLength(2);
    for (const c of clients) {
      expect(c.traceId).toBe(caller.traceId);
      expect(c.parentSpanId).toBe(server!.spanId);
    }
    expect(all).toHaveLength(3);
    // The record says which trace its spans went into.
    const record = await recordOf(r.id);
    expect(record.metadata).toMatchObject({ traceparent: caller.header, tracestate: 'vendor=abc' });
    expect(traceIdOf(record)).toBe(caller.traceId);
    expect(traceIdOf(record)).not.toBe(traceIdFor(r.id));
  });

  it('normalises a later version to 00 in the record', async () => {
    const caller = callerContext('01');
    const r = await message({ traceparent: `${caller.header.replace(/^00/, '7f')}-future-field` });
    const { server } = await spansOf(r.id);
    expect(server).toMatchObject({ traceId: caller.traceId, parentSpanId: caller.spanId });
    expect((await recordOf(r.id)).metadata?.traceparent).toBe(caller.header);
  });

  it('exports nothing when the caller did not sample, but the record keeps the context', async () => {
    const caller = callerContext('00');
    const r = await message({ traceparent: caller.header });
    expect(r.status).toBe(200);
    // A sampled request after it proves the export ran past this one.
    const after = await message({});
    const { all } = await spansOf(r.id);
    expect(all).toEqual([]);
    expect((await spansOf(after.id)).all.length).toBeGreaterThan(0);
    expect(receiver.spans.some((s) => s.traceId === caller.traceId)).toBe(false);
    const record = await recordOf(r.id);
    expect(record.metadata?.traceparent).toBe(caller.header);
    expect(traceIdOf(record)).toBe(caller.traceId);
  });

  const good = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', header: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
  it.each([
    ['version ff', `ff-${good.traceId}-${good.spanId}-01`],
    ['a fifth field on version 00', `${good.header}-x`],
    ['a short trace id', `00-${good.traceId.slice(2)}-${good.spanId}-01`],
    ['a long span id', `00-${good.traceId}-${good.spanId}00-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${good.spanId}-01`],
    ['an all-zero span id', `00-${good.traceId}-${'0'.repeat(16)}-01`],
    ['uppercase hex', good.header.toUpperCase()],
    ['non-hex', `00-${'z'.repeat(32)}-${good.spanId}-01`],
    ['garbage', 'not a traceparent'],
  ])('is ignored when malformed (%s): a root span in the trace derived from the request id', async (_what, header) => {
    const r = await message({ traceparent: header, tracestate: 'vendor=abc' });
    expect(r.status).toBe(200);
    const { server, clients } = await spansOf(r.id);
    expect(server).toBeDefined();
    expect(server!.traceId).toBe(traceIdFor(r.id));
    expect(server!.parentSpanId).toBeUndefined();
    expect(clients.every((c) => c.traceId === server!.traceId && c.parentSpanId === server!.spanId)).toBe(true);
    const record = await recordOf(r.id);
    expect(record.metadata).toBeNull();
    expect(traceIdOf(record)).toBe(traceIdFor(r.id));
  });

  it('cannot be forged through request metadata', async () => {
    const forged = callerContext('01');
    const r = await message({ 'x-switchyard-metadata': `traceparent=${forged.header}` }, { metadata: { traceparent: forged.header, user_id: 'u-1' } });
    const { server } = await spansOf(r.id);
    expect(server!.traceId).toBe(traceIdFor(r.id));
    expect(server!.parentSpanId).toBeUndefined();
    const record = await recordOf(r.id);
    expect(record.metadata?.traceparent).toBeUndefined();
  });
});

describe('the admin API', () => {
  it('shows the caller trace context in the record metadata, and finds the record by its trace id', async () => {
    const caller = callerContext('01');
    const r = await message({ traceparent: caller.header, tracestate: 'vendor=abc' });
    await recordOf(r.id);
    const detail = await get<{ id: string; metadata: Record<string, string> | null; trace_id: string }>(h, `/admin/v1/requests/${r.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.metadata).toEqual({ traceparent: caller.header, tracestate: 'vendor=abc' });
    expect(detail.body.trace_id).toBe(caller.traceId);
    expect(traceIdOf({ id: detail.body.id, metadata: detail.body.metadata })).toBe(caller.traceId);
    const found = await get<{ data: Array<{ id: string }> }>(h, `/admin/v1/requests?q=${caller.traceId}`);
    expect(found.status).toBe(200);
    expect(found.body.data.map((d) => d.id)).toEqual([r.id]);

    // Without a caller context there is nothing in the metadata, and the trace id is derived from the request id.
    const plain = await message({});
    await recordOf(plain.id);
    const plainDetail = await get<{ id: string; metadata: Record<string, string> | null; trace_id: string }>(h, `/admin/v1/requests/${plain.id}`);
    expect(plainDetail.body.metadata).toBeNull();
    expect((await spansOf(plain.id)).server!.traceId).toBe(plainDetail.body.trace_id);
  });
});

describe('upstream requests', () => {
  it('carry no traceparent or tracestate, on passthrough and translated paths alike', async () => {
    const caller = callerContext('01');
    const headers = { traceparent: caller.header, tracestate: 'vendor=abc' };
    const sent = [
      await message(headers),
      await message(headers, { model: 'backup-oai/gpt-4o' }),
      await post('/v1/chat/completions', { model: 'backup-oai/gpt-4o', messages: [{ role: 'user', content: 'hello' }] }, headers),
    ];
    expect(sent.map((s) => s.status)).toEqual([200, 200, 200]);
    const upstream = [...h.sim.requests, ...backup.requests];
    expect(upstream.map((u) => u.path).sort()).toEqual(['/v1/chat/completions', '/v1/chat/completions', '/v1/messages']);
    for (const u of upstream) {
      expect(u.headers.traceparent).toBeUndefined();
      expect(u.headers.tracestate).toBeUndefined();
      expect(JSON.stringify(u.headers)).not.toContain(caller.traceId);
      expect(JSON.stringify(u.headers)).not.toContain(caller.spanId);
      expect(u.body.toString('utf8')).not.toContain(caller.traceId);
    }
  });
});

describe('the exported span', () => {
  it('carries the caller tracestate', async () => {
    const raw = await startRawReceiver();
    try {
      const tracing = await createTracing({ endpoint: raw.url }, pino({ level: 'silent' }), {});
      const caller = callerContext('01');
      tracing!.exportRecord({ ...minimalRecord('req_state'), metadata: { traceparent: caller.header, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' } });
      tracing!.exportRecord(minimalRecord('req_nostate'));
      await tracing!.shutdown();
      const spans = raw.bodies.flatMap((b) => b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
      expect(spans).toHaveLength(2);
      const [withState, without] = spans;
      expect(withState).toMatchObject({ traceId: caller.traceId, parentSpanId: caller.spanId, traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' });
      expect(without.traceId).toBe(traceIdFor('req_nostate'));
      expect(without.traceState ?? '').toBe('');
      expect(without.parentSpanId ?? '').toBe('');
    } finally {
      await raw.close();
    }
  });
});

type RawSpan = { traceId: string; spanId: string; parentSpanId?: string; traceState?: string };

/** A bare OTLP/HTTP JSON receiver keeping whole bodies (the shared helper does not keep `traceState`). */
async function startRawReceiver(): Promise<{ url: string; bodies: Array<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: RawSpan[] }> }> }>; close(): Promise<void> }> {
  const bodies: Array<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: RawSpan[] }> }> }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof bodies)[number]);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
