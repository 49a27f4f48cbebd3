/** Every fault kind works on the OpenAI and Gemini protocols too, in each protocol's own shapes. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './index.js';
import { GEMINI_HEADERS, OPENAI_HEADERS, parseSse, rawRequest } from './test-support.js';

type Obj = Record<string, unknown>;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 31 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const LONG = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon';

interface Protocol {
  name: 'openai' | 'gemini';
  send(opts?: { stream?: boolean; model?: string; timeoutMs?: number }): ReturnType<typeof rawRequest>;
  /** The JSON payloads of a stream body (without OpenAI's [DONE]). */
  events(body: string): string[];
}

const openai: Protocol = {
  name: 'openai',
  send: ({ stream = false, model = 'gpt-4o', timeoutMs } = {}) =>
    rawRequest(`${sim.url}/v1/chat/completions`, {
      headers: OPENAI_HEADERS,
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'one two three four five six seven eight' }], stream }),
      timeoutMs,
    }),
  events: (body) => parseSse(body).map((e) => e.data).filter((d) => d !== '[DONE]'),
};

const gemini: Protocol = {
  name: 'gemini',
  send: ({ stream = false, model = 'gemini-2.5-flash', timeoutMs } = {}) =>
    rawRequest(`${sim.url}/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`, {
      headers: GEMINI_HEADERS,
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'one two three four five six seven eight' }] }] }),
      timeoutMs,
    }),
  events: (body) => parseSse(body).map((e) => e.data),
};

describe.each([openai, gemini])('$name faults', (p) => {
  it('latency delays the headers; slow_first_token delays the first content, not the headers', async () => {
    sim.fault({ fault: { kind: 'latency', ms: 250 }, times: 1 });
    const slow = await p.send();
    expect(slow.status).toBe(200);
    expect(slow.headersAt!).toBeGreaterThanOrEqual(230);
    sim.script([{ content: [{ type: 'text', text: LONG }] }]);
    sim.fault({ fault: { kind: 'slow_first_token', ms: 350 }, times: 1 });
    const s = await p.send({ stream: true });
    expect(s.status).toBe(200);
    expect(s.headersAt!).toBeLessThan(200);
    const firstText = s.chunks.find(([, c]) => c.includes('alpha'))!;
    expect(firstText[0]).toBeGreaterThanOrEqual(330);
    if (p.name === 'openai') {
      // the role chunk goes out at once, like message_start on Anthropic
      expect(s.chunks[0][1]).toContain('"role":"assistant"');
      expect(s.chunks[0][0]).toBeLessThan(200);
    }
    expect(p.events(s.body).join('')).toContain('upsilon');
    sim.fault({ fault: { kind: 'slow_first_token', ms: 250 }, times: 1 });
    const n = await p.send();
    expect(n.headersAt!).toBeLessThan(200);
    expect(n.chunks[0][0]).toBeGreaterThanOrEqual(230);
    expect(() => JSON.parse(n.body) as unknown).not.toThrow();
  });

  it('cut: the socket dies after exactly N events (stream) or half way through the body', async () => {
    sim.script([{ content: [{ type: 'text', text: LONG }] }]);
    sim.fault({ fault: { kind: 'cut', afterEvents: 3 }, times: 1 });
    const s = await p.send({ stream: true });
    expect(s.status).toBe(200);
    expect(s.ended).toBe(false);
    expect(s.error).toBeDefined();
    expect(s.error).not.toBe('timeout');
    expect(p.events(s.body)).toHaveLength(3);
    sim.fault({ fault: { kind: 'cut', afterEvents: 0 }, times: 1 });
    const j = await p.send();
    expect(j.ended).toBe(false);
    expect(j.body.length).toBeLessThan(Number(j.headers?.['content-length']));
  });

  it('malformed: after N events one whose data is not JSON, then the end', async () => {
    sim.script([{ content: [{ type: 'text', text: LONG }] }]);
    sim.fault({ fault: { kind: 'malformed', afterEvents: 2 }, times: 1 });
    const s = await p.send({ stream: true });
    expect(s.ended).toBe(true);
    const events = p.events(s.body);
    expect(events).toHaveLength(3);
    for (const e of events.slice(0, 2)) expect(() => JSON.parse(e) as unknown).not.toThrow();
    expect(() => JSON.parse(events[2]) as unknown).toThrow();
    expect(s.body).not.toContain('[DONE]');
    sim.fault({ fault: { kind: 'malformed', afterEvents: 0 }, times: 1 });
    const j = await p.send();
    expect(j.status).toBe(200);
    expect(() => JSON.parse(j.body) as unknown).toThrow();
  });

  it('hang: no answer until the client gives up; reset: the connection drops', async () => {
    sim.fault({ fault: { kind: 'hang' }, times: 1 });
    const h = await p.send({ timeoutMs: 300 });
    expect(h.status).toBeUndefined();
    expect(h.error).toBe('timeout');
    sim.fault({ fault: { kind: 'reset' }, times: 1 });
    const r = await p.send();
    expect(r.status).toBeUndefined();
    expect(r.error).toBeDefined();
    expect(r.error).not.toBe('timeout');
    expect((await p.send()).status).toBe(200);
    expect(sim.requests.map((x) => [x.protocol, x.fault])).toEqual([
      [p.name, 'hang'],
      [p.name, 'reset'],
      [p.name, undefined],
    ]);
  });

  it('a faulted request does not use up the scripted turn; match by model and stream', async () => {
    sim.script([{ content: [{ type: 'text', text: 'the scripted answer' }] }]);
    sim.fault({ fault: { kind: 'status', status: 500 }, times: 1 });
    sim.fault({ fault: { kind: 'cut', afterEvents: 1 }, times: 1, match: { stream: true } });
    expect((await p.send()).status).toBe(500);
    expect((await p.send({ stream: true })).ended).toBe(false);
    expect((await p.send()).body).toContain('the scripted answer');
    const model = p.name === 'openai' ? 'gpt-4.1' : 'gemini-2.0-flash';
    sim.fault({ fault: { kind: 'status', status: 503 }, match: { model } });
    expect((await p.send()).status).toBe(200);
    expect((await p.send({ model })).status).toBe(503);
  });
});

