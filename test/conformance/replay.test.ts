import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { loadCases, type AnthropicUsage, type OpenAIUsage, type ReplayCase, type ToolCall, type Wire } from './replay-fixtures.js';

/**
 * Recorded provider responses through the router. Every successful recorded response in
 * `shared/fixtures/recorded/{anthropic,openai,gemini}/` is served verbatim by the simulator's replay mode from a
 * provider of its own wire format, and read through Switchyard with the official Anthropic and OpenAI SDKs
 * (streaming recordings with streaming requests, JSON bodies with non-streaming ones). The expected outcome is folded
 * from the recording itself in `replay-fixtures.ts` (not through the router's codecs): the text, the tool calls
 * (names and parsed arguments, in order), the stop reason (wire-formats 5.9.1) and the usage (5.9.2: input with its
 * cache split as the client format expresses it, and output) must all survive.
 *
 * - Multi-interaction cassettes: every interaction's response is its own case (`<file>#<n>`), replayed in
 *   recording order; the multi-attempt JSON (`openai-chat-cached-input-tokens`) likewise (`#attempt<n>`).
 * - Same-format pairs (Anthropic recording → Anthropic client, OpenAI recording → OpenAI client) go through the
 *   passthrough path and must show the recorded numbers; the other pairs go through the canonical form.
 * - Server-side tool blocks (Anthropic `server_tool_use` / `web_*_tool_result` / `mcp_*`, Gemini code execution and
 *   grounding) are not client tool calls: they are not among the expected tool calls, and the text around them must
 *   survive in both client formats, so none of these recordings had to be skipped.
 * - A recording without usage (`openai--anthropic-fallback-tool-call.sse`, `openai--chat-streaming.yaml#0`) has no
 *   usage to carry; its usage is not asserted (the router reports an estimate there).
 */

/** Every recorded response left out, with the reason. The test below checks this list against the folders. */
const SKIPPED: Record<string, string> = {
  'anthropic--anthropic-issue-17366-error.json': 'error response',
  'anthropic--test_anthropic_count_tokens_error.yaml#0': 'error response (404)',
  'anthropic--test_anthropic_explicit_effort_xhigh_unsupported_model_errors.yaml#0': 'error response (400)',
  'openai--chat-bad-request.yaml#0': 'error response (400)',
  'openai--chat-unknown-model.yaml#0': 'error response (404)',
  'openai--reasoning-model-legacy-parameter-error.json': 'error response',
  'openai--test_openai_model_thinking_part.yaml#0': 'not a openai generation call (https://api.openai.com/v1/responses)',
  'openai--test_openai_o1_mini_system_role[developer].yaml#0': 'error response (400)',
  'openai--test_openai_web_search_tool_model_not_supported.yaml#0': 'error response (400)',
  'gemini--google-429-retry-info.json': 'error response',
  'gemini--google-thinking-level-minimal-unsupported.json': 'error response',
  'gemini--test_google_model_image_url_input.yaml#0':
    'not a gemini generation call (https://t3.ftcdn.net/jpg/00/85/79/92/360_F_85799278_0BBGV9OAdQDTLnKwAPBCcg1J7QtiieJY.jpg)',
};

type Client = 'anthropic' | 'openai';

/**
 * Cases that fail because of a router/codec bug (`<case id> <client>` → the bug). They run as `it.fails` so the suite
 * stays green until the fix lands; remove the entry with the fix.
 */
const KNOWN_BUGS: Record<string, string> = {};

const PROVIDER: Record<Wire, string> = { anthropic: 'anthropic', openai: 'openai', gemini: 'google-ai-studio' };

/**
 * OpenAI-format recordings come from several vendors; each is replayed from a provider configured like that vendor
 * (built-in presets carry their dialect quirks), so e.g. Mistral's content-part arrays are read as Mistral's.
 */
const OPENAI_VENDORS: Array<[prefix: string, provider: string]> = [
  ['openai--deepseek-', 'deepseek'],
  ['openai--groq-', 'groq'],
  ['openai--mistral-', 'mistral'],
  ['openai--xai-', 'xai'],
  ['openai--cerebras-', 'cerebras'],
  // Anthropic's OpenAI-compatible endpoint: a custom provider declared with its dialect quirk.
  ['openai--anthropic-fallback-', 'anthropic-compat'],
];

function providerFor(c: ReplayCase): string {
  if (c.wire !== 'openai') return PROVIDER[c.wire];
  return OPENAI_VENDORS.find(([prefix]) => c.id.startsWith(prefix))?.[1] ?? 'openai';
}

const { cases, skipped } = loadCases();

