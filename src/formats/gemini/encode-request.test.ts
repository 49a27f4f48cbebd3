import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProviderQuirks, UpstreamTarget } from '../canonical/codec.js';
import type { ContentBlock, Message, Request, SignatureOrigin, TextBlock } from '../canonical/types.js';
import { SKIP_SIGNATURE } from './contents.js';
import { encodeGeminiRequest } from './encode-request.js';
import { FIXTURES, type Loose } from './test-support.js';

type Obj = Record<string, Loose>;

function target(model = 'gemini-2.5-flash', quirks: ProviderQuirks = {}, extra: Partial<UpstreamTarget> = {}): UpstreamTarget {
  return { provider: 'google-ai-studio', model, quirks, ...extra };
}

function request(messages: Message[], extra: Partial<Request> = {}): Request {
  return { model: 'm', system: [], messages, stream: false, extensions: {}, ...extra };
}

const user = (...content: ContentBlock[]): Message => ({ role: 'user', content });
const assistant = (...content: ContentBlock[]): Message => ({ role: 'assistant', content });
const text = (t: string): TextBlock => ({ type: 'text', text: t });
const encode = (req: Request, t = target()) => encodeGeminiRequest(req, t) as Obj;

/** A minimal Anthropic → canonical reading of a recorded Claude Code body (only what these requests contain). */
function claudeCodeRequest(line: number): Request {
  const raw = readFileSync(path.join(FIXTURES, 'claude-code/p-json-bash.jsonl'), 'utf8').split('\n')[line];
  const body = (JSON.parse(raw) as { body: Obj }).body;
  const blocks = (content: unknown): ContentBlock[] => {
    if (typeof content === 'string') return [{ type: 'text', text: content }];
    return (content as Obj[]).map((b): ContentBlock => {
      if (b.type === 'text') return { type: 'text', text: b.text };
      if (b.type === 'tool_use') return { type: 'tool_call', id: b.id, name: b.name, input: b.input };
      if (b.type === 'tool_result') return { type: 'tool_result', toolCallId: b.tool_use_id, content: blocks(b.content) as never, isError: b.is_error };
      throw new Error(`unexpected block ${b.type}`);
    });
  };
  return {
    model: body.model,
    system: (body.system as Obj[]).map((b) => ({ type: 'text', text: b.text })),
    messages: (body.messages as Obj[]).map((m) => ({ role: m.role, content: blocks(m.content) })),
    maxTokens: body.max_tokens,
    stream: body.stream,
    tools: (body.tools as Obj[]).map((t) => ({ name: t.name, description: t.description, inputSchema: t.input_schema })),
    thinking: { type: 'adaptive' },
    reasoningEffort: body.output_config?.effort,
    extensions: {},
  };
}

describe('encodeRequest: a recorded Claude Code turn', () => {
  const req = claudeCodeRequest(1);
  const body = encode(req, target('gemini-3-pro-preview', {}, { maxOutputTokens: 32768 }));

  it('drops the billing header, keeps the system blocks and folds the mid-conversation system message', () => {
    const sys = body.systemInstruction.parts.map((p: Obj) => p.text as string);
    expect(sys).toHaveLength(3);
    expect(sys[0]).toBe("You are a Claude agent, built on Anthropic's Claude Agent SDK.");
    expect(sys[1]).toBe(req.system[2].text);
    expect(sys[2].startsWith('Available agent types for the Agent tool:')).toBe(true);
    expect(JSON.stringify(body)).not.toContain('x-anthropic-billing-header');
    expect(body.systemInstruction.role).toBeUndefined();
  });

  it('alternates user/model contents with the tool result answering the call by name and id', () => {
    expect(body.contents.map((c: Obj) => c.role)).toEqual(['user', 'model', 'user']);
    expect(body.contents[0].parts).toEqual([{ text: (req.messages[0].content[0] as { text: string }).text }, { text: 'create out.txt containing hi' }]);
    expect(body.contents[1].parts).toEqual([
      {
        functionCall: { id: 'toolu_Z4Ag9x7GeAqCEU4p', name: 'Bash', args: { command: 'echo hi > out.txt', description: 'Create out.txt' } },
        // Claude's turn has no Gemini signature; Gemini 3 requires one on the first call of a step.
        thoughtSignature: SKIP_SIGNATURE,
      },
    ]);
    expect(body.contents[2].parts).toEqual([{ functionResponse: { id: 'toolu_Z4Ag9x7GeAqCEU4p', name: 'Bash', response: { output: '(Bash completed with no output)' } } }]);
  });

  it('declares all 24 tools with sanitised schemas, no-arg tools without parameters', () => {
    const decls = body.tools[0].functionDeclarations as Obj[];
    expect(decls).toHaveLength(24);
    expect(body.tools).toHaveLength(1);
    for (const d of decls) expect(Object.keys(d).every((k) => ['name', 'description', 'parametersJsonSchema'].includes(k)), d.name).toBe(true);
    expect(decls.filter((d) => d.parametersJsonSchema === undefined).map((d) => d.name)).toEqual(['CronList', 'TaskList']);
    const text = JSON.stringify(decls);
    for (const kw of ['$schema', 'additionalProperties', 'propertyNames', 'exclusiveMinimum', '"const"', '"format":"uri"']) expect(text).not.toContain(kw);
    expect(body.toolConfig).toBeUndefined();
  });

  it('clamps max_tokens, asks for thoughts at the requested effort', () => {
    expect(body.generationConfig).toEqual({ maxOutputTokens: 32768, thinkingConfig: { thinkingLevel: 'HIGH', includeThoughts: true } });
  });

  it('sends the schemas as `parameters` with OpenAPI types when the provider is configured so', () => {
    const legacy = encode(req, target('gemini-2.5-pro', { geminiSchemaField: 'parameters' }));
    const bash = (legacy.tools[0].functionDeclarations as Obj[]).find((d) => d.name === 'Bash')!;
    expect(bash.parametersJsonSchema).toBeUndefined();
    expect(bash.parameters.type).toBe('OBJECT');
    expect(bash.parameters.properties.command).toEqual({ type: 'STRING', description: 'The command to execute' });
  });
});

