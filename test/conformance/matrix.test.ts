import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScriptedTurn } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * The conformance matrix: each client format (through its official SDK) against each upstream format (the simulator
 * speaking that provider's protocol), streaming and not, for each kind of content. The SDKs' own parsers must accept
 * every answer.
 */
const UPSTREAMS = {
  anthropic: 'anthropic/claude-sonnet-4-6',
  openai: 'openai/gpt-5.1',
  gemini: 'google-ai-studio/gemini-3-pro-preview',
} as const;
type Upstream = keyof typeof UPSTREAMS;

// 1x1 transparent PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

let h: Harness;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  const { startSimulator } = await import('../../src/simulator/index.js');
  const sim = await startSimulator({ port: 0 });
  h = await startHarness(
    {
      providers: {
        openai: { api_key: 'sk-openai-test-0001', base_url: `${sim.url}/v1` },
        'google-ai-studio': { api_key: 'gemini-test-key-0001', base_url: sim.url },
      },
    },
    { sim },
  );
  anthropic = new Anthropic({ baseURL: h.url, apiKey: h.key, maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.key, maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
  await h.sim.close();
});
beforeEach(() => h.sim.reset());

const TEXT: ScriptedTurn = { content: [{ type: 'text', text: 'The quick brown fox jumps over the lazy dog.' }] };
const TOOL: ScriptedTurn = { content: [{ type: 'tool_use', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } }] };
const PARALLEL: ScriptedTurn = {
  content: [
    { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } },
    { type: 'tool_use', name: 'get_time', input: { zone: 'Europe/Paris' } },
  ],
};
const THINKING: ScriptedTurn = { content: [{ type: 'thinking', thinking: 'Let me think about the answer carefully.' }, { type: 'text', text: 'Forty-two.' }] };

const anthropicTools: Anthropic.Tool[] = [
  { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] } },
  { name: 'get_time', description: 'Time in a zone', input_schema: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } },
];
const openaiTools: OpenAI.ChatCompletionTool[] = anthropicTools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.input_schema as Record<string, unknown> } }));

type Outcome = { text: string; thinking: string; tools: Array<{ name: string; input: unknown }>; stop: string; model: string };

async function viaAnthropic(upstream: Upstream, stream: boolean, extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}): Promise<Outcome> {
  const params: Anthropic.MessageCreateParamsNonStreaming = { model: UPSTREAMS[upstream], max_tokens: 2048, messages: [{ role: 'user', content: 'What is the weather in Paris?' }], tools: anthropicTools, ...extra };
  const msg = stream ? await anthropic.messages.stream(params).finalMessage() : await anthropic.messages.create(params);
  return {
    text: msg.content.filter((b): b is Anthropic.TextBlock => b.type === 'text').map((b) => b.text).join(''),
    thinking: msg.content.filter((b): b is Anthropic.ThinkingBlock => b.type === 'thinking').map((b) => b.thinking).join(''),
    tools: msg.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use').map((b) => ({ name: b.name, input: b.input })),
    stop: msg.stop_reason ?? '',
    model: msg.model,
  };
}