let h: Harness;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  const sim = await startSimulator({ port: 0 });
  h = await startHarness(
    {
      providers: {
        openai: { api_key: 'sk-openai-test-0001', base_url: `${sim.url}/v1` },
        deepseek: { api_key: 'sk-deepseek-test-0001', base_url: `${sim.url}/v1` },
        groq: { api_key: 'gsk-groq-test-0001', base_url: `${sim.url}/v1` },
        mistral: { api_key: 'mistral-test-0001', base_url: `${sim.url}/v1` },
        xai: { api_key: 'xai-test-0001', base_url: `${sim.url}/v1` },
        cerebras: { api_key: 'csk-cerebras-test-0001', base_url: `${sim.url}/v1` },
        'anthropic-compat': { format: 'openai', api_key: 'sk-ant-compat-0001', base_url: `${sim.url}/v1`, quirks: { normalizeResponses: true } },
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

interface Got {
  text: string;
  tools: ToolCall[];
  stop: string | null;
  usage: AnthropicUsage | OpenAIUsage | null;
}

const PROMPT = 'Replay the recorded answer.';

/** One declared tool per name the recording calls (the schema is irrelevant to a replay). */
function toolNames(c: ReplayCase): string[] {
  return [...new Set(c.expected.tools.map((t) => t.name))];
}

async function viaAnthropic(c: ReplayCase): Promise<Got> {
  const tools: Anthropic.Tool[] = toolNames(c).map((name) => ({ name, description: `The ${name} tool`, input_schema: { type: 'object' } }));
  const params: Anthropic.MessageCreateParamsNonStreaming = {
    model: `${providerFor(c)}/${c.model}`,
    max_tokens: 1024,
    messages: [{ role: 'user', content: PROMPT }],
    ...(tools.length > 0 ? { tools } : {}),
  };
  const msg = c.stream ? await anthropic.messages.stream(params).finalMessage() : await anthropic.messages.create(params);
  const u = msg.usage;
  return {
    text: msg.content
      .filter((b): b is Anthropic.TextBlock => b.type === 'text')
      .map((b) => b.text)
      .join(''),
    tools: msg.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use').map((b) => ({ name: b.name, input: b.input })),
    stop: msg.stop_reason,
    usage: {
      input_tokens: u.input_tokens,
      cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
      cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
      output_tokens: u.output_tokens,
    },
  };
}

async function viaOpenAI(c: ReplayCase): Promise<Got> {
  const tools: OpenAI.ChatCompletionTool[] = toolNames(c).map((name) => ({ type: 'function', function: { name, description: `The ${name} tool`, parameters: { type: 'object' } } }));
  const params: OpenAI.ChatCompletionCreateParamsNonStreaming = {
    model: `${providerFor(c)}/${c.model}`,
    messages: [{ role: 'user', content: PROMPT }],
    ...(tools.length > 0 ? { tools } : {}),
  };
  const completion = c.stream
    ? await openai.chat.completions.stream({ ...params, stream: true, stream_options: { include_usage: true } }).finalChatCompletion()
    : await openai.chat.completions.create(params);
  const choice = completion.choices[0];
  const u = completion.usage;
  return {
    text: choice.message.content ?? '',
    tools: (choice.message.tool_calls ?? []).map((tc) => {
      const fn = (tc as OpenAI.ChatCompletionMessageFunctionToolCall).function;
      return { name: fn.name, input: JSON.parse(fn.arguments) as unknown };
    }),
    stop: choice.finish_reason,
    usage: u ? { prompt_tokens: u.prompt_tokens, cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0, completion_tokens: u.completion_tokens } : null,
  };
}

const CLIENTS: Record<Client, (c: ReplayCase) => Promise<Got>> = { anthropic: viaAnthropic, openai: viaOpenAI };

describe('recorded responses', () => {
  it('every recording is replayed or listed in SKIPPED with its reason', () => {
    expect(Object.fromEntries(skipped.map((s) => [s.id, s.reason]))).toEqual(SKIPPED);
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(SKIPPED[c.id]).toBeUndefined();
  });
});

describe.each(['anthropic', 'openai'] as const)('%s client', (client) => {
  for (const c of cases) {
    const bug = KNOWN_BUGS[`${c.id} ${client}`];
    const test = bug ? it.fails : it;
    test(`${c.id} (${c.wire}, ${c.stream ? 'stream' : 'json'})`, async () => {
      h.sim.replay(c.response);
      const got = await CLIENTS[client](c);
      // The recording answered the one upstream call (no retry, no generated answer).
      expect(h.sim.requests.map((r) => [r.protocol, r.stream, r.replayed])).toEqual([[c.wire, c.stream, true]]);
      expect(got.text).toBe(c.expected.text);
      expect(got.tools).toEqual(c.expected.tools);
      expect(got.stop).toBe(c.expected.stop[client]);
      if (c.expected.usage) expect(got.usage).toEqual(c.expected.usage[client]);
    });
  }
});
