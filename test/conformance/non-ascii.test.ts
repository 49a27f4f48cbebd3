import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openaiToolName } from '../../src/formats/openai/ids.js';
import { codecFor } from '../../src/formats/index.js';
import { estimateInputTokens, tokenizerFamilyFor } from '../../src/formats/tokens/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * Text outside ASCII through translated paths. Translation reads the client's body as byte strings when it can
 * (src/formats/canonical/byte-strings.ts) and as UTF-8 text when an escape or a tool name needs it; either way the
 * upstream must receive the client's text exactly, and the answer must come back as the upstream wrote it.
 */
const TEXT = 'Résumé → 日本語のテキスト, emoji 🎉👩‍💻, Ελληνικά, \u0000-free «quotes» and a tab\t.';
const TOOL_ARG = { ville: 'Zürich', note: '温度は？ ✓' };
const REPLY = 'Grüße aus 東京 🌸';

const UPSTREAMS = { openai: 'openai/gpt-5.1', gemini: 'google-ai-studio/gemini-3-pro-preview' } as const;

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

/** Every string in the upstream's JSON body, in order. */
function stringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringsIn(x, out);
  return out;
}

function upstreamStrings(): string[] {
  const sent = h.sim.requests.at(-1)!;
  // The upstream body must be valid UTF-8: decoding with fatal errors on proves no byte was mangled.
  const text = new TextDecoder('utf-8', { fatal: true }).decode(sent.body);
  return stringsIn(JSON.parse(text));
}

const messagesBody = {
  max_tokens: 200,
  system: `System: ${TEXT}`,
  messages: [
    { role: 'user' as const, content: TEXT },
    { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 'toolu_01', name: 'lookup', input: TOOL_ARG }] },
    { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_01', content: `Result: ${TEXT}` }] },
  ],
  tools: [{ name: 'lookup', description: `Looks up ${TEXT}`, input_schema: { type: 'object' as const, properties: { ville: { type: 'string', description: 'Größe' } } } }],
};

describe.each(Object.keys(UPSTREAMS) as Array<keyof typeof UPSTREAMS>)('non-ASCII text → %s upstream', (upstream) => {
  it('reaches the upstream exactly from the Anthropic SDK, and the answer comes back exactly', async () => {
    h.sim.script([{ content: [{ type: 'text', text: REPLY }] }]);
    const msg = await anthropic.messages.create({ model: UPSTREAMS[upstream], ...messagesBody });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: REPLY });
    const strings = upstreamStrings();
    for (const s of [TEXT, `System: ${TEXT}`, `Result: ${TEXT}`, `Looks up ${TEXT}`, 'Größe']) expect(strings).toContain(s);
    const args = strings.find((s) => s.includes('Zürich'));
    // OpenAI carries arguments as a JSON string, Gemini as an object.
    if (upstream === 'openai') expect(JSON.parse(args!)).toEqual(TOOL_ARG);
    else expect(strings).toEqual(expect.arrayContaining(['Zürich', '温度は？ ✓']));
  });

  it('reaches the upstream exactly when the client escapes every non-ASCII char (\\uXXXX)', async () => {
    h.sim.script([{ content: [{ type: 'text', text: REPLY }] }]);
    const escaped = JSON.stringify({ model: UPSTREAMS[upstream], ...messagesBody }).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expect(Buffer.from(escaped).length).toBe(escaped.length); // all ASCII
    const res = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': h.key, 'anthropic-version': '2023-06-01' }, body: escaped });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { content: Array<{ text: string }> }).content[0].text).toBe(REPLY);
    const strings = upstreamStrings();
    for (const s of [TEXT, `System: ${TEXT}`, `Result: ${TEXT}`, 'Größe']) expect(strings).toContain(s);
  });

  it('reaches the upstream exactly from the OpenAI SDK, streaming', async () => {
    h.sim.script([{ content: [{ type: 'text', text: REPLY }] }]);
    const stream = await openai.chat.completions.create({
      model: UPSTREAMS[upstream],
      stream: true,
      messages: [
        { role: 'developer', content: `Dev: ${TEXT}` },
        { role: 'user', content: TEXT },
      ],
      stop: ['終わり'],
      user: 'usuário-1',
    });
    let out = '';
    for await (const chunk of stream) out += chunk.choices[0]?.delta?.content ?? '';
    expect(out).toBe(REPLY);
    const strings = upstreamStrings();
    for (const s of [TEXT, `Dev: ${TEXT}`, '終わり']) expect(strings).toContain(s);
  });
});

