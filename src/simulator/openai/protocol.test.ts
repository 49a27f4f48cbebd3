/** OpenAI protocol behaviour: auth, validation messages, models, reasoning field, stops, usage and caching, log. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.js';
import { AUTH_HEADERS, OPENAI_HEADERS, sseJson } from '../test-support.js';

type Obj = Record<string, unknown>;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, label: 'oa' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const BASE = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Tell me about the weather in Paris today' }] };

async function post(body: unknown, headers: Record<string, string> = OPENAI_HEADERS, path = '/v1/chat/completions') {
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

async function rejected(body: unknown): Promise<Obj> {
  const r = await post(body);
  expect(r.res.status, r.text).toBe(400);
  const e = r.json!.error as Obj;
  expect(Object.keys(e)).toEqual(['message', 'type', 'param', 'code']);
  expect(e.type).toBe('invalid_request_error');
  return e;
}

describe('auth and headers', () => {
  it('401 with the API message without a Bearer token', async () => {
    const r = await post(BASE, { 'content-type': 'application/json' });
    expect(r.res.status).toBe(401);
    expect(r.json).toEqual({
      error: { message: expect.stringContaining("You didn't provide an API key.") as unknown, type: 'invalid_request_error', param: null, code: null },
    });
    expect(r.text).toMatch(/^\{\n {4}"error": \{\n {8}"message"/);
    expect((await post(BASE, { authorization: 'Bearer ', 'content-type': 'application/json' })).res.status).toBe(401);
    expect((await post(BASE, { 'x-api-key': 'k' })).res.status).toBe(401);
  });

  it('x-request-id and x-sim-label headers; the log records protocol, model and stream', async () => {
    const r = await post({ ...BASE, stream: true });
    expect(r.res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(r.res.headers.get('x-sim-label')).toBe('oa');
    expect(r.res.headers.get('content-type')).toContain('text/event-stream');
    expect(sim.requests[0]).toMatchObject({ protocol: 'openai', model: 'gpt-4o', stream: true, path: '/v1/chat/completions' });
  });

  it('unknown routes under /v1/chat answer in OpenAI shape', async () => {
    const r = await post(BASE, OPENAI_HEADERS, '/v1/chat/complete');
    expect(r.res.status).toBe(404);
    expect(r.json).toEqual({ error: { message: 'Invalid URL (POST /v1/chat/complete)', type: 'invalid_request_error', param: null, code: null } });
  });
});

describe('validation like the API', () => {
  it('unparseable JSON', async () => {
    const r = await post('{"model":');
    expect(r.res.status).toBe(400);
    expect((r.json!.error as Obj).message).toMatch(/^We could not parse the JSON body of your request/);
  });

  it('unknown arguments (e.g. Anthropic fields leaking through) are rejected by name', async () => {
    expect(await rejected({ ...BASE, system: 'be brief' })).toEqual({
      message: 'Unrecognized request argument supplied: system',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    expect((await rejected({ ...BASE, stop_sequences: ['x'] })).message).toBe('Unrecognized request argument supplied: stop_sequences');
    // vendor extras OpenAI-compatible providers accept pass
    expect((await post({ ...BASE, reasoning: { effort: 'low' }, top_k: 5, chat_template_kwargs: { enable_thinking: true } })).res.status).toBe(200);
  });

  it('model and messages are required; messages must not be empty', async () => {
    expect((await rejected({ messages: BASE.messages })).message).toBe('you must provide a model parameter');
    expect(await rejected({ model: 'gpt-4o' })).toMatchObject({ param: 'messages', code: 'missing_required_parameter' });
    expect(await rejected({ model: 'gpt-4o', messages: [] })).toMatchObject({ param: 'messages', code: 'empty_array' });
    expect(await rejected({ model: 'gpt-4o', messages: 'hi' })).toMatchObject({ param: 'messages', code: 'invalid_type' });
  });

  it('roles and content parts', async () => {
    expect(await rejected({ model: 'gpt-4o', messages: [{ role: 'human', content: 'hi' }] })).toEqual({
      message: "Invalid value: 'human'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
      type: 'invalid_request_error',
      param: 'messages[0].role',
      code: 'invalid_value',
    });
    const anthropicBlock = await rejected({ model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'x' }] }] });
    expect(anthropicBlock).toMatchObject({ param: 'messages[0].content[0].type', code: 'invalid_value' });
    expect(anthropicBlock.message).toMatch(/^Invalid value: 'tool_result'\. Supported values are: 'text', 'image_url'/);
    expect(await rejected({ model: 'gpt-4o', messages: [{ role: 'tool', tool_call_id: 'c', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] })).toMatchObject({
      param: 'messages[0].content[0].type',
    });
    expect(await rejected({ model: 'gpt-4o', messages: [{ role: 'user' }] })).toMatchObject({ param: 'messages[0].content', code: 'missing_required_parameter' });
    expect(await rejected({ model: 'gpt-4o', messages: [{ role: 'assistant', content: null }] })).toMatchObject({ param: 'messages.[0].content' });
  });

  it('tool calls must be answered by tool messages, and tool messages must answer a call', async () => {
    const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } };
    const missing = await rejected({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, tool_calls: [call, { ...call, id: 'call_2' }] }, { role: 'tool', tool_call_id: 'call_1', content: 'ok' }, { role: 'user', content: 'y' }],
    });
    expect(missing).toMatchObject({ param: 'messages.[1].role', code: null });
    expect(missing.message).toBe(
      "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_2",
    );
    const orphan = await rejected({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_1', content: 'ok' }] });
    expect(orphan.message).toBe("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.");
    const wrongId = await rejected({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [call] }, { role: 'tool', tool_call_id: 'call_9', content: 'ok' }] });
    expect(wrongId.param).toBe('messages.[2].tool_call_id');
    const objectArgs = await rejected({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [{ ...call, function: { name: 'f', arguments: {} } }] }] });
    expect(objectArgs).toMatchObject({ param: 'messages[1].tool_calls[0].function.arguments', code: 'invalid_type' });
    const ok = await post({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: 'call_1', content: 'ok' }],
    });
    expect(ok.res.status).toBe(200);
  });

  it('tool definitions: names, empty arrays', async () => {
    const tool = (name: string) => ({ type: 'function', function: { name, parameters: { type: 'object' } } });
    expect(await rejected({ ...BASE, tools: [tool('mcp__server__do.thing')] })).toMatchObject({ param: 'tools[0].function.name', code: 'invalid_value' });
    expect(await rejected({ ...BASE, tools: [tool('x'.repeat(65))] })).toMatchObject({ code: 'string_above_max_length' });
    expect(await rejected({ ...BASE, tools: [] })).toMatchObject({ param: 'tools', code: 'empty_array' });
    expect(await rejected({ ...BASE, tools: [{ name: 'f', input_schema: {} }] })).toMatchObject({ param: 'tools[0].type' });
  });

  it('reasoning models: max_completion_tokens only, default temperature only', async () => {
    expect(await rejected({ ...BASE, model: 'gpt-5-nano', max_tokens: 100 })).toEqual({
      message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: 'unsupported_parameter',
    });
    expect(await rejected({ ...BASE, model: 'o3', temperature: 0.2 })).toMatchObject({ param: 'temperature', code: 'unsupported_value' });
    expect((await post({ ...BASE, model: 'gpt-4o', max_tokens: 100, temperature: 0.2 })).res.status).toBe(200);
    expect((await post({ ...BASE, model: 'o3', max_completion_tokens: 100, temperature: 1 })).res.status).toBe(200);
  });

  it('ranges and stream_options', async () => {
    expect(await rejected({ ...BASE, temperature: 3 })).toMatchObject({ param: 'temperature', code: 'decimal_above_max_value' });
    expect(await rejected({ ...BASE, max_tokens: 0 })).toMatchObject({ param: 'max_tokens', code: 'integer_below_min_value' });
    expect((await rejected({ ...BASE, stream_options: { include_usage: true } })).message).toBe(
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
    );
    expect(await rejected({ ...BASE, stop: ['a', 'b', 'c', 'd', 'e'] })).toMatchObject({ code: 'array_above_max_length' });
  });

  it('a rejected request does not use up a scripted turn', async () => {
    sim.script([{ content: [{ type: 'text', text: 'kept' }] }]);
    await rejected({ ...BASE, system: 'x' });
    const r = await post(BASE);
    expect(((r.json!.choices as Obj[])[0].message as Obj).content).toBe('kept');
  });
});

describe('models', () => {
  it('GET /v1/models without anthropic-version is the OpenAI list; with it, the Anthropic page', async () => {
    const oa = (await (await fetch(`${sim.url}/v1/models`, { headers: OPENAI_HEADERS })).json()) as { object: string; data: Obj[] };
    expect(oa.object).toBe('list');
    expect(oa.data[0]).toEqual({ id: 'gpt-5', object: 'model', created: expect.any(Number) as unknown, owned_by: 'system' });
    const an = (await (await fetch(`${sim.url}/v1/models`, { headers: AUTH_HEADERS })).json()) as { data: Obj[]; has_more: boolean };
    expect(an.data[0].type).toBe('model');
    expect(an).toHaveProperty('has_more');
    const one = await fetch(`${sim.url}/v1/models/gpt-4o`, { headers: OPENAI_HEADERS });
    expect(((await one.json()) as Obj).id).toBe('gpt-4o');
    const missing = await fetch(`${sim.url}/v1/models/claude-opus-4-8`, { headers: OPENAI_HEADERS });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: Obj }).error.code).toBe('model_not_found');
    expect((await fetch(`${sim.url}/v1/models`)).status).toBe(401);
    expect(sim.requests.map((r) => r.protocol)).toEqual(['openai', 'anthropic', 'openai', 'openai', 'openai']);
  });
});

describe('turns', () => {
  const THINK = { content: [{ type: 'thinking' as const, thinking: 'Short plan.' }, { type: 'text' as const, text: 'Answer.' }] };

  it('reasoning field: reasoning_content by default; `reasoning` per request header or per simulator', async () => {
    sim.script([THINK, THINK]);
    const a = await post(BASE);
    expect((a.json!.choices as Obj[])[0].message).toMatchObject({ reasoning_content: 'Short plan.', content: 'Answer.' });
    const b = await post({ ...BASE, stream: true }, { ...OPENAI_HEADERS, 'x-sim-reasoning-field': 'reasoning' });
    const deltas = sseJson(b.text).map((c) => (c.choices as Obj[])[0]?.delta as Obj | undefined);
    expect(deltas[0]).toEqual({ role: 'assistant', content: null, reasoning: '' });
    expect(deltas.map((d) => d?.reasoning ?? '').join('')).toBe('Short plan.');
    expect(b.text).not.toContain('reasoning_content');
    const other = await startSimulator({ openaiReasoningField: 'reasoning' });
    other.script([THINK]);
    const c = await fetch(`${other.url}/v1/chat/completions`, { method: 'POST', headers: OPENAI_HEADERS, body: JSON.stringify(BASE) });
    expect((((await c.json()) as { choices: Obj[] }).choices[0].message as Obj).reasoning).toBe('Short plan.');
    await other.close();
    await expect(startSimulator({ openaiReasoningField: 'thoughts' as never })).rejects.toThrow(/openaiReasoningField/);
  });

  it('stop reasons map to finish_reason: end_turn/stop_sequence -> stop, max_tokens -> length, tool_use -> tool_calls', async () => {
    sim.script([
      { content: [{ type: 'text', text: 'a' }], stop_reason: 'stop_sequence' },
      { content: [{ type: 'text', text: 'b' }], stop_reason: 'max_tokens' },
      { content: [{ type: 'tool_use', name: 'f', input: {} }] },
      { content: [{ type: 'text', text: 'd' }] },
    ]);
    const reasons: unknown[] = [];
    for (let i = 0; i < 4; i++) reasons.push(((await post(BASE)).json!.choices as Obj[])[0].finish_reason);
    expect(reasons).toEqual(['stop', 'length', 'tool_calls', 'stop']);
  });

  it('scripted tool ids are used as given; per-model scripts apply', async () => {
    sim.script([{ content: [{ type: 'tool_use', id: 'call_fixed', name: 'f', input: { a: 1 } }] }], { model: 'gpt-4.1' });
    sim.script([{ content: [{ type: 'text', text: 'shared' }] }]);
    expect(((await post(BASE)).json!.choices as Obj[])[0]).toMatchObject({ message: { content: 'shared' } });
    const r = await post({ ...BASE, model: 'gpt-4.1' });
    expect((((r.json!.choices as Obj[])[0].message as Obj).tool_calls as Obj[])[0]).toEqual({
      id: 'call_fixed',
      type: 'function',
      function: { name: 'f', arguments: '{"a":1}' },
    });
  });

  it('generated answers follow tool_choice (required / named function) and response_format', async () => {
    const tools = ['get_weather', 'get_time'].map((name) => ({ type: 'function', function: { name, parameters: { type: 'object' } } }));
    const calls = async (tool_choice: unknown): Promise<unknown> => {
      const r = await post({ ...BASE, tools, tool_choice });
      const choice = (r.json!.choices as Obj[])[0];
      return [choice.finish_reason, (((choice.message as Obj).tool_calls as Obj[] | undefined) ?? []).map((t) => (t.function as Obj).name)];
    };
    expect(await calls('required')).toEqual(['tool_calls', ['get_weather']]);
    expect(await calls({ type: 'function', function: { name: 'get_time' } })).toEqual(['tool_calls', ['get_time']]);
    expect(await calls('auto')).toEqual(['stop', []]);
    const json = await post({ ...BASE, response_format: { type: 'json_object' } });
    expect(JSON.parse(((json.json!.choices as Obj[])[0].message as Obj).content as string)).toEqual({
      reply: 'Simulated reply from gpt-4o via oa: Tell me about the weather in Paris today',
    });
  });

  it('stream_options.include_obfuscation: false drops the obfuscation field', async () => {
    const on = await post({ ...BASE, stream: true });
    expect(sseJson(on.text).every((c) => typeof c.obfuscation === 'string')).toBe(true);
    const off = await post({ ...BASE, stream: true, stream_options: { include_obfuscation: false } });
    expect(sseJson(off.text).some((c) => 'obfuscation' in c)).toBe(false);
  });
});

describe('usage', () => {
  it('prompt_tokens grows with the prompt; scripted usage maps Anthropic fields (prompt includes cache)', async () => {
    const small = (await post(BASE)).json!.usage as Obj;
    const big = (await post({ ...BASE, messages: [{ role: 'system', content: 'x '.repeat(400) }, ...BASE.messages] })).json!.usage as Obj;
    expect(big.prompt_tokens as number).toBeGreaterThan((small.prompt_tokens as number) + 150);
    sim.script([{ content: [{ type: 'text', text: 'x' }], usage: { input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 5, output_tokens: 7 } }]);
    const u = (await post(BASE)).json!.usage as Obj;
    expect(u).toMatchObject({
      prompt_tokens: 115,
      completion_tokens: 7,
      total_tokens: 122,
      prompt_tokens_details: { cached_tokens: 100, audio_tokens: 0, cache_write_tokens: 5 },
    });
  });

  it('automatic prompt caching: a repeated prefix of >= 1024 tokens is read from cache in 128-token steps', async () => {
    const system = { role: 'system', content: 'You are a meticulous assistant. '.repeat(200) };
    const first = (await post({ model: 'gpt-4o', messages: [system, { role: 'user', content: 'one' }] })).json!.usage as Obj;
    expect((first.prompt_tokens_details as Obj).cached_tokens).toBe(0);
    const second = (await post({ model: 'gpt-4o', messages: [system, { role: 'user', content: 'two' }] })).json!.usage as Obj;
    const cached = (second.prompt_tokens_details as Obj).cached_tokens as number;
    expect(cached).toBeGreaterThanOrEqual(1024);
    expect(cached % 128).toBe(0);
    expect(cached).toBeLessThanOrEqual(second.prompt_tokens as number);
    const otherModel = (await post({ model: 'gpt-4.1', messages: [system, { role: 'user', content: 'two' }] })).json!.usage as Obj;
    expect((otherModel.prompt_tokens_details as Obj).cached_tokens).toBe(0);
    const short = (await post(BASE)).json!.usage as Obj;
    await post(BASE);
    expect((short.prompt_tokens_details as Obj).cached_tokens).toBe(0);
  });
});