describe('encodeRequest: contents', () => {
  it('merges consecutive same-role turns and puts all function responses first', () => {
    const body = encode(
      request([
        user(text('hi')),
        assistant(text('let me look'), { type: 'tool_call', id: 'a', name: 'read', input: { p: 1 } }, { type: 'tool_call', id: 'b', name: 'list', input: {} }),
        user({ type: 'tool_result', toolCallId: 'a', content: [text('one'), text('two')] }),
        user(text('and also'), { type: 'tool_result', toolCallId: 'b', content: [text('boom')], isError: true }),
        user(text('thanks')),
      ]),
    );
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'hi' }] },
      { role: 'model', parts: [{ text: 'let me look' }, { functionCall: { id: 'a', name: 'read', args: { p: 1 } } }, { functionCall: { id: 'b', name: 'list', args: {} } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'a', name: 'read', response: { output: 'one\ntwo' } } },
          { functionResponse: { id: 'b', name: 'list', response: { error: 'boom' } } },
          { text: 'and also' },
          { text: 'thanks' },
        ],
      },
    ]);
  });

  it('sends images of tool results as inline parts after the responses', () => {
    const png = { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } as const;
    const body = encode(
      request([
        user(text('shot')),
        assistant({ type: 'tool_call', id: 's', name: 'screenshot', input: {} }),
        user({ type: 'tool_result', toolCallId: 's', content: [{ type: 'image', source: png }, text('a screenshot')] }, text('what is it?')),
      ]),
    );
    expect(body.contents[2].parts).toEqual([
      { functionResponse: { id: 's', name: 'screenshot', response: { output: 'a screenshot' } } },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { text: 'what is it?' },
    ]);
  });

  it('falls back to the name carried by the tool result when the call is not in the history', () => {
    const body = encode(request([user({ type: 'tool_result', toolCallId: 'gone', name: 'lookup', content: [text('x')] })]));
    expect(body.contents[0].parts[0].functionResponse.name).toBe('lookup');
  });

  it('encodes images and documents: base64 inline, URLs as fileData, data URLs inline, text documents as text', () => {
    const body = encode(
      request([
        user(
          { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/' } },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/a/cat.PNG?x=1' } },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/noext' } },
          { type: 'image', source: { kind: 'url', url: 'data:image/webp;base64,UklGR' } },
          { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' } },
          { type: 'document', source: { kind: 'url', url: 'https://example.com/paper' } },
          { type: 'document', source: { kind: 'text', mediaType: 'text/plain', data: 'body text' }, title: 'Notes' },
        ),
      ]),
    );
    expect(body.contents[0].parts).toEqual([
      { inlineData: { mimeType: 'image/jpeg', data: '/9j/' } },
      { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/a/cat.PNG?x=1' } },
      { fileData: { fileUri: 'https://example.com/noext' } },
      { inlineData: { mimeType: 'image/webp', data: 'UklGR' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
      { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/paper' } },
      { text: 'Notes\n\nbody text' },
    ]);
  });

  it('never sends empty parts or contents', () => {
    const anthropicThinking: ContentBlock = { type: 'thinking', text: 'hmm', signature: 'EqQBCkYIBxgCKkD', signatureOrigin: { format: 'anthropic' } };
    const body = encode(request([user(text('')), assistant(anthropicThinking, text('')), user(text('next'))]));
    // the model turn had nothing Gemini can take: dropped, and the user turns around it merge
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'next' }] }]);
    // a user turn with nothing to send gets a placeholder text
    expect(encode(request([user(text(''))])).contents).toEqual([{ role: 'user', parts: [{ text: '.' }] }]);
    // a conversation opening with the model gets a user turn first
    expect(encode(request([assistant(text('hello'))])).contents).toEqual([
      { role: 'user', parts: [{ text: '.' }] },
      { role: 'model', parts: [{ text: 'hello' }] },
    ]);
  });

  it('passes Gemini opaque parts (code execution) through', () => {
    const code = { executableCode: { language: 'PYTHON', code: 'print(1)' }, thoughtSignature: 'EjQK' };
    const body = encode(request([user(text('run')), assistant({ type: 'opaque', format: 'gemini', value: code }, { type: 'opaque', format: 'anthropic', value: { type: 'server_tool_use' } })]));
    expect(body.contents[1].parts).toEqual([code]);
  });
});

