/** The official `openai` SDK must parse everything the simulator sends on the Chat Completions surface. */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type ScriptedTurn, type Simulator } from '../index.js';

let sim: Simulator;
let client: OpenAI;

beforeAll(async () => {
  sim = await startSimulator({ seed: 9 });
  client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const user = (text: string): OpenAI.ChatCompletionMessageParam[] => [{ role: 'user', content: text }];
const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
];

const TOOL_TURN: ScriptedTurn = {
  content: [
    { type: 'text', text: 'Checking the weather now.' },
    { type: 'tool_use', name: 'get_weather', input: { city: 'Paris', opts: { units: 'C', days: [1, 2, 3] } } },
  ],
};
const PARALLEL_TURN: ScriptedTurn = {
  content: [
    { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } },
    { type: 'tool_use', name: 'get_weather', input: { city: 'Rome' } },
    { type: 'tool_use', name: 'get_weather', input: { city: 'Oslo' } },
  ],
};

function functionCalls(m: OpenAI.ChatCompletionMessage): Array<{ id: string; name: string; args: unknown }> {
  return (m.tool_calls ?? []).map((t) => {
    if (t.type !== 'function') throw new Error(`unexpected tool call type ${t.type}`);
    return { id: t.id, name: t.function.name, args: JSON.parse(t.function.arguments) as unknown };
  });
}