async function viaOpenAI(upstream: Upstream, stream: boolean, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}): Promise<Outcome> {
  const params: OpenAI.ChatCompletionCreateParamsNonStreaming = { model: UPSTREAMS[upstream], messages: [{ role: 'user', content: 'What is the weather in Paris?' }], tools: openaiTools, ...extra };
  const completion = stream ? await openai.chat.completions.stream({ ...params, stream: true, stream_options: { include_usage: true } }).finalChatCompletion() : await openai.chat.completions.create(params);
  const choice = completion.choices[0];
  const message = choice.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
  return {
    text: message.content ?? '',
    thinking: message.reasoning_content ?? '',
    tools: (message.tool_calls ?? []).map((c) => ({ name: (c as OpenAI.ChatCompletionMessageFunctionToolCall).function.name, input: JSON.parse((c as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments) as unknown })),
    stop: choice.finish_reason,
    model: completion.model,
  };
}

const CLIENTS = { anthropic: viaAnthropic, openai: viaOpenAI } as const;
const STOP = { anthropic: { end: 'end_turn', tool: 'tool_use' }, openai: { end: 'stop', tool: 'tool_calls' } } as const;

describe.each(['anthropic', 'openai'] as const)('%s client', (client) => {
  describe.each(Object.keys(UPSTREAMS) as Upstream[])('→ %s upstream', (upstream) => {
    describe.each([false, true])('stream=%s', (stream) => {
      const call = CLIENTS[client];

      it('text', async () => {
        h.sim.script([TEXT]);
        const out = await call(upstream, stream);
        expect(out.text).toBe('The quick brown fox jumps over the lazy dog.');
        expect(out.tools).toEqual([]);
        expect(out.stop).toBe(STOP[client].end);
        expect(out.model).toBe(UPSTREAMS[upstream]);
      });

      it('tool call', async () => {
        h.sim.script([TOOL]);
        const out = await call(upstream, stream);
        expect(out.tools).toEqual([{ name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } }]);
        expect(out.stop).toBe(STOP[client].tool);
      });

      it('parallel tool calls', async () => {
        h.sim.script([PARALLEL]);
        const out = await call(upstream, stream);
        expect(out.tools).toEqual([
          { name: 'get_weather', input: { city: 'Paris' } },
          { name: 'get_time', input: { zone: 'Europe/Paris' } },
        ]);
        expect(out.stop).toBe(STOP[client].tool);
      });

      it('thinking / reasoning', async () => {
        h.sim.script([THINKING]);
        const out =
          client === 'anthropic'
            ? await viaAnthropic(upstream, stream, { thinking: { type: 'enabled', budget_tokens: 1024 } })
            : await viaOpenAI(upstream, stream, { reasoning_effort: 'medium' });
        expect(out.text).toBe('Forty-two.');
        // OpenAI's streaming helper drops the non-standard reasoning_content field; non-streaming keeps it.
        if (client === 'anthropic' || !stream) expect(out.thinking).toBe('Let me think about the answer carefully.');
      });

      it('image input reaches the upstream in its own format', async () => {
        h.sim.script([TEXT]);
        if (client === 'anthropic') {
          await viaAnthropic(upstream, stream, { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'text', text: 'Describe it.' }] }] });
        } else {
          await viaOpenAI(upstream, stream, { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }, { type: 'text', text: 'Describe it.' }] }] });
        }
        const sent = JSON.parse(h.sim.requests.at(-1)!.body.toString()) as Record<string, unknown>;
        const text = JSON.stringify(sent);
        expect(text).toContain(PNG);
        if (upstream === 'anthropic') expect(text).toContain('"media_type":"image/png"');
        if (upstream === 'openai') expect(text).toContain(`data:image/png;base64,${PNG}`);
        if (upstream === 'gemini') expect(text).toMatch(/"inlineData":\{"mimeType":"image\/png"/);
      });

      it('upstream error comes back in the client format with the upstream message', async () => {
        h.sim.fault({ fault: { kind: 'status', status: 429, retryAfter: 3, message: 'Too many requests for this test' } });
        const err = await call(upstream, stream).catch((e: unknown) => e);
        if (client === 'anthropic') expect(err).toBeInstanceOf(Anthropic.RateLimitError);
        else expect(err).toBeInstanceOf(OpenAI.RateLimitError);
        expect((err as Error).message).toMatch(/Too many requests for this test/);
      });
    });
  });
});

describe('count_tokens for every upstream format', () => {
  const body = { messages: [{ role: 'user' as const, content: 'How many tokens is this sentence, roughly speaking?' }], system: 'Be brief.', tools: anthropicTools };
  it.each(Object.keys(UPSTREAMS) as Upstream[])('%s: a positive count; exact from Anthropic, marked as an estimate otherwise', async (upstream) => {
    const { data, response } = await anthropic.messages.countTokens({ ...body, model: UPSTREAMS[upstream] }).withResponse();
    expect(data.input_tokens).toBeGreaterThan(20);
    expect(response.headers.get('x-switchyard-token-count')).toBe(upstream === 'anthropic' ? null : 'estimate');
    if (upstream === 'anthropic') expect(h.sim.requests.at(-1)!.path).toBe('/v1/messages/count_tokens');
  });
});