describe('encodeRequest: thought signatures', () => {
  const origin: SignatureOrigin = { format: 'gemini', provider: 'google-ai-studio', model: 'gemini-3-pro-preview' };
  const g3 = target('gemini-3-pro-preview');

  it('puts a thinking block signature on the part that follows it, and drops the thinking text', () => {
    const body = encode(
      request([
        user(text('q')),
        assistant(
          { type: 'thinking', text: 'I should call it', signature: 'SIG_A', signatureOrigin: origin },
          { type: 'tool_call', id: 'c1', name: 'f', input: {} },
          { type: 'tool_call', id: 'c2', name: 'f', input: {} },
          { type: 'thinking', text: '', signature: 'SIG_B', signatureOrigin: origin },
          text('done'),
          { type: 'thinking', text: '', signature: 'SIG_C', signatureOrigin: origin },
        ),
      ]),
      g3,
    );
    expect(body.contents[1].parts).toEqual([
      { functionCall: { id: 'c1', name: 'f', args: {} }, thoughtSignature: 'SIG_A' },
      { functionCall: { id: 'c2', name: 'f', args: {} } },
      { text: 'done', thoughtSignature: 'SIG_B' },
      { text: '', thoughtSignature: 'SIG_C' },
    ]);
    expect(JSON.stringify(body)).not.toContain('I should call it');
  });

  it("keeps a block's own signature and sends a displaced one in place", () => {
    const body = encode(
      request([
        user(text('q')),
        assistant({ type: 'thinking', text: '', signature: 'SIG_T', signatureOrigin: origin }, { type: 'tool_call', id: 'c', name: 'f', input: {}, signature: 'SIG_OWN', signatureOrigin: origin }),
      ]),
      g3,
    );
    expect(body.contents[1].parts).toEqual([{ text: '', thoughtSignature: 'SIG_T' }, { functionCall: { id: 'c', name: 'f', args: {} }, thoughtSignature: 'SIG_OWN' }]);
  });

  it('never sends Anthropic or OpenAI signatures, nor one issued for another Gemini model', () => {
    const body = encode(
      request([
        user(text('q')),
        assistant({ type: 'thinking', text: 'x', signature: 'ANTHROPIC_SIG', signatureOrigin: { format: 'anthropic' } }, { type: 'tool_call', id: 'a', name: 'f', input: {} }),
        user({ type: 'tool_result', toolCallId: 'a', content: [text('1')] }),
        assistant({ type: 'thinking', text: 'y', signatureOrigin: { format: 'openai' } }, { type: 'tool_call', id: 'b', name: 'f', input: {}, signature: 'OTHER_MODEL', signatureOrigin: { format: 'gemini', model: 'gemini-2.5-pro' } }),
        user({ type: 'tool_result', toolCallId: 'b', content: [text('2')] }),
        assistant({ type: 'tool_call', id: 'c', name: 'f', input: {}, signature: 'NO_ORIGIN' }),
      ]),
      g3,
    );
    const text_ = JSON.stringify(body);
    for (const s of ['ANTHROPIC_SIG', 'OTHER_MODEL', 'NO_ORIGIN']) expect(text_).not.toContain(s);
    const calls = body.contents.filter((c: Obj) => c.role === 'model').map((c: Obj) => c.parts[0]);
    expect(calls.map((p: Obj) => p.thoughtSignature)).toEqual([SKIP_SIGNATURE, SKIP_SIGNATURE, SKIP_SIGNATURE]);
  });

  it('adds the placeholder only to the first call of a step, and only for Gemini 3', () => {
    const conv = request([user(text('q')), assistant(text('calling'), { type: 'tool_call', id: 'a', name: 'f', input: {} }, { type: 'tool_call', id: 'b', name: 'g', input: {} })]);
    expect(encode(conv, g3).contents[1].parts).toEqual([
      { text: 'calling' },
      { functionCall: { id: 'a', name: 'f', args: {} }, thoughtSignature: SKIP_SIGNATURE },
      { functionCall: { id: 'b', name: 'g', args: {} } },
    ]);
    expect(JSON.stringify(encode(conv, target('gemini-2.5-pro')))).not.toContain(SKIP_SIGNATURE);
    expect(JSON.stringify(encode(conv, target('gemini-2.0-flash')))).not.toContain(SKIP_SIGNATURE);
  });
});