describe('openai SDK against the simulator', () => {
  it('chat.completions.create: generated text echoes the model and the prompt; usage is filled', async () => {
    const c = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: user('Hello from the SDK test') });
    expect(c.id).toMatch(/^chatcmpl-[0-9A-Za-z]{29}$/);
    expect(c.object).toBe('chat.completion');
    expect(c.model).toBe('gpt-4.1-mini');
    expect(c.choices[0].finish_reason).toBe('stop');
    expect(c.choices[0].message.content).toBe('Simulated reply from gpt-4.1-mini: Hello from the SDK test');
    expect(c.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(c.usage?.total_tokens).toBe((c.usage?.prompt_tokens ?? 0) + (c.usage?.completion_tokens ?? 0));
  });

  it('chat.completions.create: a tool call with JSON arguments', async () => {
    sim.script([TOOL_TURN]);
    const c = await client.chat.completions.create({ model: 'gpt-4o', messages: user('weather?'), tools: TOOLS });
    expect(c.choices[0].finish_reason).toBe('tool_calls');
    expect(c.choices[0].message.content).toBe('Checking the weather now.');
    const [call] = functionCalls(c.choices[0].message);
    expect(call.id).toMatch(/^call_[0-9A-Za-z]{24}$/);
    expect(call).toMatchObject({ name: 'get_weather', args: { city: 'Paris', opts: { units: 'C', days: [1, 2, 3] } } });
  });

  it('chat.completions.create: parallel tool calls', async () => {
    sim.script([PARALLEL_TURN]);
    const c = await client.chat.completions.create({ model: 'gpt-4o', messages: user('three cities'), tools: TOOLS });
    expect(functionCalls(c.choices[0].message).map((x) => x.args)).toEqual([{ city: 'Paris' }, { city: 'Rome' }, { city: 'Oslo' }]);
    expect(c.choices[0].message.content).toBeNull();
  });

  it('chat.completions.stream().finalChatCompletion(): text, with content deltas and usage', async () => {
    const deltas: string[] = [];
    const stream = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: user('Stream me some words please, there should be several of them'),
      stream_options: { include_usage: true },
    });
    stream.on('content.delta', (e) => deltas.push(e.delta));
    const c = await stream.finalChatCompletion();
    expect(c.choices[0].message.content).toBe('Simulated reply from gpt-4o-mini: Stream me some words please, there should be several of them');
    expect(deltas.length).toBeGreaterThan(3);
    expect(c.choices[0].finish_reason).toBe('stop');
    expect(c.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('chat.completions.stream().finalChatCompletion(): a tool call', async () => {
    sim.script([TOOL_TURN]);
    const argDeltas: string[] = [];
    const stream = client.chat.completions.stream({ model: 'gpt-4o', messages: user('weather?'), tools: TOOLS });
    stream.on('tool_calls.function.arguments.delta', (e) => argDeltas.push(e.arguments_delta));
    const c = await stream.finalChatCompletion();
    expect(c.choices[0].finish_reason).toBe('tool_calls');
    expect(c.choices[0].message.content).toBe('Checking the weather now.');
    expect(functionCalls(c.choices[0].message)).toEqual([
      { id: expect.stringMatching(/^call_/) as unknown, name: 'get_weather', args: { city: 'Paris', opts: { units: 'C', days: [1, 2, 3] } } },
    ]);
    expect(argDeltas.length).toBeGreaterThan(2);
  });

  it('chat.completions.stream().finalChatCompletion(): parallel tool calls', async () => {
    sim.script([PARALLEL_TURN]);
    const done: string[] = [];
    const stream = client.chat.completions.stream({ model: 'gpt-4o', messages: user('three cities'), tools: TOOLS });
    stream.on('tool_calls.function.arguments.done', (e) => done.push(e.arguments));
    const c = await stream.finalChatCompletion();
    const calls = functionCalls(c.choices[0].message);
    expect(calls.map((x) => x.args)).toEqual([{ city: 'Paris' }, { city: 'Rome' }, { city: 'Oslo' }]);
    expect(new Set(calls.map((x) => x.id)).size).toBe(3);
    expect(done.map((a) => JSON.parse(a) as unknown)).toEqual([{ city: 'Paris' }, { city: 'Rome' }, { city: 'Oslo' }]);
  });

  it('stream: true iteration: chunks, then a usage chunk with empty choices', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user('count the chunks'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const ch of stream) chunks.push(ch);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Simulated reply from gpt-4o-mini: count the chunks');
  });

  it('runTools: the SDK runner executes the simulated tool call and sends the result back', async () => {
    sim.script([{ content: [{ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } }] }, { content: [{ type: 'text', text: 'It is 21C in Paris.' }] }]);
    const seen: unknown[] = [];
    const runner = client.chat.completions.runTools({
      model: 'gpt-4o',
      messages: user('weather in Paris?'),
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
            parse: JSON.parse,
            function: (args: unknown) => {
              seen.push(args);
              return { temp: 21 };
            },
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe('It is 21C in Paris.');
    expect(seen).toEqual([{ city: 'Paris' }]);
    const second = JSON.parse(sim.requests[1].body.toString('utf8')) as { messages: Array<{ role: string; content?: unknown }> };
    expect(second.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(second.messages[2].content).toBe('{"temp":21}');
  });

  it('errors: a status fault surfaces as the SDK error class with type, code and headers', async () => {
    sim.fault({ fault: { kind: 'status', status: 429, retryAfter: 3 }, times: 1 });
    const err = await client.chat.completions.create({ model: 'gpt-4o', messages: user('x') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(e.headers?.get('retry-after')).toBe('3');
    sim.fault({ fault: { kind: 'status', status: 429, errorType: 'insufficient_quota' }, times: 1 });
    const q = (await client.chat.completions.create({ model: 'gpt-4o', messages: user('x') }).catch((x: unknown) => x)) as InstanceType<typeof OpenAI.APIError>;
    expect(q.type).toBe('insufficient_quota');
  });

  it('errors: a mid-stream error chunk makes the SDK throw an APIError', async () => {
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 2 }, times: 1 });
    const stream = client.chat.completions.stream({ model: 'gpt-4o', messages: user('please fail half way through this answer') });
    const err = await stream.finalChatCompletion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toContain('The server had an error while processing your request');
  });

  it('errors: a 400 from validation carries the API message and param', async () => {
    const err = (await client.chat.completions
      .create({ model: 'gpt-5', max_tokens: 10, messages: user('x') })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.param).toBe('max_tokens');
    expect(err.code).toBe('unsupported_parameter');
  });
});
