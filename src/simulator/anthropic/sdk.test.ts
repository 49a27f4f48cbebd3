/** The official Anthropic SDK must parse everything the simulator sends. */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.js';

let sim: Simulator;
let client: Anthropic;

beforeAll(async () => {
  sim = await startSimulator({ seed: 7 });
  client = new Anthropic({ baseURL: sim.url, apiKey: 'x', maxRetries: 0 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const user = (text: string): Anthropic.MessageParam[] => [{ role: 'user', content: text }];

const TOOL_TURN = {
  content: [
    { type: 'text' as const, text: 'Checking the weather now.' },
    { type: 'tool_use' as const, name: 'get_weather', input: { city: 'Paris', opts: { units: 'C', days: [1, 2, 3] } } },
  ],
};
const THINKING_TURN = {
  content: [
    { type: 'thinking' as const, thinking: 'Simple arithmetic: 6 times 7 is 42.' },
    { type: 'text' as const, text: '42' },
  ],
};

describe('@anthropic-ai/sdk against the simulator', () => {
  it('messages.create: generated text echoes the model and the prompt', async () => {
    const m = await client.messages.create({ model: 'claude-opus-4-8', max_tokens: 200, messages: user('Hello from the SDK test') });
    expect(m.model).toBe('claude-opus-4-8');
    expect(m.id).toMatch(/^msg_01[0-9A-Za-z]{22}$/);
    expect(m.stop_reason).toBe('end_turn');
    expect(m.content).toHaveLength(1);
    expect(m.content[0].type).toBe('text');
    expect((m.content[0] as Anthropic.TextBlock).text).toBe('Simulated reply from claude-opus-4-8: Hello from the SDK test');
    expect(m.usage.input_tokens).toBeGreaterThan(0);
    expect(m.usage.output_tokens).toBeGreaterThan(0);
    expect(m.usage.service_tier).toBe('standard');
  });

  it('messages.create: tool_use with an input object', async () => {
    sim.script([TOOL_TURN]);
    const m = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 200, messages: user('weather?') });
    expect(m.stop_reason).toBe('tool_use');
    const tool = m.content[1] as Anthropic.ToolUseBlock;
    expect(tool.type).toBe('tool_use');
    expect(tool.id).toMatch(/^toolu_01[0-9A-Za-z]{22}$/);
    expect(tool.name).toBe('get_weather');
    expect(tool.input).toEqual(TOOL_TURN.content[1].input);
  });

  it('messages.create: thinking with a signature', async () => {
    sim.script([THINKING_TURN]);
    const m = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: user('6*7?'),
    });
    const th = m.content[0] as Anthropic.ThinkingBlock;
    expect(th.type).toBe('thinking');
    expect(th.thinking).toBe(THINKING_TURN.content[0].thinking);
    expect(th.signature).toMatch(/^[A-Za-z0-9+/]{100,}={0,2}$/);
    expect((m.content[1] as Anthropic.TextBlock).text).toBe('42');
  });

  it('messages.stream().finalMessage(): text', async () => {
    const events: string[] = [];
    const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 200, messages: user('Stream me some words please') });
    stream.on('streamEvent', (e) => events.push(e.type));
    const m = await stream.finalMessage();
    expect((m.content[0] as Anthropic.TextBlock).text).toBe('Simulated reply from claude-haiku-4-5: Stream me some words please');
    expect(m.stop_reason).toBe('end_turn');
    expect(events.filter((e) => e === 'content_block_delta').length).toBeGreaterThan(1);
    expect(m.usage.output_tokens).toBeGreaterThan(1);
  });

  it('messages.stream().finalMessage(): tool_use input is assembled from the partial JSON', async () => {
    sim.script([TOOL_TURN]);
    const m = await client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 200, messages: user('weather?') }).finalMessage();
    expect(m.stop_reason).toBe('tool_use');
    const tool = m.content[1] as Anthropic.ToolUseBlock;
    expect(tool.input).toEqual(TOOL_TURN.content[1].input);
  });

  it('messages.stream().finalMessage(): tool_use with empty input', async () => {
    sim.script([{ content: [{ type: 'tool_use', name: 'noop', input: {} }] }]);
    const m = await client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 200, messages: user('go') }).finalMessage();
    expect((m.content[0] as Anthropic.ToolUseBlock).input).toEqual({});
  });

  it('messages.stream().finalMessage(): thinking with signature, and generated thinking', async () => {
    sim.script([THINKING_TURN]);
    const params = {
      model: 'claude-sonnet-4-5',
      max_tokens: 2048,
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      messages: user('6*7?'),
    };
    const m = await client.messages.stream(params).finalMessage();
    const th = m.content[0] as Anthropic.ThinkingBlock;
    expect(th.thinking).toBe(THINKING_TURN.content[0].thinking);
    expect(th.signature.length).toBeGreaterThan(100);
    const g = await client.messages.stream(params).finalMessage();
    expect(g.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect((g.content[0] as Anthropic.ThinkingBlock).signature.length).toBeGreaterThan(100);
  });

  it('redacted_thinking round-trips through create and stream', async () => {
    const turn = { content: [{ type: 'redacted_thinking' as const, data: 'EmwKAhgBEgy3va3pzix' }, { type: 'text' as const, text: 'ok' }] };
    sim.script([turn, turn]);
    const a = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: user('x') });
    const b = await client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: user('x') }).finalMessage();
    for (const m of [a, b]) expect(m.content[0]).toEqual({ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' });
  });

  it('cache usage is surfaced by the SDK (stream snapshot takes message_delta totals)', async () => {
    const params = {
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      system: [{ type: 'text' as const, text: 'Long system prompt. '.repeat(50), cache_control: { type: 'ephemeral' as const } }],
      messages: user('hi'),
    };
    const first = await client.messages.stream(params).finalMessage();
    const second = await client.messages.create(params);
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(200);
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
  });

  it('errors map to the SDK error classes, with the stream error event surfacing too', async () => {
    sim.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
    const err = await client.messages.create({ model: 'm', max_tokens: 10, messages: user('x') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((err as InstanceType<typeof Anthropic.APIError>).requestID).toMatch(/^req_011C/);

    sim.fault({ fault: { kind: 'status', status: 429, retryAfter: 3 }, times: 1 });
    const rl = await client.messages.create({ model: 'm', max_tokens: 10, messages: user('x') }).catch((e: unknown) => e);
    expect(rl).toBeInstanceOf(Anthropic.RateLimitError);

    sim.fault({ fault: { kind: 'stream_error', afterEvents: 3 }, times: 1 });
    const se = await client.messages.stream({ model: 'm', max_tokens: 10, messages: user('x') }).finalMessage().catch((e: unknown) => e);
    expect(se).toBeInstanceOf(Anthropic.APIError);
    expect(String((se as Error).message)).toContain('overloaded_error');
  });

  it('countTokens and models.list parse', async () => {
    const ct = await client.messages.countTokens({ model: 'claude-sonnet-4-5', messages: user('count these tokens please') });
    expect(ct.input_tokens).toBeGreaterThan(0);
    const models = [];
    for await (const m of client.models.list({ limit: 3 })) models.push(m.id);
    expect(models.length).toBeGreaterThanOrEqual(5);
    expect(new Set(models).size).toBe(models.length);
    const one = await client.models.retrieve('claude-opus-4-8');
    expect(one.display_name).toBe('Claude Opus 4.8');
  });
});
