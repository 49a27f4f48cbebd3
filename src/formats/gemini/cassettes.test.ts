import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGeminiRequest } from './decode-request.js';
import { encodeGeminiRequest } from './encode-request.js';
import { sanitizeSchemaForGemini, toolParametersForGemini } from './schema.js';
import { thinkingStyle } from './thinking.js';
import { cassette, FIXTURES, type Loose } from './test-support.js';

type Obj = Record<string, Loose>;

const SNAKE: Record<string, string> = { parameters_json_schema: 'parametersJsonSchema', thinking_budget: 'thinkingBudget', include_thoughts: 'includeThoughts', thinking_level: 'thinkingLevel' };

function camel(o: unknown): unknown {
  if (Array.isArray(o)) return o.map(camel);
  if (typeof o !== 'object' || o === null) return o;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [SNAKE[k] ?? k, camel(v)]));
}

/**
 * The recorded request as this codec re-encodes it after decoding: the original with exactly the documented lossy
 * rewrites applied (README "What is lossy").
 */
function expected(original: Obj, model: string): Obj {
  const body = camel(structuredClone(original)) as Obj;
  if (body.systemInstruction) delete body.systemInstruction.role; // role is ignored by Gemini
  body.contents = (body.contents as Obj[]).map((c) => {
    let parts = (c.parts as Obj[])
      .filter((p) => !(p.thought === true && p.thoughtSignature === undefined)) // thought text is not replayed
      .filter((p) => !(p.text === '' && p.thoughtSignature === undefined)) // empty text parts are skipped
      .map((p) => {
        if (!p.functionResponse) return p;
        const r = p.functionResponse.response as Obj;
        const keys = Object.keys(r);
        // tool output travels as text; a structured response object becomes its JSON text
        const response = keys.length === 1 && (keys[0] === 'output' || keys[0] === 'error') ? r : { output: JSON.stringify(r) };
        return { functionResponse: { ...p.functionResponse, response } };
      });
    if (parts.length === 0) parts = [{ text: '.' }]; // placeholder for a turn with nothing to send
    return { ...c, parts };
  });
  for (const t of (body.tools ?? []) as Obj[]) {
    for (const d of (t.functionDeclarations ?? []) as Obj[]) {
      if (d.description === '') delete d.description;
      for (const f of ['parametersJsonSchema', 'parameters'] as const) {
        if (!d[f]) continue;
        const params = toolParametersForGemini(d[f], { field: f });
        if (params) d[f] = params;
        else delete d[f];
      }
    }
  }
  const thinking = body.generationConfig?.thinkingConfig;
  // "include thoughts" alone means dynamic thinking, which Gemini 2.5 is asked for explicitly
  if (thinking && thinking.thinkingBudget === undefined && thinking.thinkingLevel === undefined && thinkingStyle(model) === 'budget') thinking.thinkingBudget = -1;
  if (body.generationConfig?.responseSchema) body.generationConfig.responseSchema = sanitizeSchemaForGemini(body.generationConfig.responseSchema, { field: 'parameters' });
  if (body.generationConfig && Object.keys(body.generationConfig).length === 0) delete body.generationConfig;
  return body;
}

const files = readdirSync(path.join(FIXTURES, 'recorded/gemini')).filter((f) => f.endsWith('.yaml'));

