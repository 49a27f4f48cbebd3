/** Replay mode: recorded responses served verbatim in the framing of the path's protocol. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { splitRawEvents } from './replay.js';
import { startSimulator, type Simulator } from './index.js';
import { AUTH_HEADERS, GEMINI_HEADERS, OPENAI_HEADERS, parseSse, rawRequest } from './test-support.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ label: 'replay', seed: 7 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const ANTHROPIC_BODY = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] };
const OPENAI_BODY = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] };
const GEMINI_BODY = { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] };

function anthropic(body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: AUTH_HEADERS, body: JSON.stringify({ ...ANTHROPIC_BODY, ...body }) });
}
function openai(body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: OPENAI_HEADERS, body: JSON.stringify({ ...OPENAI_BODY, ...body }) });
}
function gemini(op: string, query = '', model = 'gemini-2.5-flash'): Promise<Response> {
  return fetch(`${sim.url}/v1beta/models/${model}:${op}${query}`, { method: 'POST', headers: GEMINI_HEADERS, body: JSON.stringify(GEMINI_BODY) });
}

// Recorded payloads keep their spacing (one has trailing spaces inside the line, as some recordings do).
const ANTHROPIC_EVENTS = [
  '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}',
  '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}   ',
  '{"type": "ping"}',
  '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}',
  '{"type":"content_block_stop","index":0}',
  '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}',
  '{"type":"message_stop"}',
];

describe('replay framing per protocol', () => {
  it('Anthropic: `event: <type>` from each payload, payload bytes untouched', async () => {
    sim.replay({ sse: ANTHROPIC_EVENTS });
    const res = await anthropic({ stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const text = await res.text();
    expect(text).toBe(ANTHROPIC_EVENTS.map((p) => `event: ${(JSON.parse(p) as { type: string }).type}\ndata: ${p}\n\n`).join(''));
    expect(sim.requests[0]).toMatchObject({ replayed: true, protocol: 'anthropic', stream: true });
  });

  it('OpenAI: `data:` lines and a final [DONE] (not doubled when recorded)', async () => {
    const chunks = ['{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}'];
    sim.replay([{ sse: chunks }, { sse: [...chunks, '[DONE]'] }]);
    for (let i = 0; i < 2; i++) {
      const res = await openai({ stream: true });
      expect(await res.text()).toBe(`data: ${chunks[0]}\n\ndata: [DONE]\n\n`);
    }
  });

  it('Gemini: `data: ...\\r\\n\\r\\n` with alt=sse, one JSON array without it', async () => {
    const chunks = ['{"candidates": [{"content": {"parts": [{"text": "Hi"}],"role": "model"},"index": 0}]}', '{"candidates": [{"content": {"parts": [{"text": ""}],"role": "model"},"finishReason": "STOP","index": 0}]}'];
    sim.replay([{ sse: chunks }, { sse: chunks }]);
    const sse = await gemini('streamGenerateContent', '?alt=sse');
    expect(sse.headers.get('content-type')).toBe('text/event-stream');
    expect(await sse.text()).toBe(chunks.map((c) => `data: ${c}\r\n\r\n`).join(''));
    const arr = await gemini('streamGenerateContent');
    expect(arr.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(JSON.parse(await arr.text())).toEqual(chunks.map((c) => JSON.parse(c) as unknown));
  });

  it('JSON bodies keep their values; status, content type and extra headers apply', async () => {
    const body = { error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } };
    sim.replay({ status: 429, json: body, headers: { 'x-recorded': 'yes', 'content-length': '1', 'Content-Encoding': 'gzip' } });
    const res = await gemini('generateContent');
    expect(res.status).toBe(429);
    expect(res.headers.get('x-recorded')).toBe('yes');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.json()).toEqual(body);
    const msg = { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'é' }], model: 'm', stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } };
    sim.replay({ json: msg, contentType: 'application/json; charset=utf-8' });
    const a = await anthropic();
    expect(a.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await a.json()).toEqual(msg);
  });

  it('raw bytes are sent exactly; a stream request gets them split at blank lines (faults count those events)', async () => {
    const raw = Buffer.from('data: {"a":1}\n\ndata: {"b":"é"}\r\n\r\ndata: [DONE]\n\n', 'utf8');
    sim.replay({ raw });
    expect(Buffer.from(await (await openai({ stream: true })).arrayBuffer()).equals(raw)).toBe(true);
    expect(splitRawEvents(raw).map((f) => f.text.toString())).toEqual(['data: {"a":1}\n\n', 'data: {"b":"é"}\r\n\r\n', 'data: [DONE]\n\n']);
    sim.replay({ raw: '{"not":"reformatted"}' });
    expect(await (await openai()).text()).toBe('{"not":"reformatted"}');
    sim.replay({ raw });
    sim.fault({ fault: { kind: 'cut', afterEvents: 1 }, times: 1 });
    const cut = await rawRequest(`${sim.url}/v1/chat/completions`, { headers: OPENAI_HEADERS, body: JSON.stringify({ ...OPENAI_BODY, stream: true }) });
    expect(cut.body).toBe('data: {"a":1}\n\n');
    expect(cut.error).toBeDefined();
  });
});

describe('replay queue', () => {
  it('takes precedence over scripts, FIFO, and only for the requests it matches', async () => {
    sim.script([{ content: [{ type: 'text', text: 'scripted' }] }]);
    sim.replay({ json: { choices: [{ message: { content: 'only gpt-4.1' } }] } }, { model: 'gpt-4.1' });
    sim.replay([{ json: { n: 1 } }, { json: { n: 2 } }], { protocol: 'openai', stream: false });
    expect(await (await openai()).json()).toEqual({ n: 1 });
    expect(await (await openai({ model: 'gpt-4.1' })).json()).toEqual({ choices: [{ message: { content: 'only gpt-4.1' } }] });
    expect(((await (await anthropic()).json()) as { content: unknown }).content).toEqual([{ type: 'text', text: 'scripted' }]);
    expect(await (await openai()).json()).toEqual({ n: 2 });
    expect(sim.requests.map((r) => r.replayed ?? false)).toEqual([true, true, false, true]);
  });

  it('requests are still checked first; a faulted request leaves the replay for the retry', async () => {
    sim.replay({ json: { ok: 1 } });
    expect((await openai({ messages: [] })).status).toBe(400);
    sim.fault({ fault: { kind: 'status', status: 503 }, times: 1 });
    expect((await openai()).status).toBe(503);
    expect(await (await openai()).json()).toEqual({ ok: 1 });
  });

  it('stream_error and malformed faults act on replayed streams as on generated ones', async () => {
    sim.replay({ sse: ANTHROPIC_EVENTS });
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 2 }, times: 1 });
    const events = parseSse(await (await anthropic({ stream: true })).text());
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'error']);
    // not used up by the faulted request
    expect(parseSse(await (await anthropic({ stream: true })).text())).toHaveLength(ANTHROPIC_EVENTS.length);
  });

  it('is rejected when malformed', () => {
    expect(() => sim.replay({ json: {}, sse: [] })).toThrow(/at most one/);
    expect(() => sim.replay({ status: 42 })).toThrow(/status/);
    expect(() => sim.replay({ sse: [1 as unknown as string] })).toThrow(/sse/);
    expect(() => sim.replay({}, { stream: 'yes' as unknown as boolean })).toThrow(/match.stream/);
  });
});

describe('POST /_sim/replay', () => {
  async function control(path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${sim.url}${path}`, { method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  }

  it('queues one response or several, with rawBase64 for exact bytes; status counts them; reset clears them', async () => {
    expect(await control('/_sim/replay', { response: { json: { first: true } }, match: { protocol: 'openai' } })).toEqual({ status: 200, json: { ok: true, queued: 1 } });
    const raw = Buffer.from('{"bytes": true}\n');
    expect((await control('/_sim/replay', { responses: [{ rawBase64: raw.toString('base64') }, { sse: ['{"x":1}'] }] })).json).toEqual({ ok: true, queued: 3 });
    expect(((await control('/_sim/status')).json as { replays: number }).replays).toBe(3);
    expect(await (await openai()).json()).toEqual({ first: true });
    expect(await (await gemini('generateContent')).text()).toBe(raw.toString());
    await control('/_sim/reset', {});
    expect(((await control('/_sim/status')).json as { replays: number }).replays).toBe(0);
  });

  it('answers 400 for bad bodies', async () => {
    expect((await control('/_sim/replay', { nope: 1 })).status).toBe(400);
    expect((await control('/_sim/replay', { response: { raw: 'a', rawBase64: 'YQ==' } })).status).toBe(400);
    expect((await control('/_sim/replay', { response: {}, match: { protocol: 'grpc' } })).status).toBe(400);
  });
});