describe('encodeRequest: tools and tool choice', () => {
  const tools = [
    { name: 'get_weather', description: 'Weather', inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: true, cacheControl: { type: 'ephemeral' } as const },
    { name: 'now', inputSchema: { type: 'object', properties: {} } },
  ];
  const withChoice = (toolChoice: Request['toolChoice']) => encode(request([user(text('q'))], { tools, toolChoice }));

  it('declares only name, description and parameters', () => {
    expect(withChoice(undefined).tools).toEqual([
      {
        functionDeclarations: [
          { name: 'get_weather', description: 'Weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
          { name: 'now' },
        ],
      },
    ]);
  });

  it('maps every tool choice', () => {
    expect(withChoice({ type: 'auto' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(withChoice({ type: 'any', disableParallel: true }).toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(withChoice({ type: 'none' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(withChoice({ type: 'tool', name: 'get_weather' }).toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
  });

  it('sends neither tools nor toolConfig without tools', () => {
    const body = encode(request([user(text('q'))], { tools: [], toolChoice: { type: 'auto' } }));
    expect(body.tools).toBeUndefined();
    expect(body.toolConfig).toBeUndefined();
  });
});

describe('encodeRequest: generation config', () => {
  const q = [user(text('q'))];

  it('maps sampling, stops and seed, clamping to Gemini ranges', () => {
    const body = encode(request(q, { maxTokens: 100000, temperature: 2.5, topP: 0.9, topK: 40, stop: ['a', 'b', '', 'c', 'd', 'e', 'f'], seed: 7 }), target('gemini-2.0-flash', {}, { maxOutputTokens: 8192 }));
    expect(body.generationConfig).toEqual({ maxOutputTokens: 8192, temperature: 2, topP: 0.9, topK: 40, stopSequences: ['a', 'b', 'c', 'd', 'e'], seed: 7 });
  });

  it('uses the default max tokens when the client gave none, and honours quirks', () => {
    expect(encode(request(q), target('gemini-2.0-flash', {}, { defaultMaxTokens: 4096 })).generationConfig).toEqual({ maxOutputTokens: 4096 });
    expect(encode(request(q, { temperature: 0.3, topP: 0.5, stop: ['x', 'y'] }), target('gemini-2.0-flash', { noSampling: true, maxStop: 1 })).generationConfig).toEqual({ stopSequences: ['x'] });
    expect(encode(request(q)).generationConfig).toBeUndefined();
  });

  it('maps json formats to responseMimeType and a response schema', () => {
    const schema = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { a: { type: 'integer', exclusiveMinimum: 0 } }, additionalProperties: false };
    expect(encode(request(q, { responseFormat: { type: 'json_object' } })).generationConfig).toEqual({ responseMimeType: 'application/json' });
    expect(encode(request(q, { responseFormat: { type: 'json_schema', name: 'x', schema } })).generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object', properties: { a: { type: 'integer', exclusiveMinimum: 0 } }, additionalProperties: false },
    });
    expect(encode(request(q, { responseFormat: { type: 'json_schema', schema } }), target('gemini-2.0-flash', { geminiSchemaField: 'parameters' })).generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT', properties: { a: { type: 'INTEGER', minimum: 1 } } },
    });
    expect(encode(request(q, { responseFormat: { type: 'text' } })).generationConfig).toBeUndefined();
  });

  const thinking = (model: string, extra: Partial<Request>, t: Partial<UpstreamTarget> = {}) => encode(request(q, extra), target(model, {}, t)).generationConfig?.thinkingConfig;

  it('asks Gemini 2.5 for a budget clamped to the model range', () => {
    expect(thinking('gemini-2.5-flash', { thinking: { type: 'enabled', budgetTokens: 31999 } })).toEqual({ thinkingBudget: 24576, includeThoughts: true });
    expect(thinking('gemini-2.5-pro', { thinking: { type: 'enabled', budgetTokens: 50 } })).toEqual({ thinkingBudget: 128, includeThoughts: true });
    expect(thinking('gemini-2.5-flash-lite', { thinking: { type: 'enabled', budgetTokens: 2048 } })).toEqual({ thinkingBudget: 2048, includeThoughts: true });
    expect(thinking('gemini-2.5-flash', { thinking: { type: 'adaptive' } })).toEqual({ thinkingBudget: -1, includeThoughts: true });
    expect(thinking('gemini-2.5-flash', { reasoningEffort: 'low' })).toEqual({ thinkingBudget: 1024, includeThoughts: true });
    expect(thinking('gemini-2.5-flash', { thinking: { type: 'adaptive', display: 'omitted' }, reasoningEffort: 'medium' })).toEqual({ thinkingBudget: 8192 });
    // the budget must leave room for the answer
    expect(thinking('gemini-2.5-flash', { maxTokens: 4000, thinking: { type: 'enabled', budgetTokens: 8000 } })).toEqual({ thinkingBudget: 3999, includeThoughts: true });
  });

  it('turns thinking off where the model allows it', () => {
    expect(thinking('gemini-2.5-flash', { thinking: { type: 'disabled' } })).toEqual({ thinkingBudget: 0 });
    expect(thinking('gemini-2.5-flash', { reasoningEffort: 'none' })).toEqual({ thinkingBudget: 0 });
    expect(thinking('gemini-2.5-pro', { thinking: { type: 'disabled' } })).toEqual({ thinkingBudget: 128 });
    expect(thinking('gemini-3-pro-preview', { thinking: { type: 'disabled' } })).toEqual({ thinkingLevel: 'LOW' });
  });

  it('asks Gemini 3 for a level', () => {
    expect(thinking('gemini-3-pro-preview', { thinking: { type: 'enabled', budgetTokens: 1024 } })).toEqual({ thinkingLevel: 'LOW', includeThoughts: true });
    expect(thinking('gemini-3-pro-preview', { thinking: { type: 'enabled', budgetTokens: 31999 } })).toEqual({ thinkingLevel: 'HIGH', includeThoughts: true });
    expect(thinking('gemini-3-flash-preview', { reasoningEffort: 'minimal' })).toEqual({ thinkingLevel: 'LOW', includeThoughts: true });
    expect(thinking('models/gemini-3.1-pro-preview', { reasoningEffort: 'medium' })).toEqual({ thinkingLevel: 'HIGH', includeThoughts: true });
    expect(thinking('gemini-3-pro-preview', { thinking: { type: 'adaptive' } })).toEqual({ includeThoughts: true });
  });

  it('sends no thinkingConfig to models without thinking or when the client did not ask', () => {
    expect(thinking('gemini-2.0-flash', { thinking: { type: 'enabled', budgetTokens: 2048 } })).toBeUndefined();
    expect(thinking('gemma-3-27b-it', { reasoningEffort: 'high' })).toBeUndefined();
    expect(thinking('gemini-2.5-pro', {})).toBeUndefined();
  });
});

describe('encodeRequest: extensions', () => {
  it('adds Gemini-only fields without overriding canonical ones', () => {
    const body = encode(
      request([user(text('q'))], {
        maxTokens: 10,
        tools: [{ name: 'f', inputSchema: { type: 'object', properties: { a: { type: 'string' } } } }],
        toolChoice: { type: 'any' },
        extensions: {
          gemini: {
            safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
            generationConfig: { responseModalities: ['TEXT'], maxOutputTokens: 99 },
            tools: [{ googleSearch: {} }, { functionDeclarations: [{ name: 'stale' }] }],
            toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f', 'g'] } },
            contents: [{ role: 'user', parts: [{ text: 'injected' }] }],
          },
          anthropic: { service_tier: 'auto' },
        },
      }),
    );
    expect(body.safetySettings).toEqual([{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }]);
    expect(body.generationConfig).toEqual({ responseModalities: ['TEXT'], maxOutputTokens: 10 });
    expect(body.tools).toEqual([{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object', properties: { a: { type: 'string' } } } }] }, { googleSearch: {} }]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f', 'g'] } });
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'q' }] }]);
    expect(body.service_tier).toBeUndefined();
  });
});