describe('recorded Gemini requests: decodeRequest → encodeRequest', () => {
  it('covers every cassette', () => {
    expect(files).toHaveLength(10);
  });

  for (const file of files) {
    it(file, () => {
      let checked = 0;
      for (const interaction of cassette(file)) {
        if (!interaction.request || !interaction.uri.includes('generativelanguage.googleapis.com')) continue;
        const model = /models\/([^:]+):/.exec(interaction.uri)![1];
        const original = interaction.request;
        const decls = ((original.tools ?? []) as Obj[]).flatMap((t) => t.functionDeclarations ?? []);
        const field = decls.some((d: Obj) => d.parameters !== undefined) ? 'parameters' : 'parametersJsonSchema';
        const canonical = decodeGeminiRequest(original);
        const encoded = encodeGeminiRequest(canonical, { provider: 'google-ai-studio', model, quirks: { geminiSchemaField: field } });
        expect(encoded).toEqual(expected(original, model));
        checked++;
      }
      expect(checked).toBeGreaterThan(0);
    });
  }

  it('decodes what the requests say', () => {
    const [, second] = cassette('gemini--test_google_instructions_only_with_tool_calls.yaml');
    const req = decodeGeminiRequest(second.request);
    expect(req.system).toEqual([{ type: 'text', text: 'Tell three jokes. Generate topics with the generate_topic tool.' }]);
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(req.messages[1].content.map((b: Obj) => [b.type, b.id, b.signature !== undefined])).toEqual([
      ['tool_call', 'pyd_ai_df5891897e434a16add992cc09f10172', true],
      ['tool_call', 'pyd_ai_102eb2f935364e77bac26307e3428e2b', false],
      ['tool_call', 'pyd_ai_cc6e16722f9a428db81532521a689ea7', false],
    ]);
    // the Python SDK re-encodes signatures as base64url; they are kept byte for byte
    expect((req.messages[1].content[0] as Obj).signature).toBe((second.request as Obj).contents[1].parts[0].thoughtSignature);
    expect((req.messages[1].content[0] as Obj).signature).toContain('_');
    expect(req.messages[2].content).toEqual([
      { type: 'tool_result', toolCallId: 'pyd_ai_df5891897e434a16add992cc09f10172', name: 'generate_topic', content: [{ type: 'text', text: '{"return_value":"cars"}' }] },
      { type: 'tool_result', toolCallId: 'pyd_ai_102eb2f935364e77bac26307e3428e2b', name: 'generate_topic', content: [{ type: 'text', text: '{"return_value":"penguins"}' }] },
      { type: 'tool_result', toolCallId: 'pyd_ai_cc6e16722f9a428db81532521a689ea7', name: 'generate_topic', content: [{ type: 'text', text: '{"return_value":"cars"}' }] },
    ]);
    expect(req.toolChoice).toEqual({ type: 'any' });
    expect(req.tools).toEqual([
      { name: 'generate_topic', inputSchema: { additionalProperties: false, properties: {}, type: 'object' } },
      { name: 'final_result', description: 'The final response which ends this conversation', inputSchema: { properties: { response: { items: { type: 'string' }, type: 'array' } }, required: ['response'], type: 'object' } },
    ]);
    expect(req.extensions.gemini).toEqual({
      toolConfig: { functionCallingConfig: { allowedFunctionNames: ['generate_topic', 'final_result'], mode: 'ANY' } },
      generationConfig: { responseModalities: ['TEXT'] },
    });
  });

  it('reads OpenAPI `parameters`, thinking budgets and images', () => {
    const [first] = cassette('gemini--test_google_model_iter_stream.yaml');
    expect(decodeGeminiRequest(first.request).tools![0]).toEqual({
      name: 'get_capital',
      description: 'Get the capital of a country.',
      inputSchema: { properties: { country: { description: 'The country name.', type: 'string' } }, required: ['country'], type: 'object' },
    });
    const [max] = cassette('gemini--test_google_model_max_tokens.yaml');
    const m = decodeGeminiRequest(max.request);
    expect([m.maxTokens, m.thinking]).toEqual([5, { type: 'disabled' }]);
    const [thinking] = cassette('gemini--test_google_model_thinking_part.yaml');
    expect(decodeGeminiRequest(thinking.request).thinking).toEqual({ type: 'adaptive' });
    const [, image] = cassette('gemini--test_google_model_image_url_input.yaml');
    const img = decodeGeminiRequest(image.request).messages[0].content[1] as Obj;
    expect(img.type).toBe('image');
    expect(img.source.kind).toBe('base64');
    expect(img.source.mediaType).toBe('image/jpeg');
    expect(img.source.data).toHaveLength(42416);
    const [search] = cassette('gemini--test_google_model_web_search_tool.yaml');
    expect(decodeGeminiRequest(search.request).extensions.gemini).toEqual({ tools: [{ googleSearch: {} }] });
  });
});