describe('OpenAI error shapes', () => {
  const errorOf = (body: string): Obj => (JSON.parse(body) as { error: Obj }).error;

  it('status: 429 requests/rate_limit_exceeded with retry-after; the status table; Anthropic names translated', async () => {
    sim.fault({ fault: { kind: 'status', status: 429, retryAfter: 7 }, times: 1 });
    const r = await openai.send();
    expect(r.status).toBe(429);
    expect(r.headers?.['retry-after']).toBe('7');
    expect(r.headers?.['x-request-id']).toMatch(/^req_/);
    expect(errorOf(r.body)).toMatchObject({ type: 'requests', param: null, code: 'rate_limit_exceeded' });
    const table: Array<[number, string, string | null]> = [
      [400, 'invalid_request_error', null],
      [401, 'invalid_request_error', 'invalid_api_key'],
      [404, 'invalid_request_error', 'model_not_found'],
      [500, 'server_error', null],
      [503, 'server_error', null],
    ];
    for (const [status, type, code] of table) {
      sim.fault({ fault: { kind: 'status', status }, times: 1 });
      const x = await openai.send();
      expect(x.status).toBe(status);
      expect(errorOf(x.body)).toMatchObject({ type, code });
    }
    sim.fault({ fault: { kind: 'status', status: 529, errorType: 'overloaded_error', message: 'busy' }, times: 1 });
    expect(errorOf((await openai.send()).body)).toEqual({ message: 'busy', type: 'server_error', param: null, code: null });
    sim.fault({ fault: { kind: 'status', status: 429, errorType: 'insufficient_quota' }, times: 1 });
    expect(errorOf((await openai.send()).body)).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    sim.fault({ fault: { kind: 'status', status: 502, body: '<html>bad gateway</html>' }, times: 1 });
    expect((await openai.send()).body).toBe('<html>bad gateway</html>');
  });

  it('stream_error: a data: {"error":...} event after N events and no [DONE]; non-stream: 500', async () => {
    sim.script([{ content: [{ type: 'text', text: LONG }] }]);
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 2 }, times: 1 });
    const s = await openai.send({ stream: true });
    expect(s.ended).toBe(true);
    const events = openai.events(s.body);
    expect(events).toHaveLength(3);
    expect(JSON.parse(events[2])).toEqual({
      error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null },
    });
    expect(s.body).not.toContain('[DONE]');
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 1, errorType: 'rate_limit_error' }, times: 1 });
    expect(JSON.parse(openai.events((await openai.send({ stream: true })).body)[1])).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 2 }, times: 1 });
    const j = await openai.send();
    expect(j.status).toBe(500);
    expect(errorOf(j.body).type).toBe('server_error');
  });
});

