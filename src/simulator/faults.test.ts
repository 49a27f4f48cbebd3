/** Every fault kind observably does what it says; `times`, `probability`, `match` and the log work. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type FaultRule, type Simulator } from './index.js';
import { AUTH_HEADERS, parseSse, rawRequest } from './test-support.js';

type Obj = Record<string, unknown>;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const BODY = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'one two three four five six seven eight nine ten' }] };
const LONG = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon';

function send(body: Obj = BODY, extra: { timeoutMs?: number; path?: string } = {}) {
  return rawRequest(`${sim.url}${extra.path ?? '/v1/messages'}`, { headers: AUTH_HEADERS, body: JSON.stringify(body), timeoutMs: extra.timeoutMs });
}
const stream = (extra: Obj = {}) => send({ ...BODY, ...extra, stream: true });

describe('status', () => {
  it('429 with retry-after and a rate_limit_error body whose request_id matches the header', async () => {
    sim.fault({ fault: { kind: 'status', status: 429, retryAfter: 7 } });
    const r = await send();
    expect(r.status).toBe(429);
    expect(r.headers?.['retry-after']).toBe('7');
    const body = JSON.parse(r.body) as Obj;
    expect(body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(body.request_id).toBe(r.headers?.['request-id']);
  });

  it('the standard status to error.type table', async () => {
    const table: Array<[number, string]> = [
      [400, 'invalid_request_error'],
      [401, 'authentication_error'],
      [403, 'permission_error'],
      [404, 'not_found_error'],
      [413, 'request_too_large'],
      [429, 'rate_limit_error'],
      [500, 'api_error'],
      [503, 'overloaded_error'],
      [529, 'overloaded_error'],
    ];
    for (const [status, type] of table) {
      sim.fault({ fault: { kind: 'status', status }, times: 1 });
      const r = await send();
      expect(r.status).toBe(status);
      expect((JSON.parse(r.body) as { error: { type: string } }).error.type).toBe(type);
      expect(r.headers?.['retry-after']).toBeUndefined();
    }
    sim.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
    expect(JSON.parse((await send()).body)).toMatchObject({ error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('custom errorType, message, body and an HTTP-date retry-after', async () => {
    sim.fault({ fault: { kind: 'status', status: 500, errorType: 'timeout_error', message: 'slow', retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT' }, times: 1 });
    const a = await send();
    expect(a.headers?.['retry-after']).toBe('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(JSON.parse(a.body)).toMatchObject({ error: { type: 'timeout_error', message: 'slow' } });
    sim.fault({ fault: { kind: 'status', status: 502, body: { custom: true } }, times: 1 });
    const b = await send();
    expect(b.status).toBe(502);
    expect(JSON.parse(b.body)).toEqual({ custom: true });
    sim.fault({ fault: { kind: 'status', status: 502, body: '<html>bad gateway</html>' }, times: 1 });
    expect((await send()).body).toBe('<html>bad gateway</html>');
  });
});

describe('latency and slow first token', () => {
  it('latency delays the response headers', async () => {
    sim.fault({ fault: { kind: 'latency', ms: 300 }, times: 1 });
    const slow = await send();
    expect(slow.status).toBe(200);
    expect(slow.headersAt!).toBeGreaterThanOrEqual(280);
    const fast = await send();
    expect(fast.headersAt!).toBeLessThan(200);
  });

  it('slow_first_token (stream): headers and message_start at once, first delta after the delay', async () => {
    sim.fault({ fault: { kind: 'slow_first_token', ms: 400 }, times: 1 });
    const r = await stream();
    expect(r.status).toBe(200);
    expect(r.headersAt!).toBeLessThan(200);
    const startChunk = r.chunks.find(([, c]) => c.includes('message_start'))!;
    const deltaChunk = r.chunks.find(([, c]) => c.includes('content_block_delta'))!;
    expect(startChunk[0]).toBeLessThan(200);
    expect(deltaChunk[0]).toBeGreaterThanOrEqual(380);
    const events = parseSse(r.body);
    expect(events[events.length - 1].event).toBe('message_stop');
  });

  it('slow_first_token (non-stream): headers at once, body after the delay', async () => {
    sim.fault({ fault: { kind: 'slow_first_token', ms: 300 }, times: 1 });
    const r = await send();
    expect(r.headersAt!).toBeLessThan(200);
    expect(r.chunks[0][0]).toBeGreaterThanOrEqual(280);
    expect((JSON.parse(r.body) as Obj).type).toBe('message');
  });

  it('latency combines with a terminal fault', async () => {
    sim.fault({ fault: { kind: 'latency', ms: 200 }, times: 1 });
    sim.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
    const r = await send();
    expect(r.status).toBe(529);
    expect(r.headersAt!).toBeGreaterThanOrEqual(180);
    expect(sim.requests[0].fault).toBe('latency+status');
  });
});

describe('broken streams', () => {
  it('cut: the socket dies after exactly N events', async () => {
    sim.script([{ content: [{ type: 'text', text: LONG }] }]);
    sim.fault({ fault: { kind: 'cut', afterEvents: 4 }, times: 1 });
    const r = await stream();
    expect(r.status).toBe(200);
    expect(r.ended).toBe(false);
    expect(r.error).toBeDefined();
    expect(r.error).not.toBe('timeout');
    const events = parseSse(r.body);
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta']);
    const ok = parseSse((await stream()).body);
    expect(ok[ok.length - 1].event).toBe('message_stop');
  });

  it('cut with fetch: reading the body rejects', async () => {
    sim.fault({ fault: { kind: 'cut', afterEvents: 2 }, times: 1 });
    const res = await fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: AUTH_HEADERS, body: JSON.stringify({ ...BODY, stream: true }) });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('cut (non-stream): the body stops half way', async () => {
    sim.fault({ fault: { kind: 'cut', afterEvents: 0 }, times: 1 });
    const r = await send();
    expect(r.status).toBe(200);
    expect(r.ended).toBe(false);
    expect(r.error).not.toBe('timeout');
    expect(r.body.length).toBeGreaterThan(0);
    expect(r.body.length).toBeLessThan(Number(r.headers?.['content-length']));
  });

  it('malformed: after N events an event with invalid JSON data, then the stream ends', async () => {
    sim.fault({ fault: { kind: 'malformed', afterEvents: 3 }, times: 1 });
    const r = await stream();
    expect(r.ended).toBe(true);
    const events = parseSse(r.body);
    expect(events).toHaveLength(4);
    for (const e of events.slice(0, 3)) expect(() => JSON.parse(e.data) as unknown).not.toThrow();
    expect(() => JSON.parse(events[3].data) as unknown).toThrow();
  });

  it('malformed (non-stream): a 200 whose body is not JSON', async () => {
    sim.fault({ fault: { kind: 'malformed', afterEvents: 0 }, times: 1 });
    const r = await send();
    expect(r.status).toBe(200);
    expect(r.ended).toBe(true);
    expect(() => JSON.parse(r.body) as unknown).toThrow();
  });

  it('stream_error: an error event (overloaded_error by default) after N events, no message_stop', async () => {
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 2 }, times: 1 });
    const r = await stream();
    expect(r.ended).toBe(true);
    const events = parseSse(r.body);
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'error']);
    expect(JSON.parse(events[2].data)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 1, errorType: 'api_error' }, times: 1 });
    const e2 = parseSse((await stream()).body);
    expect(JSON.parse(e2[1].data)).toMatchObject({ error: { type: 'api_error' } });
  });

  it('stream_error (non-stream): the matching error status', async () => {
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 2 }, times: 1 });
    const r = await send();
    expect(r.status).toBe(529);
    expect(JSON.parse(r.body)).toMatchObject({ error: { type: 'overloaded_error' } });
  });
});

describe('hang and reset', () => {
  it('hang: no answer until the client gives up; close() still returns promptly', async () => {
    const s = await startSimulator();
    s.fault({ fault: { kind: 'hang' } });
    const t0 = performance.now();
    const err = await fetch(`${s.url}/v1/messages`, {
      method: 'POST',
      headers: AUTH_HEADERS,
      body: JSON.stringify(BODY),
      signal: AbortSignal.timeout(300),
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    expect(s.requests[0].fault).toBe('hang');
    const pending = rawRequest(`${s.url}/v1/messages`, { headers: AUTH_HEADERS, body: JSON.stringify(BODY), timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    const c0 = performance.now();
    await s.close();
    expect(performance.now() - c0).toBeLessThan(1000);
    const r = await pending;
    expect(r.status).toBeUndefined();
    expect(r.error).not.toBe('timeout');
  });

  it('reset: the connection drops with no response', async () => {
    sim.fault({ fault: { kind: 'reset' }, times: 1 });
    const r = await send();
    expect(r.status).toBeUndefined();
    expect(r.error).toBeDefined();
    expect(r.error).not.toBe('timeout');
    await expect(fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: AUTH_HEADERS, body: JSON.stringify(BODY) }).then((x) => x.status)).resolves.toBe(200);
  });
});

describe('rule selection', () => {
  it('times: applies to the next N matching requests only', async () => {
    sim.fault({ fault: { kind: 'status', status: 529 }, times: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send()).status);
    expect(statuses).toEqual([529, 529, 200, 200]);
  });

  it('a faulted request does not use up the scripted turn', async () => {
    sim.script([{ content: [{ type: 'text', text: 'the scripted answer' }] }]);
    sim.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
    sim.fault({ fault: { kind: 'cut', afterEvents: 3 }, times: 1, match: { stream: true } });
    expect((await send()).status).toBe(529);
    expect((await stream()).ended).toBe(false);
    const r = JSON.parse((await send()).body) as { content: Array<{ text: string }> };
    expect(r.content[0].text).toBe('the scripted answer');
  });

  it('probability: seeded, roughly proportional, reproducible', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const s = await startSimulator({ seed });
      s.fault({ fault: { kind: 'status', status: 503 }, probability: 0.3 });
      const out: number[] = [];
      for (let i = 0; i < 120; i++) {
        const r = await fetch(`${s.url}/v1/messages`, { method: 'POST', headers: AUTH_HEADERS, body: JSON.stringify(BODY) });
        await r.arrayBuffer();
        out.push(r.status);
      }
      await s.close();
      return out;
    };
    const a = await run(5);
    const b = await run(5);
    expect(a).toEqual(b);
    const failed = a.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(15);
    expect(failed).toBeLessThan(60);
    sim.fault({ fault: { kind: 'status', status: 503 }, probability: 0 });
    for (let i = 0; i < 10; i++) expect((await send()).status).toBe(200);
  });

  it('match: model, path and stream filters', async () => {
    sim.fault({ fault: { kind: 'status', status: 529 }, match: { model: 'claude-opus-4-8' } });
    sim.fault({ fault: { kind: 'status', status: 404 }, match: { path: '/v1/messages/count_tokens' } });
    sim.fault({ fault: { kind: 'status', status: 500 }, match: { stream: true, model: 'claude-haiku-4-5' } });
    expect((await send()).status).toBe(200);
    expect((await send({ ...BODY, model: 'claude-opus-4-8' })).status).toBe(529);
    expect((await send({ model: 'x', messages: BODY.messages }, { path: '/v1/messages/count_tokens?beta=true' })).status).toBe(404);
    expect((await send({ ...BODY, model: 'claude-haiku-4-5' })).status).toBe(200);
    expect((await send({ ...BODY, model: 'claude-haiku-4-5', stream: true })).status).toBe(500);
  });

  it('clearFaults() drops all rules; invalid rules are refused', async () => {
    sim.fault({ fault: { kind: 'status', status: 529 } });
    sim.clearFaults();
    expect((await send()).status).toBe(200);
    expect(() => sim.fault({ fault: { kind: 'nope' } } as unknown as FaultRule)).toThrow(/unknown fault kind/);
    expect(() => sim.fault({ fault: { kind: 'latency', ms: -1 } })).toThrow();
    expect(() => sim.fault({ fault: { kind: 'status', status: 529 }, probability: 2 })).toThrow();
  });
});

describe('request log', () => {
  it('records method, path, query, headers, raw body, model, stream and the fault applied', async () => {
    sim.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
    await send(BODY, { path: '/v1/messages?beta=true' });
    await stream();
    const [a, b] = sim.requests;
    expect(a).toMatchObject({ seq: expect.any(Number), method: 'POST', path: '/v1/messages', query: 'beta=true', model: 'claude-sonnet-4-5', stream: false, fault: 'status' });
    expect(a.headers['x-api-key']).toBe('sk-test');
    expect(Buffer.isBuffer(a.body)).toBe(true);
    expect(JSON.parse(a.body.toString('utf8'))).toEqual(BODY);
    expect(b.stream).toBe(true);
    expect(b.fault).toBeUndefined();
    expect(b.seq).toBeGreaterThan(a.seq);
    expect(b.time).toBeGreaterThanOrEqual(a.time);
  });

  it('is bounded: only the newest entries are kept', async () => {
    const s = await startSimulator({ logLimit: 5 });
    for (let i = 0; i < 8; i++) {
      const r = await fetch(`${s.url}/v1/messages`, { method: 'POST', headers: AUTH_HEADERS, body: JSON.stringify(BODY) });
      await r.arrayBuffer();
    }
    expect(s.requests.map((r) => r.seq)).toEqual([4, 5, 6, 7, 8]);
    await s.close();
  });
});

describe('every', () => {
  it('applies a fault to every Nth matching request only', async () => {
    const { startSimulator } = await import('./index.js');
    const sim = await startSimulator({ port: 0 });
    try {
      sim.fault({ fault: { kind: 'status', status: 529 }, every: 2 });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }) });
        statuses.push(r.status);
        await r.arrayBuffer();
      }
      expect(statuses).toEqual([200, 529, 200, 529, 200, 529]);
    } finally {
      await sim.close();
    }
  });
});
