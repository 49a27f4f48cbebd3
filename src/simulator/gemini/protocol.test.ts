/**
 * Gemini protocol behaviour: auth, request parsing and validation (schema subset, turn order, thought
 * signatures, thinking settings), countTokens, models, thoughts, usage and caching, the JSON-array
 * stream, and the request log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.js';
import { GEMINI_HEADERS } from '../test-support.js';

type Obj = Record<string, unknown>;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 23, label: 'gem' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const USER = { role: 'user', parts: [{ text: 'What is the weather in Paris today?' }] };
const BASE = { contents: [USER] };

async function post(model: string, body: unknown, op = 'generateContent', headers: Record<string, string> = GEMINI_HEADERS, query = '') {
  const res = await fetch(`${sim.url}/v1beta/models/${model}:${op}${query}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Obj | undefined;
  try {
    json = JSON.parse(text) as Obj;
  } catch {
    json = undefined;
  }
  return { res, text, json };
}

async function rejected(model: string, body: unknown): Promise<{ message: string; details?: Obj[] }> {
  const r = await post(model, body);
  expect(r.res.status, r.text).toBe(400);
  const e = r.json!.error as Obj;
  expect(e).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
  return e as { message: string; details?: Obj[] };
}

const parts = (r: { json?: Obj }): Obj[] => (((r.json!.candidates as Obj[])[0].content as Obj).parts as Obj[]) ?? [];
const usage = (r: { json?: Obj }): Obj => r.json!.usageMetadata as Obj;

describe('auth', () => {
  it('no key: 403 PERMISSION_DENIED; an empty key: 400 API_KEY_INVALID; ?key= works', async () => {
    const none = await post('gemini-2.5-flash', BASE, 'generateContent', { 'content-type': 'application/json' });
    expect(none.res.status).toBe(403);
    expect(none.json!.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED', message: expect.stringContaining('unregistered callers') as unknown });
    const empty = await post('gemini-2.5-flash', BASE, 'generateContent', { 'x-goog-api-key': '' });
    expect(empty.res.status).toBe(400);
    const details = (empty.json!.error as Obj).details as Obj[];
    expect(details[0]).toMatchObject({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' });
    const query = await post('gemini-2.5-flash', BASE, 'generateContent', { 'content-type': 'application/json' }, '?key=abc');
    expect(query.res.status).toBe(200);
    expect(query.res.headers.get('x-sim-label')).toBe('gem');
  });
});

describe('request parsing like the API', () => {
  it('invalid JSON and unknown fields (snake_case spellings accepted)', async () => {
    expect((await rejected('gemini-2.5-flash', '{"contents": [')).message).toMatch(/^Invalid JSON payload received\./);
    const unknown = await rejected('gemini-2.5-flash', { ...BASE, system: 'x', max_tokens: 5 });
    expect(unknown.message).toBe(
      'Invalid JSON payload received. Unknown name "system": Cannot find field.\nInvalid JSON payload received. Unknown name "max_tokens": Cannot find field.',
    );
    expect(unknown.details?.[0]).toMatchObject({ '@type': 'type.googleapis.com/google.rpc.BadRequest' });
    const snake = await post('gemini-2.5-flash', {
      contents: [USER],
      system_instruction: { parts: [{ text: 'Be brief.' }] },
      generation_config: { max_output_tokens: 200, thinking_config: { include_thoughts: true } },
    });
    expect(snake.res.status).toBe(200);
    expect(parts(snake)[0].thought).toBe(true);
  });

  it('the `parameters` schema accepts only the OpenAPI subset; every bad key is reported with its path', async () => {
    const e = await rejected('gemini-2.5-flash', {
      ...BASE,
      tools: [
        {
          functionDeclarations: [
            {
              name: 'Read',
              parameters: {
                $schema: 'http://json-schema.org/draft-07/schema#',
                type: 'object',
                additionalProperties: false,
                properties: { path: { type: 'string' }, limit: { type: 'integer', exclusiveMinimum: 0 }, tags: { type: 'array', items: { const: 'x' } } },
                required: ['path'],
              },
            },
          ],
        },
      ],
    });
    expect(e.message.split('\n')).toEqual([
      'Invalid JSON payload received. Unknown name "$schema" at \'tools[0].function_declarations[0].parameters\': Cannot find field.',
      'Invalid JSON payload received. Unknown name "additionalProperties" at \'tools[0].function_declarations[0].parameters\': Cannot find field.',
      'Invalid JSON payload received. Unknown name "exclusiveMinimum" at \'tools[0].function_declarations[0].parameters.properties[1].value\': Cannot find field.',
      'Invalid JSON payload received. Unknown name "const" at \'tools[0].function_declarations[0].parameters.properties[2].value.items\': Cannot find field.',
    ]);
    const fields = ((e.details![0] as Obj).fieldViolations as Obj[]).map((v) => v.field);
    expect(fields[0]).toBe('tools[0].function_declarations[0].parameters');
    const typeArray = await rejected('gemini-2.5-flash', {
      ...BASE,
      tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'object', properties: { a: { type: ['string', 'null'] } } } }] }],
    });
    expect(typeArray.message).toBe(
      "Invalid JSON payload received. Unknown name \"type\" at 'tools[0].function_declarations[0].parameters.properties[0].value': Proto field is not repeating, cannot start list.",
    );
    const declExtra = await rejected('gemini-2.5-flash', { ...BASE, tools: [{ functionDeclarations: [{ name: 'f', strict: true, input_examples: [] }] }] });
    expect(declExtra.message).toContain('Unknown name "strict" at \'tools[0].function_declarations[0]\'');
    const badType = await rejected('gemini-2.5-flash', { ...BASE, tools: [{ functionDeclarations: [{ name: 'f', parameters: { type: 'dict' } }] }] });
    expect(badType.message).toContain("Invalid value at 'tools[0].function_declarations[0].parameters.type'");
  });

  it('the cleaned subset and parametersJsonSchema (full JSON Schema) are accepted', async () => {
    const cleaned = {
      type: 'OBJECT',
      properties: { path: { type: 'STRING', description: 'file' }, mode: { type: 'string', enum: ['r', 'w'], nullable: true }, n: { type: 'integer', minimum: 1 } },
      required: ['path'],
      propertyOrdering: ['path', 'mode', 'n'],
    };
    expect((await post('gemini-2.5-flash', { ...BASE, tools: [{ functionDeclarations: [{ name: 'Read', description: 'd', parameters: cleaned }] }] })).res.status).toBe(200);
    const full = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: { limit: { type: ['integer', 'null'], exclusiveMinimum: 0 }, kind: { const: 'x' }, any: { oneOf: [{ type: 'string' }, { type: 'number' }] } },
    };
    expect((await post('gemini-2.5-flash', { ...BASE, tools: [{ functionDeclarations: [{ name: 'Read', parametersJsonSchema: full }] }] })).res.status).toBe(200);
    const both = await rejected('gemini-2.5-flash', { ...BASE, tools: [{ functionDeclarations: [{ name: 'Read', parameters: cleaned, parametersJsonSchema: full }] }] });
    expect(both.message).toContain('mutually exclusive');
  });

  it('semantic checks: schema references, enum types, function names', async () => {
    const e = await rejected('gemini-2.5-flash', {
      ...BASE,
      tools: [
        {
          functionDeclarations: [
            { name: 'mcp__server__tool name', parameters: { type: 'OBJECT', properties: { a: { type: 'INTEGER', enum: ['1'] } }, required: ['a', 'b'] } },
          ],
        },
      ],
    });
    expect(e.message).toContain('* GenerateContentRequest.tools[0].function_declarations[0].name: Invalid function name.');
    expect(e.message).toContain('* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[a].enum: only allowed for STRING type\n');
    expect(e.message).toContain('* GenerateContentRequest.tools[0].function_declarations[0].parameters.required[1]: property is not defined\n');
  });
});

describe('contents validation', () => {
  it('contents required; parts must not be empty; a part needs data; roles are user/model', async () => {
    expect((await rejected('gemini-2.5-flash', {})).message).toBe('* GenerateContentRequest.contents: contents is not specified\n');
    expect((await rejected('gemini-2.5-flash', { contents: [{ role: 'user', parts: [] }] })).message).toBe(
      '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n',
    );
    expect((await rejected('gemini-2.5-flash', { contents: [{ role: 'user', parts: [{ thought: true }] }] })).message).toBe(
      "* GenerateContentRequest.contents[0].parts[0].data: required oneof field 'data' must have one initialized field\n",
    );
    expect((await rejected('gemini-2.5-flash', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] })).message).toBe('Please use a valid role: user, model.');
    expect((await rejected('gemini-2.5-flash', { contents: [{ role: 'user', parts: [{ type: 'text', text: 'x' }] }] })).message).toContain('Unknown name "type"');
  });

  it('function responses must follow function calls, one response per call, in one content', async () => {
    const call = (name: string) => ({ functionCall: { name, args: {} } });
    const resp = (name: string) => ({ functionResponse: { name, response: { output: 'ok' } } });
    expect(
      (await rejected('gemini-2.5-flash', { contents: [USER, { role: 'user', parts: [resp('f')] }] })).message,
    ).toBe('Please ensure that function response turn comes immediately after a function call turn.');
    const split = await rejected('gemini-2.5-flash', {
      contents: [USER, { role: 'model', parts: [call('f'), call('g')] }, { role: 'user', parts: [resp('f')] }, { role: 'user', parts: [resp('g')] }],
    });
    expect(split.message).toBe('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
    expect((await rejected('gemini-2.5-flash', { contents: [{ role: 'model', parts: [call('f')] }, { role: 'user', parts: [resp('f')] }] })).message).toBe(
      'Please ensure that function call turn comes immediately after a user turn or after a function response turn.',
    );
    const arrayResponse = await rejected('gemini-2.5-flash', {
      contents: [USER, { role: 'model', parts: [call('f')] }, { role: 'user', parts: [{ functionResponse: { name: 'f', response: ['x'] } }] }],
    });
    expect(arrayResponse.message).toContain('Unknown name "response"');
    const ok = await post('gemini-2.5-flash', { contents: [USER, { role: 'model', parts: [call('f'), call('g')] }, { role: 'user', parts: [resp('f'), resp('g')] }] });
    expect(ok.res.status).toBe(200);
  });

  it('Gemini 3: the first function call of each step in the current turn must carry its thought signature', async () => {
    const signed = (name: string, sig?: string) => (sig === undefined ? { functionCall: { name, args: {} } } : { functionCall: { name, args: {} }, thoughtSignature: sig });
    const resp = { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 'ok' } } }] };
    const missing = await rejected('gemini-3-pro-preview', { contents: [USER, { role: 'model', parts: [signed('f')] }, resp] });
    expect(missing.message).toMatch(/^Function call is missing a thought_signature in functionCall parts\./);
    expect(missing.message).toContain('function call `default_api:f` , position 2.');
    // parallel calls: only the first needs one
    const parallel = { role: 'model', parts: [signed('f', 'EqQBCkYIBxgCKkB'), signed('g')] };
    const two = { role: 'user', parts: [resp.parts[0], { functionResponse: { name: 'g', response: {} } }] };
    expect((await post('gemini-3-pro-preview', { contents: [USER, parallel, two] })).res.status).toBe(200);
    // the documented placeholder passes; older turns are not checked; other models do not check
    expect((await post('gemini-3-pro-preview', { contents: [USER, { role: 'model', parts: [signed('f', 'skip_thought_signature_validator')] }, resp] })).res.status).toBe(200);
    const older = [USER, { role: 'model', parts: [signed('f')] }, resp, { role: 'model', parts: [{ text: 'done' }] }, { role: 'user', parts: [{ text: 'next' }] }];
    expect((await post('gemini-3-pro-preview', { contents: older })).res.status).toBe(200);
    expect((await post('gemini-2.5-flash', { contents: [USER, { role: 'model', parts: [signed('f')] }, resp] })).res.status).toBe(200);
    // a signature that is not base64 (e.g. still wrapped by a router) fails to parse
    const wrapped = await rejected('gemini-3-pro-preview', { contents: [USER, { role: 'model', parts: [signed('f', 'sy1:gemini:google:gemini-3:EqQB')] }, resp] });
    expect(wrapped.message).toBe('Invalid value at \'contents[1].parts[0].thought_signature\' (TYPE_BYTES), Base64 decoding failed for "sy1:gemini:google:gemini-3:EqQB"');
  });

  it('a signature the simulator issued is accepted when replayed', async () => {
    sim.script([{ content: [{ type: 'tool_use', name: 'f', input: { a: 1 } }] }]);
    const first = await post('gemini-3-pro-preview', BASE);
    const modelTurn = (first.json!.candidates as Obj[])[0].content as Obj;
    expect(typeof (modelTurn.parts as Obj[])[0].thoughtSignature).toBe('string');
    const next = await post('gemini-3-pro-preview', { contents: [USER, modelTurn, { role: 'user', parts: [{ functionResponse: { name: 'f', response: { output: 1 } } }] }] });
    expect(next.res.status).toBe(200);
  });

  it('thinking settings', async () => {
    const gc = (thinkingConfig: Obj) => ({ ...BASE, generationConfig: { thinkingConfig } });
    expect((await rejected('gemini-3-pro-preview', gc({ thinkingBudget: 100, thinkingLevel: 'LOW' }))).message).toBe(
      'You can only set only one of thinking budget and thinking level.',
    );
    expect((await rejected('gemini-3-pro-preview', gc({ thinkingLevel: 'MINIMAL' }))).message).toBe(
      'Thinking level MINIMAL is not supported for this model. Please retry with other thinking level.',
    );
    expect((await post('gemini-3-flash-preview', gc({ thinkingLevel: 'minimal' }))).res.status).toBe(200);
    expect((await rejected('gemini-2.5-pro', gc({ thinkingBudget: 0 }))).message).toBe('Budget 0 is invalid. This model only works in thinking mode.');
    expect((await rejected('gemini-2.5-flash', gc({ thinkingLevel: 'SOMETIMES' }))).message).toContain('thinking_level');
  });
});

describe('responses', () => {
  it('thinking budget 0 turns thinking off: no thoughts billed, no signature', async () => {
    const off = await post('gemini-2.5-flash', { ...BASE, generationConfig: { thinkingConfig: { thinkingBudget: 0 } } });
    expect(usage(off)).not.toHaveProperty('thoughtsTokenCount');
    expect(JSON.stringify(off.json)).not.toContain('thoughtSignature');
    const on = await post('gemini-2.5-flash', BASE);
    expect(usage(on).thoughtsTokenCount).toBeGreaterThan(0);
    expect(usage(on).totalTokenCount).toBe((usage(on).promptTokenCount as number) + (usage(on).candidatesTokenCount as number) + (usage(on).thoughtsTokenCount as number));
  });

  it('a scripted thinking signature is what the function call carries', async () => {
    sim.script([{ content: [{ type: 'thinking', thinking: 'plan', signature: 'Q2lnbmF0dXJl' }, { type: 'tool_use', name: 'f', input: {} }] }]);
    expect(parts(await post('gemini-3-pro-preview', BASE))).toEqual([{ functionCall: { name: 'f', args: {} }, thoughtSignature: 'Q2lnbmF0dXJl' }]);
  });

  it('scripted usage overrides map to Gemini counts (output includes thoughts)', async () => {
    sim.script([{ content: [{ type: 'thinking', thinking: 'a long plan '.repeat(10) }, { type: 'text', text: 'x' }], usage: { input_tokens: 50, cache_read_input_tokens: 30, output_tokens: 40 } }]);
    const u = usage(await post('gemini-2.5-flash', BASE));
    expect(u.promptTokenCount).toBe(80);
    expect(u.cachedContentTokenCount).toBe(30);
    expect((u.candidatesTokenCount as number) + (u.thoughtsTokenCount as number)).toBe(40);
    expect(u.totalTokenCount).toBe(120);
  });

  it('implicit caching: a repeated long prefix is reported as cachedContentTokenCount', async () => {
    const system = { parts: [{ text: 'You are a meticulous assistant. '.repeat(200) }] };
    const a = usage(await post('gemini-2.5-flash', { systemInstruction: system, contents: [USER] }));
    expect(a).not.toHaveProperty('cachedContentTokenCount');
    const b = usage(await post('gemini-2.5-flash', { systemInstruction: system, contents: [{ role: 'user', parts: [{ text: 'other' }] }] }));
    expect(b.cachedContentTokenCount as number).toBeGreaterThanOrEqual(1024);
    expect(b.cachedContentTokenCount as number).toBeLessThan(b.promptTokenCount as number);
    expect(b.cacheTokensDetails).toEqual([{ modality: 'TEXT', tokenCount: b.cachedContentTokenCount }]);
  });

  it('countTokens: {contents} or {generateContentRequest}, equal to promptTokenCount', async () => {
    const body = { systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [USER] };
    const gen = usage(await post('gemini-2.5-flash', body));
    const wrapped = await post('gemini-2.5-flash', { generateContentRequest: { model: 'models/gemini-2.5-flash', ...body } }, 'countTokens');
    expect(wrapped.json).toEqual({ totalTokens: gen.promptTokenCount, promptTokensDetails: [{ modality: 'TEXT', tokenCount: gen.promptTokenCount }] });
    const plain = await post('gemini-2.5-flash', { contents: [USER] }, 'countTokens');
    expect(plain.json!.totalTokens as number).toBeLessThan(gen.promptTokenCount as number);
    const bad = await post('gemini-2.5-flash', { contents: [] }, 'countTokens');
    expect((bad.json!.error as Obj).message).toBe('* CountTokensRequest.contents: contents is not specified\n');
    sim.script([{ content: [{ type: 'text', text: 'scripted' }] }]);
    await post('gemini-2.5-flash', { contents: [USER] }, 'countTokens');
    // countTokens does not use up the scripted turn
    expect(parts(await post('gemini-2.5-flash', BASE))).toEqual([{ text: 'scripted' }]);
  });

  it('streamGenerateContent without alt=sse streams one JSON array', async () => {
    sim.script([{ content: [{ type: 'text', text: 'one two three four five six seven eight nine ten eleven twelve' }] }]);
    const r = await post('gemini-2.0-flash', BASE, 'streamGenerateContent');
    expect(r.res.headers.get('content-type')).toContain('application/json');
    const arr = JSON.parse(r.text) as Obj[];
    expect(arr.length).toBeGreaterThan(2);
    expect(arr.map((c) => (((c.candidates as Obj[])[0].content as Obj).parts as Obj[]).map((p) => p.text).join('')).join('')).toBe(
      'one two three four five six seven eight nine ten eleven twelve',
    );
    expect((arr[arr.length - 1].candidates as Obj[])[0].finishReason).toBe('STOP');
  });

  it('faults in the JSON-array stream keep the array framing', async () => {
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 0 }, times: 1 });
    const first = await post('gemini-2.0-flash', BASE, 'streamGenerateContent');
    expect(JSON.parse(first.text)).toEqual([{ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }]);
    sim.script([{ content: [{ type: 'text', text: 'one two three four five six seven eight nine ten eleven twelve' }] }]);
    sim.fault({ fault: { kind: 'stream_error', afterEvents: 2, errorType: 'INTERNAL' }, times: 1 });
    const later = JSON.parse((await post('gemini-2.0-flash', BASE, 'streamGenerateContent')).text) as Obj[];
    expect(later).toHaveLength(3);
    expect(later[2]).toMatchObject({ error: { code: 500, status: 'INTERNAL' } });
    sim.fault({ fault: { kind: 'malformed', afterEvents: 0 }, times: 1 });
    const bad = await post('gemini-2.0-flash', BASE, 'streamGenerateContent');
    expect(bad.text.startsWith('[{')).toBe(true);
    expect(() => JSON.parse(bad.text) as unknown).toThrow();
  });

  it('generated answers follow functionCallingConfig mode ANY and responseMimeType', async () => {
    const tools = [{ functionDeclarations: [{ name: 'get_weather' }, { name: 'get_time' }] }];
    const any = await post('gemini-2.0-flash', { ...BASE, tools, toolConfig: { functionCallingConfig: { mode: 'ANY' } } });
    expect(parts(any)).toEqual([{ functionCall: { name: 'get_weather', args: {} } }]);
    const allowed = await post('gemini-2.0-flash', { ...BASE, tools, toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_time'] } } });
    expect(parts(allowed)).toEqual([{ functionCall: { name: 'get_time', args: {} } }]);
    expect(parts(await post('gemini-2.0-flash', { ...BASE, tools, toolConfig: { functionCallingConfig: { mode: 'AUTO' } } }))[0]).toHaveProperty('text');
    const json = await post('gemini-2.0-flash', { ...BASE, generationConfig: { responseMimeType: 'application/json' } });
    expect(JSON.parse(parts(json)[0].text as string)).toEqual({ reply: 'Simulated reply from gemini-2.0-flash via gem: What is the weather in Paris today?' });
  });

  it('models: list with paging, lookup, 404 in Gemini shape', async () => {
    const list = (await (await fetch(`${sim.url}/v1beta/models?pageSize=2`, { headers: GEMINI_HEADERS })).json()) as { models: Obj[]; nextPageToken?: string };
    expect(list.models.map((m) => m.name)).toEqual(['models/gemini-3-pro-preview', 'models/gemini-3-flash-preview']);
    const next = (await (await fetch(`${sim.url}/v1beta/models?pageSize=2&pageToken=${list.nextPageToken}`, { headers: GEMINI_HEADERS })).json()) as { models: Obj[] };
    expect(next.models[0].name).toBe('models/gemini-2.5-pro');
    const one = (await (await fetch(`${sim.url}/v1beta/models/gemini-2.5-flash`, { headers: GEMINI_HEADERS })).json()) as Obj;
    expect(one).toMatchObject({ name: 'models/gemini-2.5-flash', supportedGenerationMethods: expect.arrayContaining(['generateContent', 'countTokens']) as unknown });
    const missing = await fetch(`${sim.url}/v1beta/models/gpt-4o`, { headers: GEMINI_HEADERS });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: Obj }).error.status).toBe('NOT_FOUND');
    const unknownOp = await fetch(`${sim.url}/v1beta/models/gemini-2.5-flash:embedContent`, { method: 'POST', headers: GEMINI_HEADERS, body: '{}' });
    expect(unknownOp.status).toBe(404);
    expect(((await unknownOp.json()) as { error: Obj }).error.status).toBe('NOT_FOUND');
  });

  it('the log records protocol, model from the path and stream', async () => {
    await post('gemini-2.5-flash', BASE, 'streamGenerateContent', GEMINI_HEADERS, '?alt=sse');
    await post('gemini%2D2.0-flash', BASE);
    expect(sim.requests.map((r) => [r.protocol, r.model, r.stream, r.query])).toEqual([
      ['gemini', 'gemini-2.5-flash', true, 'alt=sse'],
      ['gemini', 'gemini-2.0-flash', false, ''],
    ]);
  });
});