it('a non-ASCII tool name (decoded as text) comes back to the client under its own name', async () => {
  // OpenAI function names are ASCII: the router sends a sanitised name and maps the upstream's call back.
  const name = 'météo_abrufen';
  h.sim.script([{ content: [{ type: 'tool_use', name: openaiToolName(name), input: { ort: 'Köln' } }] }]);
  const res = await fetch(`${h.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': h.key, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({
      model: UPSTREAMS.openai,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Wetter in Köln?' }],
      tools: [{ name, description: 'Wetter', input_schema: { type: 'object', properties: { ort: { type: 'string' } } } }],
    }),
  });
  expect(res.status).toBe(200);
  const msg = (await res.json()) as Anthropic.Message;
  expect(msg.content.find((b) => b.type === 'tool_use')).toMatchObject({ name, input: { ort: 'Köln' } });
  expect(upstreamStrings()).toContain('Wetter in Köln?');
});

/**
 * Long texts are not decoded at all on a translated path: they stay the client's bytes and are copied into the
 * upstream body (src/formats/json-scan/raw-strings.ts). They must arrive exactly, escapes included, and the streamed
 * input-token estimate must count them.
 */
describe.each(Object.keys(UPSTREAMS) as Array<keyof typeof UPSTREAMS>)('long texts (kept raw) → %s upstream', (upstream) => {
  const LONG = `${TEXT} "quoted" back\\slash\nnew line `.repeat(12);
  const longBody = {
    max_tokens: 200,
    system: [{ type: 'text' as const, text: `System: ${LONG}` }],
    messages: [
      { role: 'user' as const, content: LONG },
      { role: 'assistant' as const, content: [{ type: 'text' as const, text: `Looking: ${LONG}` }, { type: 'tool_use' as const, id: 'toolu_01', name: 'lookup', input: { query: LONG } }] },
      { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_01', content: [{ type: 'text' as const, text: `Result: ${LONG}` }] }] },
    ],
    tools: [{ name: 'lookup', description: `Looks up ${LONG}`, input_schema: { type: 'object' as const, properties: { query: { type: 'string' } } } }],
  };

  it('reach the upstream exactly from the Anthropic SDK', async () => {
    expect(Buffer.byteLength(JSON.stringify(LONG))).toBeGreaterThan(1024);
    h.sim.script([{ content: [{ type: 'text', text: REPLY }] }]);
    const msg = await anthropic.messages.create({ model: UPSTREAMS[upstream], ...longBody });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: REPLY });
    const strings = upstreamStrings();
    for (const s of [LONG, `System: ${LONG}`, `Result: ${LONG}`, `Looks up ${LONG}`]) expect(strings).toContain(s);
    // The assistant's text: on its own (Gemini part) or joined with nothing else (OpenAI content).
    expect(strings).toContain(`Looking: ${LONG}`);
    const args = strings.find((s) => s.includes('"query"'));
    if (upstream === 'openai') expect(JSON.parse(args!)).toEqual({ query: LONG });
    else expect(strings.filter((s) => s === LONG).length).toBeGreaterThanOrEqual(2); // the user text and the call's argument
  });

  it('reach the upstream exactly from the OpenAI SDK, streaming', async () => {
    h.sim.script([{ content: [{ type: 'text', text: REPLY }] }]);
    const stream = await openai.chat.completions.create({
      model: UPSTREAMS[upstream],
      stream: true,
      messages: [
        { role: 'developer', content: `Dev: ${LONG}` },
        { role: 'user', content: [{ type: 'text', text: LONG }] },
      ],
      tools: [{ type: 'function', function: { name: 'lookup', description: `Looks up ${LONG}`, parameters: { type: 'object', properties: {} } } }],
    });
    let out = '';
    for await (const chunk of stream) out += chunk.choices[0]?.delta?.content ?? '';
    expect(out).toBe(REPLY);
    const strings = upstreamStrings();
    for (const s of [LONG, `Dev: ${LONG}`, `Looks up ${LONG}`]) expect(strings).toContain(s);
  });
});

it('long texts (kept raw) are counted in the input-token estimate a translated stream starts with', async () => {
  // OpenAI sends usage only at the end, so message_start carries the router's estimate (Gemini's first chunk has counts).
  const upstream = 'openai';
  const ascii = 'Plain ASCII text that the estimator reads, with "quotes" and a \\ backslash.\n'.repeat(40);
  const body = { model: UPSTREAMS[upstream], max_tokens: 50, stream: true, system: ascii, messages: [{ role: 'user' as const, content: ascii }] };
  h.sim.script([{ content: [{ type: 'text', text: REPLY }] }]);
  const res = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': h.key, 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });
  const text = await res.text();
  const start = JSON.parse(/event: message_start\ndata: (.*)\n/.exec(text)![1]) as { message: { usage: { input_tokens: number } } };
  const [provider, model] = [UPSTREAMS[upstream].split('/')[0], UPSTREAMS[upstream].split('/').slice(1).join('/')];
  const expected = estimateInputTokens(codecFor('anthropic').decodeRequest({ ...body, model }), tokenizerFamilyFor(provider, model));
  expect(expected).toBeGreaterThan(500);
  expect(start.message.usage.input_tokens).toBe(expected);
});
