/** Anthropic protocol behaviour: auth, validation, ids, usage, count_tokens, models, scripts. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.js';
import { AUTH_HEADERS, parseSse } from '../test-support.js';

type Obj = Record<string, unknown>;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const BASE = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Tell me about the weather in Paris today' }] };

async function post(path: string, body: unknown, headers: Record<string, string> = AUTH_HEADERS) {
  const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: Obj | undefined;
  try {
    json = JSON.parse(text) as Obj;
  } catch {
    json = undefined;
  }
  return { res, text, json };
}

function errorOf(json: Obj | undefined): { type: string; message: string } {
  expect(json?.type).toBe('error');
  expect(json?.request_id).toMatch(/^req_011C[0-9A-Za-z]{20}$/);
  return json!.error as { type: string; message: string };
}

describe('auth and headers', () => {
  it('401 authentication_error without credentials', async () => {
    const { res, json } = await post('/v1/messages', BASE, { 'anthropic-version': '2023-06-01', 'content-type': 'application/json' });
    expect(res.status).toBe(401);
    expect(errorOf(json)).toEqual({ type: 'authentication_error', message: 'x-api-key header is required' });
  });

  it('accepts Authorization: Bearer as well as x-api-key', async () => {
    const { res } = await post('/v1/messages', BASE, { authorization: 'Bearer tok', 'anthropic-version': '2023-06-01' });
    expect(res.status).toBe(200);
    const empty = await post('/v1/messages', BASE, { authorization: 'Bearer ', 'anthropic-version': '2023-06-01' });
    expect(empty.res.status).toBe(401);
  });

  it('400 without anthropic-version, like the API', async () => {
    const { res, json } = await post('/v1/messages', BASE, { 'x-api-key': 'k' });
    expect(res.status).toBe(400);
    expect(errorOf(json)).toEqual({ type: 'invalid_request_error', message: 'anthropic-version: header is required' });
    const bad = await post('/v1/messages', BASE, { 'x-api-key': 'k', 'anthropic-version': 'latest' });
    expect(bad.res.status).toBe(400);
  });

  it('ignores the query string (?beta=true) and sends request-id headers', async () => {
    const { res, json } = await post('/v1/messages?beta=true', BASE);
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^req_011C[0-9A-Za-z]{20}$/);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(json?.type).toBe('message');
  });

  it('404 not_found_error for unknown routes', async () => {
    const { res, json } = await post('/v1/nope', BASE);
    expect(res.status).toBe(404);
    expect(errorOf(json).type).toBe('not_found_error');
  });
});

describe('validation', () => {
  const cases: Array<[string, unknown, string]> = [
    ['invalid JSON', '{"model": ', 'The request body is not valid JSON'],
    ['model missing', { max_tokens: 5, messages: BASE.messages }, 'model: Field required'],
    ['model not a string', { ...BASE, model: 5 }, 'model: Input should be a valid string'],
    ['max_tokens missing', { model: 'm', messages: BASE.messages }, 'max_tokens: Field required'],
    ['max_tokens not a number', { ...BASE, max_tokens: '5' }, 'max_tokens: Input should be a valid integer'],
    ['messages missing', { model: 'm', max_tokens: 5 }, 'messages: Field required'],
    ['messages not a list', { ...BASE, messages: 'hi' }, 'messages: Input should be a valid list'],
    ['empty text block', { ...BASE, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }, 'text content blocks must be non-empty'],
    ['thinking budget too small', { ...BASE, thinking: { type: 'enabled', budget_tokens: 100 } }, 'budget_tokens'],
    ['max_tokens not above budget', { ...BASE, max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 1024 } }, '`max_tokens` must be greater'],
  ];
  for (const [name, body, message] of cases) {
    it(`400 invalid_request_error: ${name}`, async () => {
      const { res, json } = await post('/v1/messages', body);
      expect(res.status).toBe(400);
      const e = errorOf(json);
      expect(e.type).toBe('invalid_request_error');
      expect(e.message).toContain(message);
    });
  }

  it('more than 4 cache_control breakpoints is rejected', async () => {
    const cc = { type: 'ephemeral' };
    const content = Array.from({ length: 5 }, (_, i) => ({ type: 'text', text: `part ${i}`, cache_control: cc }));
    const { res, json } = await post('/v1/messages', { ...BASE, messages: [{ role: 'user', content }] });
    expect(res.status).toBe(400);
    expect(errorOf(json).message).toContain('A maximum of 4 blocks with cache_control');
  });

  it('interleaved-thinking beta lifts the max_tokens > budget rule', async () => {
    const { res } = await post('/v1/messages', { ...BASE, max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 4000 } }, {
      ...AUTH_HEADERS,
      'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
    });
    expect(res.status).toBe(200);
  });
});

describe('messages', () => {
  it('echoes the requested model, ids look real, deterministic answer from the last user message', async () => {
    const a = (await post('/v1/messages', BASE)).json!;
    const b = (await post('/v1/messages', BASE)).json!;
    expect(a.model).toBe('claude-sonnet-4-5');
    expect(a.id).toMatch(/^msg_01[0-9A-Za-z]{22}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.content).toEqual(b.content);
    expect(a.content).toEqual([{ type: 'text', text: 'Simulated reply from claude-sonnet-4-5: Tell me about the weather in Paris today' }]);
    expect(a.stop_reason).toBe('end_turn');
    expect(a.stop_sequence).toBeNull();
  });

  it('the label is named in generated answers and sent as x-sim-label', async () => {
    const s2 = await startSimulator({ label: 'upstream-b' });
    try {
      const res = await fetch(`${s2.url}/v1/messages`, { method: 'POST', headers: AUTH_HEADERS, body: JSON.stringify(BASE) });
      expect(res.headers.get('x-sim-label')).toBe('upstream-b');
      const m = (await res.json()) as { content: Array<{ text: string }> };
      expect(m.content[0].text).toContain('claude-sonnet-4-5 via upstream-b');
    } finally {
      await s2.close();
    }
  });

  it('same seed, same ids', async () => {
    const ids: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const s = await startSimulator({ seed: 99 });
      const r = await fetch(`${s.url}/v1/messages`, { method: 'POST', headers: AUTH_HEADERS, body: JSON.stringify(BASE) });
      ids.push([r.headers.get('request-id')!, ((await r.json()) as Obj).id as string]);
      await s.close();
    }
    expect(ids[0]).toEqual(ids[1]);
  });

  it('the last user message drives the answer, including tool_result-only turns', async () => {
    const body = {
      ...BASE,
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'calc', input: { e: '6*7' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '42' }] },
      ],
    };
    const m = (await post('/v1/messages', body)).json!;
    expect((m.content as Obj[])[0].text).toBe('Simulated reply from claude-sonnet-4-5: 42');
  });

  it('max_tokens truncates a generated answer with stop_reason max_tokens', async () => {
    const m = (await post('/v1/messages', { ...BASE, max_tokens: 2 })).json!;
    expect(m.stop_reason).toBe('max_tokens');
    expect(((m.content as Obj[])[0].text as string).length).toBeLessThanOrEqual(8);
  });

  it('thinking (enabled / adaptive) adds a signed thinking block; display omitted empties its text', async () => {
    for (const thinking of [{ type: 'enabled', budget_tokens: 1024 }, { type: 'adaptive' }]) {
      const m = (await post('/v1/messages', { ...BASE, max_tokens: 4096, thinking })).json!;
      const blocks = m.content as Obj[];
      expect(blocks.map((b) => b.type)).toEqual(['thinking', 'text']);
      expect((blocks[0].thinking as string).length).toBeGreaterThan(0);
      expect(blocks[0].signature).toMatch(/^E[A-Za-z0-9+/]{100,}={0,2}$/);
    }
    const omitted = (await post('/v1/messages', { ...BASE, thinking: { type: 'adaptive', display: 'omitted' } })).json!;
    expect((omitted.content as Obj[])[0]).toMatchObject({ type: 'thinking', thinking: '' });
    const disabled = (await post('/v1/messages', { ...BASE, thinking: { type: 'disabled' } })).json!;
    expect((disabled.content as Obj[]).map((b) => b.type)).toEqual(['text']);
  });
});

describe('scripts', () => {
  it('FIFO, default stop_reason, given tool ids kept, scripted usage overrides', async () => {
    sim.script([
      { content: [{ type: 'tool_use', name: 'a', input: { x: 1 }, id: 'toolu_fixed' }] },
      { content: [{ type: 'text', text: 'second' }], stop_reason: 'stop_sequence', usage: { output_tokens: 77, input_tokens: 5 } },
    ]);
    const one = (await post('/v1/messages', BASE)).json!;
    expect(one.stop_reason).toBe('tool_use');
    expect((one.content as Obj[])[0]).toEqual({ type: 'tool_use', id: 'toolu_fixed', name: 'a', input: { x: 1 } });
    const two = (await post('/v1/messages', { ...BASE, stop_sequences: ['STOP'] })).json!;
    expect(two.stop_reason).toBe('stop_sequence');
    expect(two.stop_sequence).toBe('STOP');
    expect(two.usage).toMatchObject({ output_tokens: 77, input_tokens: 5 });
    const three = (await post('/v1/messages', BASE)).json!;
    expect(((three.content as Obj[])[0].text as string).startsWith('Simulated reply')).toBe(true);
  });

  it('per-model queues take precedence; other models use the shared queue', async () => {
    sim.script([{ content: [{ type: 'text', text: 'for haiku' }] }], { model: 'claude-haiku-4-5' });
    sim.script([{ content: [{ type: 'text', text: 'for anyone' }] }]);
    const opus = (await post('/v1/messages', { ...BASE, model: 'claude-opus-4-8' })).json!;
    const haiku = (await post('/v1/messages', { ...BASE, model: 'claude-haiku-4-5' })).json!;
    expect((opus.content as Obj[])[0].text).toBe('for anyone');
    expect((haiku.content as Obj[])[0].text).toBe('for haiku');
  });

  it('count_tokens and models requests do not consume scripted turns', async () => {
    sim.script([{ content: [{ type: 'text', text: 'kept' }] }]);
    await post('/v1/messages/count_tokens', { model: 'm', messages: BASE.messages });
    await fetch(`${sim.url}/v1/models`, { headers: AUTH_HEADERS });
    expect(((await post('/v1/messages', BASE)).json!.content as Obj[])[0].text).toBe('kept');
  });

  it('rejects malformed scripts', () => {
    expect(() => sim.script([{ content: [{ type: 'image' } as never] }])).toThrow(/type/);
    expect(() => sim.script([{ content: [{ type: 'tool_use', name: 'x', input: {}, id: 'bad id!' }] }])).toThrow(/id/);
  });
});

describe('usage and caching', () => {
  const SYSTEM = [{ type: 'text', text: 'You are a meticulous assistant. '.repeat(40), cache_control: { type: 'ephemeral' } }];

  it('count_tokens equals input + cache creation + cache read of the same request', async () => {
    const body = { ...BASE, system: SYSTEM };
    const { json: ct } = await post('/v1/messages/count_tokens', { model: body.model, system: SYSTEM, messages: BASE.messages });
    const u1 = (await post('/v1/messages', body)).json!.usage as Record<string, number>;
    const u2 = (await post('/v1/messages', body)).json!.usage as Record<string, number>;
    const total = (u: Record<string, number>): number => u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
    expect(total(u1)).toBe(ct!.input_tokens);
    expect(total(u2)).toBe(ct!.input_tokens);
    expect(u1.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(u2.cache_read_input_tokens).toBe(u1.cache_creation_input_tokens);
  });

  it('without cache_control there is no cache activity; usage grows with the prompt', async () => {
    const small = (await post('/v1/messages', BASE)).json!.usage as Record<string, number>;
    const big = (await post('/v1/messages', { ...BASE, messages: [{ role: 'user', content: 'word '.repeat(400) }] })).json!.usage as Record<string, number>;
    expect(small.cache_creation_input_tokens).toBe(0);
    expect(small.cache_read_input_tokens).toBe(0);
    expect(big.input_tokens).toBeGreaterThan(450);
    expect(big.input_tokens).toBeLessThan(700);
  });

  it('a longer conversation reads the earlier prefix and writes only the new part (lookback)', async () => {
    const turn1 = [{ role: 'user', content: [{ type: 'text', text: 'Explain Python. '.repeat(50), cache_control: { type: 'ephemeral' } }] }];
    const u1 = (await post('/v1/messages', { ...BASE, system: 'Be helpful.', messages: turn1 })).json!.usage as Record<string, number>;
    const turn2 = [
      { role: 'user', content: [{ type: 'text', text: 'Explain Python. '.repeat(50) }] },
      { role: 'assistant', content: 'Python is a programming language. '.repeat(10) },
      { role: 'user', content: [{ type: 'text', text: 'Summarize.', cache_control: { type: 'ephemeral' } }] },
    ];
    const u2 = (await post('/v1/messages', { ...BASE, system: 'Be helpful.', messages: turn2 })).json!.usage as Record<string, number>;
    expect(u2.cache_read_input_tokens).toBe(u1.cache_creation_input_tokens);
    expect(u2.cache_creation_input_tokens).toBeGreaterThan(80);
    expect(u2.input_tokens).toBe(3);
  });

  it('cache memory is per model and cleared by reset()', async () => {
    const body = { ...BASE, system: SYSTEM };
    await post('/v1/messages', body);
    const other = (await post('/v1/messages', { ...body, model: 'claude-opus-4-8' })).json!.usage as Record<string, number>;
    expect(other.cache_read_input_tokens).toBe(0);
    sim.reset();
    const again = (await post('/v1/messages', body)).json!.usage as Record<string, number>;
    expect(again.cache_read_input_tokens).toBe(0);
    expect(again.cache_creation_input_tokens).toBeGreaterThan(0);
  });

  it('streaming message_delta carries cumulative usage', async () => {
    const { text } = await post('/v1/messages', { ...BASE, stream: true });
    const events = parseSse(text).map((e) => JSON.parse(e.data) as Obj);
    const start = (events[0].message as Obj).usage as Record<string, number>;
    const delta = events.find((e) => e.type === 'message_delta')!.usage as Record<string, number>;
    expect(start.output_tokens).toBe(1);
    expect(delta.output_tokens).toBeGreaterThan(1);
    expect(delta.input_tokens).toBe(start.input_tokens);
  });
});

describe('count_tokens and models', () => {
  it('count_tokens is deterministic and needs model + messages, not max_tokens', async () => {
    const body = { model: 'm', messages: BASE.messages, tools: [{ name: 't', input_schema: { type: 'object' } }] };
    const a = await post('/v1/messages/count_tokens', body);
    const b = await post('/v1/messages/count_tokens', body);
    expect(a.res.status).toBe(200);
    expect(Object.keys(a.json!)).toEqual(['input_tokens']);
    expect(a.json).toEqual(b.json);
    const bad = await post('/v1/messages/count_tokens', { model: 'm' });
    expect(bad.res.status).toBe(400);
  });

  it('GET /v1/models lists claude models in the API page shape, with paging and lookup', async () => {
    const res = await fetch(`${sim.url}/v1/models`, { headers: AUTH_HEADERS });
    const page = (await res.json()) as { data: Obj[]; has_more: boolean; first_id: string; last_id: string };
    expect(page.data.length).toBeGreaterThanOrEqual(5);
    for (const m of page.data) {
      expect(Object.keys(m)).toEqual(['type', 'id', 'display_name', 'created_at']);
      expect(m.type).toBe('model');
      expect(String(m.id)).toMatch(/^claude-/);
      expect(new Date(String(m.created_at)).toISOString().slice(0, 10)).toBe(String(m.created_at).slice(0, 10));
    }
    expect(page.first_id).toBe(page.data[0].id);
    expect(page.last_id).toBe(page.data[page.data.length - 1].id);
    expect(page.has_more).toBe(false);
    const p1 = (await (await fetch(`${sim.url}/v1/models?limit=2`, { headers: AUTH_HEADERS })).json()) as typeof page;
    expect(p1.data).toHaveLength(2);
    expect(p1.has_more).toBe(true);
    const p2 = (await (await fetch(`${sim.url}/v1/models?limit=2&after_id=${p1.last_id}`, { headers: AUTH_HEADERS })).json()) as typeof page;
    expect(p2.data[0].id).toBe(page.data[2].id);
    const one = await fetch(`${sim.url}/v1/models/claude-opus-4-8`, { headers: AUTH_HEADERS });
    expect(((await one.json()) as Obj).id).toBe('claude-opus-4-8');
    const missing = await fetch(`${sim.url}/v1/models/gpt-4`, { headers: AUTH_HEADERS });
    expect(missing.status).toBe(404);
  });
});