describe('Gemini error shapes', () => {
  const errorOf = (body: string): Obj => (JSON.parse(body) as { error: Obj }).error;

  it('status: 429 RESOURCE_EXHAUSTED carries retryAfter as RetryInfo (no Retry-After header); the status table', async () => {
    sim.fault({ fault: { kind: 'status', status: 429, retryAfter: 7 }, times: 1 });
    const r = await gemini.send();
    expect(r.status).toBe(429);
    expect(r.headers?.['retry-after']).toBeUndefined();
    const e = errorOf(r.body);
    expect(e).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(e.details).toEqual([
      expect.objectContaining({ '@type': 'type.googleapis.com/google.rpc.QuotaFailure' }),
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' },
    ]);
    sim.fault({ fault: { kind: 'status', status: 429 }, times: 1 });
    expect((errorOf((await gemini.send()).body).details as Obj[]).some((d) => String(d['@type']).endsWith('RetryInfo'))).toBe(false);
    const table: Array<[number, string]> = [
      [400, 'INVALID_ARGUMENT'],
      [403, 'PERMISSION_DENIED'],
      [404, 'NOT_FOUND'],
      [500, 'INTERNAL'],
      [503, 'UNAVAILABLE'],
      [504, 'DEADLINE_EXCEEDED'],
    ];
    for (const [status, name] of table) {
      sim.fault({ fault: { kind: 'status', status }, times: 1 });
      const x = await gemini.send();
      expect(x.status).toBe(status);
      expect(errorOf(x.body)).toMatchObject({ code: status, status: name });
    }
    sim.fault({ fault: { kind: 'status', status: 400, errorType: 'API_KEY_INVALID' }, times: 1 });
    const key = errorOf((await gemini.send()).body);
    expect(key).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', message: 'API key not valid. Please pass a valid API key.' });
    expect((key.details as Obj[])[0]).toMatchObject({ reason: 'API_KEY_INVALID' });
    sim.fault({ fault: { kind: 'status', status: 529, errorType: 'overloaded_error' }, times: 1 });
    expect(errorOf((await gemini.send()).body)).toMatchObject({ code: 529, status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' });
    const at = new Date(Date.now() + 30_000).toUTCString();
    sim.fault({ fault: { kind: 'status', status: 429, retryAfter: at }, times: 1 });
    const delay = ((errorOf((await gemini.send()).body).details as Obj[]).find((d) => 'retryDelay' in d)!.retryDelay as string);
    expect(Number(delay.slice(0, -1))).toBeGreaterThanOrEqual(28);
    expect(Number(delay.slice(0, -1))).toBeLessThanOrEqual(31);
  });

  it('stream_error: an error chunk (503 UNAVAILABLE by default) after N chunks; non-stream: 503', async () => {
    sim.script([{ content: [{ type: 'text', text: LONG }] }]);
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 2 }, times: 1 });
    const s = await gemini.send({ stream: true });
    expect(s.ended).toBe(true);
    const events = gemini.events(s.body);
    expect(events).toHaveLength(3);
    expect(JSON.parse(events[2])).toEqual({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } });
    expect(s.body.endsWith('\r\n\r\n')).toBe(true);
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 0, errorType: 'INTERNAL' }, times: 1 });
    expect(JSON.parse(gemini.events((await gemini.send({ stream: true })).body)[0])).toMatchObject({ error: { code: 500, status: 'INTERNAL' } });
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 2 }, times: 1 });
    const j = await gemini.send();
    expect(j.status).toBe(503);
    expect(errorOf(j.body).status).toBe('UNAVAILABLE');
  });

  it('match by the operation path', async () => {
    sim.fault({ fault: { kind: 'status', status: 500 }, match: { path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent' } });
    expect((await gemini.send()).status).toBe(200);
    expect((await gemini.send({ stream: true })).status).toBe(500);
  });
});
