import { describe, expect, it } from 'vitest';
import { CodecError, type UpstreamTarget } from '../../canonical/codec.js';
import type { Message, Request } from '../../canonical/types.js';
import { wrapSignature } from '../../canonical/signature.js';
import { anthropicCodec, anthropicServerTools, JSON_OBJECT_INSTRUCTION } from './index.js';
import { claudeCodeRequests, recordedRequests } from './testing/fixtures.js';

type Json = Record<string, unknown>;

const target = (over: Partial<UpstreamTarget> = {}): UpstreamTarget => ({ provider: 'anthropic', model: 'claude-up', quirks: {}, ...over });

function stripNulls(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
}

function textBlocks(content: unknown): unknown {
  return typeof content === 'string' ? (content === '' ? [] : [{ type: 'text', text: content }]) : content;
}

function normaliseBlock(raw: Json): Json {
  const b = stripNulls(raw);
  if (b.type === 'tool_use' && JSON.stringify(b.caller) === '{"type":"direct"}') delete b.caller;
  if (b.type === 'tool_result') {
    const content = textBlocks(b.content) as Json[] | undefined;
    if (content === undefined || content.length === 0) delete b.content;
    else b.content = content.map(normaliseBlock);
  }
  return b;
}

/**
 * The documented normalisations of an Anthropic body by decode → encode: string content/system become text blocks,
 * `stream: false` and null fields are omitted, the default tool_use caller is dropped, `max_tokens` gets a default.
 */
function normalise(body: Json, model: string): Json {
  const out = stripNulls({ ...body, model });
  if (out.stream === false) delete out.stream;
  if (out.max_tokens === undefined) out.max_tokens = 4096;
  if (out.system !== undefined) {
    out.system = (textBlocks(out.system) as Json[]).map(normaliseBlock);
    if ((out.system as Json[]).length === 0) delete out.system;
  }
  out.messages = (out.messages as Json[]).map((m) => ({ ...m, content: (textBlocks(m.content) as Json[]).map(normaliseBlock) }));
  return out;
}

const claudeCode = claudeCodeRequests();
const recorded = recordedRequests();

describe('decodeRequest on Claude Code requests', () => {
  it('finds them', () => {
    expect(claudeCode.filter((r) => r.path === '/v1/messages').length).toBeGreaterThanOrEqual(20);
    expect(claudeCode.filter((r) => r.path === '/v1/messages/count_tokens').length).toBeGreaterThanOrEqual(10);
  });

  for (const { name, body } of [...claudeCode, ...recorded]) {
    it(`${name}: encodeRequest(decodeRequest(body)) is the body`, () => {
      const req = anthropicCodec.decodeRequest(structuredClone(body));
      expect(req.extensions.anthropic).toBeDefined();
      const out = anthropicCodec.encodeRequest(req, target({ model: body.model as string }));
      expect(out).toEqual(normalise(body, body.model as string));
    });
  }

  it('keeps every field of a full agent turn', () => {
    const { body } = claudeCode.find((r) => r.name.startsWith('p-json-thinking-blocks') && (r.body.messages as unknown[]).length === 4)!;
    const req = anthropicCodec.decodeRequest(body);
    expect(req.model).toBe('claude-opus-4-8');
    expect(req.maxTokens).toBe(64000);
    expect(req.stream).toBe(true);
    expect(req.thinking).toEqual({ type: 'adaptive' });
    expect(req.reasoningEffort).toBe('high');
    expect(req.user).toBe((body.metadata as Json).user_id);
    expect(req.extensions.anthropic).toEqual({ context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] } });
    expect(req.system).toHaveLength(3);
    expect(req.system[0].text.startsWith('x-anthropic-billing-header:')).toBe(true);
    expect(req.system[0].cacheControl).toBeUndefined();
    expect(req.system[1].cacheControl).toEqual({ type: 'ephemeral' });
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'system', 'assistant', 'user']);
    expect(req.messages[1].content[0].type).toBe('text');
    expect(req.messages[2].content).toEqual([
      { type: 'thinking', text: 'I should create the file with echo.', signature: 'sig-abc123', signatureOrigin: { format: 'anthropic' } },
      { type: 'text', text: 'Creating the file.' },
      { type: 'tool_call', id: 'toolu_vUhQsTJjYYXoJh59', name: 'Bash', input: { command: 'echo hi > out.txt' } },
    ]);
    expect(req.messages[3].content).toEqual([
      { type: 'tool_result', toolCallId: 'toolu_vUhQsTJjYYXoJh59', content: [{ type: 'text', text: '(Bash completed with no output)' }], isError: false, cacheControl: { type: 'ephemeral' } },
    ]);
    expect(req.tools!.length).toBe((body.tools as unknown[]).length);
    expect(req.tools![0].inputSchema).toEqual((body.tools as Json[])[0].input_schema);
  });

  it('decodes the title side call: json_schema output format and disabled thinking', () => {
    const { body } = claudeCode.find((r) => r.name.startsWith('p-nonessential') && (r.body.thinking as Json | undefined)?.type === 'disabled')!;
    const req = anthropicCodec.decodeRequest(body);
    expect(req.thinking).toEqual({ type: 'disabled' });
    expect(req.responseFormat).toEqual({ type: 'json_schema', schema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false } });
    expect(req.tools).toEqual([]);
  });
});

describe('decodeRequest', () => {
  const base = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
  const decode = (over: Json) => anthropicCodec.decodeRequest({ ...base, ...over });

  it('keeps server-tool and unknown blocks as opaque Anthropic blocks', () => {
    const blocks = [
      { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
      { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
      { type: 'brand_new_block', x: 1 },
      { type: 'tool_use', id: 't', name: 'n', input: {}, caller: { type: 'code_execution_20250825', tool_id: 'x' } },
      { type: 'image', source: { type: 'file', file_id: 'file_1' } },
      { type: 'text', text: 'x', brand_new_field: true },
    ];
    const req = decode({ messages: [{ role: 'assistant', content: blocks }] });
    expect(req.messages[0].content).toEqual(blocks.map((value) => ({ type: 'opaque', format: 'anthropic', value })));
  });

  it('reads sources, documents, citations config and tool results with images', () => {
    const req = decode({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAA' }, cache_control: { type: 'ephemeral', ttl: '1h' } },
            { type: 'image', source: { type: 'url', url: 'https://x/y.jpg' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'T', context: 'C', citations: { enabled: true } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain' } },
            { type: 'tool_result', tool_use_id: 'toolu_1', is_error: true, content: [{ type: 'text', text: 'bad' }, { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'B' } }] },
          ],
        },
      ],
    });
    expect(req.messages[0].content).toEqual([
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAA' }, cacheControl: { type: 'ephemeral', ttl: '1h' } },
      { type: 'image', source: { kind: 'url', url: 'https://x/y.jpg' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' }, title: 'T', context: 'C', citations: { enabled: true } },
      { type: 'document', source: { kind: 'text', mediaType: 'text/plain', data: 'plain' } },
      {
        type: 'tool_result',
        toolCallId: 'toolu_1',
        isError: true,
        content: [
          { type: 'text', text: 'bad' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'B' } },
        ],
      },
    ]);
  });

  it('unwraps Switchyard-wrapped signatures to their origin', () => {
    const sig = wrapSignature({ format: 'gemini', provider: 'google-ai-studio', model: 'gemini-3-pro' }, 'CiQB:xyz');
    const req = decode({ messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: '', signature: sig }, { type: 'thinking', thinking: 'r', signature: wrapSignature({ format: 'openai', provider: 'deepseek' }, '') }] }] });
    expect(req.messages[0].content).toEqual([
      { type: 'thinking', text: '', signature: 'CiQB:xyz', signatureOrigin: { format: 'gemini', provider: 'google-ai-studio', model: 'gemini-3-pro' } },
      { type: 'thinking', text: 'r', signatureOrigin: { format: 'openai', provider: 'deepseek' } },
    ]);
  });

  it('maps tools, server tools, tool_choice, thinking, output_config, sampling and the rest', () => {
    const ws = { type: 'web_search_20250305', name: 'web_search', max_uses: 5, allowed_domains: null };
    const req = decode({
      system: [{ type: 'text', text: 'S', cache_control: { type: 'ephemeral' } }],
      tools: [
        { name: 'a', description: 'A', input_schema: { type: 'object' }, strict: true, cache_control: { type: 'ephemeral' } },
        ws,
        { type: 'custom', name: 'b', input_schema: { type: 'object' }, defer_loading: true },
      ],
      tool_choice: { type: 'tool', name: 'a', disable_parallel_tool_use: true },
      thinking: { type: 'enabled', budget_tokens: 2048, display: 'omitted' },
      output_config: { effort: 'max', format: { type: 'json_schema', schema: { type: 'object' } }, future: 1 },
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'u1' },
      cache_control: { type: 'ephemeral', ttl: '5m' },
      service_tier: 'auto',
      container: 'c1',
      mcp_servers: [{ type: 'url', url: 'https://mcp', name: 'x' }],
      inference_geo: 'us',
      stream: true,
    });
    expect(req.system).toEqual([{ type: 'text', text: 'S', cacheControl: { type: 'ephemeral' } }]);
    expect(req.tools).toEqual([
      { name: 'a', description: 'A', inputSchema: { type: 'object' }, strict: true, cacheControl: { type: 'ephemeral' } },
      { name: 'b', inputSchema: { type: 'object' } },
    ]);
    expect(anthropicServerTools(req)).toEqual([ws]);
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'a', disableParallel: true });
    expect(req.parallelToolCalls).toBe(false);
    expect(req.thinking).toEqual({ type: 'enabled', budgetTokens: 2048, display: 'omitted' });
    expect(req.reasoningEffort).toBe('max');
    expect(req.responseFormat).toEqual({ type: 'json_schema', schema: { type: 'object' } });
    expect(req).toMatchObject({ temperature: 0.5, topP: 0.9, topK: 40, stop: ['END'], user: 'u1', cacheControl: { type: 'ephemeral', ttl: '5m' }, stream: true, maxTokens: 10 });
    expect(req.extensions.anthropic).toMatchObject({ service_tier: 'auto', container: 'c1', inference_geo: 'us', output_config: { future: 1 }, tool_fields: { b: { type: 'custom', defer_loading: true } } });
  });

  it('drops Switchyard routing fields and non-user_id metadata', () => {
    const req = decode({ models: ['x'], extra_body: { sort: ['price'] }, provider: { order: ['a'] }, metadata: { user_id: 'u', team: 't' } });
    expect(req.extensions.anthropic).toEqual({});
    expect(req.user).toBe('u');
  });

  it('accepts a count_tokens body (no max_tokens)', () => {
    const req = anthropicCodec.decodeRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(req.maxTokens).toBeUndefined();
    expect(anthropicCodec.encodeRequest(req, target({ defaultMaxTokens: 1000 }))).toMatchObject({ max_tokens: 1000 });
  });

  const invalid: Array<[string, unknown, string]> = [
    ['not an object', [], 'body'],
    ['model missing', { messages: [] }, 'model'],
    ['messages missing', { model: 'm' }, 'messages'],
    ['bad role', { ...base, messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.role'],
    ['content of wrong type', { ...base, messages: [{ role: 'user', content: 5 }] }, 'messages.0.content'],
    ['block without type', { ...base, messages: [{ role: 'user', content: [{ text: 'x' }] }] }, 'messages.0.content.0.type'],
    ['text not a string', { ...base, messages: [{ role: 'user', content: 'ok' }, { role: 'assistant', content: [{ type: 'text', text: 1 }] }] }, 'messages.1.content.0.text'],
    ['tool_use input not an object', { ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'b', input: 'x' }] }] }, 'messages.0.content.0.input'],
    ['tool_result content', { ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 3 }] }] }, 'messages.0.content.0.content'],
    ['bad cache_control', { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'forever' } }] }] }, 'messages.0.content.0.cache_control.type'],
    ['image in a system message', { ...base, messages: [{ role: 'system', content: [{ type: 'image', source: { type: 'url', url: 'u' } }] }] }, 'messages.0.content.0.type'],
    ['max_tokens negative', { ...base, max_tokens: -1 }, 'max_tokens'],
    ['temperature string', { ...base, temperature: 'hot' }, 'temperature'],
    ['stop_sequences', { ...base, stop_sequences: [1] }, 'stop_sequences.0'],
    ['system number', { ...base, system: 1 }, 'system'],
    ['system image', { ...base, system: [{ type: 'image' }] }, 'system.0.type'],
    ['tool without schema', { ...base, tools: [{ name: 'x' }] }, 'tools.0.input_schema'],
    ['tool_choice type', { ...base, tool_choice: { type: 'required' } }, 'tool_choice.type'],
    ['tool_choice tool without name', { ...base, tool_choice: { type: 'tool' } }, 'tool_choice.name'],
    ['thinking without budget', { ...base, thinking: { type: 'enabled' } }, 'thinking.budget_tokens'],
    ['thinking type', { ...base, thinking: { type: 'on' } }, 'thinking.type'],
    ['metadata user_id', { ...base, metadata: { user_id: 5 } }, 'metadata.user_id'],
  ];
  for (const [what, body, param] of invalid) {
    it(`rejects ${what} naming ${param}`, () => {
      let err: unknown;
      try {
        anthropicCodec.decodeRequest(body);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CodecError);
      expect((err as CodecError).param).toBe(param);
      expect((err as CodecError).message.startsWith(`${param}: `)).toBe(true);
    });
  }
});

/** A request as another format's decoder produces it (no extensions.anthropic). */
function foreign(messages: Message[], over: Partial<Request> = {}): Request {
  return { model: 'gpt', system: [], messages, stream: false, extensions: {}, ...over };
}
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

describe('encodeRequest for a request from another format', () => {
  it('folds system and developer messages into the top-level system, in order', () => {
    const out = anthropicCodec.encodeRequest(
      foreign([{ role: 'system', content: [{ type: 'text', text: 'first' }], systemKind: 'developer' }, user('hi'), { role: 'assistant', content: [{ type: 'text', text: 'yo' }] }, { role: 'system', content: [{ type: 'text', text: 'later' }] }, user('again')], {
        system: [{ type: 'text', text: 'top' }],
      }),
      target(),
    ) as Json;
    expect(out.system).toEqual([
      { type: 'text', text: 'top' },
      { type: 'text', text: 'first' },
      { type: 'text', text: 'later' },
    ]);
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'yo' }] },
      { role: 'user', content: [{ type: 'text', text: 'again' }] },
    ]);
  });

  it('groups consecutive tool results into one user turn, results first and in call order, with sanitised ids', () => {
    const out = anthropicCodec.encodeRequest(
      foreign([
        user('go'),
        {
          role: 'assistant',
          content: [
            { type: 'text', text: '' },
            { type: 'tool_call', id: 'functions.Bash:0', name: 'Bash', input: { c: 1 } },
            { type: 'tool_call', id: 'call_2', name: 'Read', input: {} },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call_2', content: [{ type: 'text', text: 'two' }] }] },
        { role: 'user', content: [{ type: 'text', text: 'note' }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'functions.Bash:0', content: [{ type: 'image', source: { kind: 'url', url: 'data:image/png;base64,iVBOR' } }], isError: true }] },
      ]),
      target(),
    ) as Json;
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'functions_Bash_0', name: 'Bash', input: { c: 1 } },
          { type: 'tool_use', id: 'call_2', name: 'Read', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'functions_Bash_0', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } }], is_error: true },
          { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: 'two' }] },
          { type: 'text', text: 'note' },
        ],
      },
    ]);
  });

  it('moves a tool result that arrived after another turn up to its call', () => {
    const out = anthropicCodec.encodeRequest(
      foreign([
        user('go'),
        { role: 'assistant', content: [{ type: 'tool_call', id: 'a', name: 'x', input: {} }] },
        { role: 'assistant', content: [{ type: 'text', text: 'waiting' }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'a', content: [] }] },
      ]),
      target(),
    ) as Json;
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'x', input: {} }, { type: 'text', text: 'waiting' }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a' }] },
    ]);
  });

  it('drops reasoning Anthropic cannot verify and other formats\u2019 opaque blocks', () => {
    const out = anthropicCodec.encodeRequest(
      foreign([
        user('q'),
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'openai reasoning' },
            { type: 'thinking', text: '', signature: 'g', signatureOrigin: { format: 'gemini' } },
            { type: 'redacted_thinking', data: 'r', signatureOrigin: { format: 'gemini' } },
            { type: 'opaque', format: 'gemini', value: { executableCode: {} } },
            { type: 'thinking', text: 'kept', signature: 'EqA', signatureOrigin: { format: 'anthropic' } },
            { type: 'text', text: 'answer', signature: 'gs', signatureOrigin: { format: 'gemini' } },
          ],
        },
      ]),
      target(),
    ) as Json;
    expect((out.messages as Json[])[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'kept', signature: 'EqA' },
        { type: 'text', text: 'answer' },
      ],
    });
  });

  it('fills and clamps max_tokens, clamps temperature, maps stop, user, documents and json_object', () => {
    const req = foreign([{ role: 'user', content: [{ type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JV' }, filename: 'a.pdf' }, { type: 'text', text: 'sum' }] }], {
      temperature: 1.7,
      // Anthropic rejects whitespace-only stop sequences.
      stop: ['\n\n', ' ', '', 'END'],
      user: 'u-9',
      seed: 3,
      responseFormat: { type: 'json_object' },
    });
    expect(anthropicCodec.encodeRequest(req, target())).toEqual({
      model: 'claude-up',
      max_tokens: 4096,
      system: [{ type: 'text', text: JSON_OBJECT_INSTRUCTION }],
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JV' }, title: 'a.pdf' }, { type: 'text', text: 'sum' }] }],
      temperature: 1,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-9' },
    });
    expect(anthropicCodec.encodeRequest({ ...req, maxTokens: 100000 }, target({ maxOutputTokens: 64000 }))).toMatchObject({ max_tokens: 64000 });
    expect(anthropicCodec.encodeRequest(req, target({ defaultMaxTokens: 8192 }))).toMatchObject({ max_tokens: 8192 });
  });

  it('json_schema becomes output_config.format', () => {
    const out = anthropicCodec.encodeRequest(foreign([user('x')], { responseFormat: { type: 'json_schema', name: 'n', schema: { type: 'object' }, strict: true } }), target()) as Json;
    expect(out.output_config).toEqual({ format: { type: 'json_schema', schema: { type: 'object' } } });
  });

  it('reasoning effort becomes a thinking budget below max_tokens, and forced tool choice becomes auto', () => {
    const tools = [{ name: 't', inputSchema: { type: 'object' } }];
    const enc = (effort: Request['reasoningEffort'], maxTokens?: number, over: Partial<Request> = {}) =>
      anthropicCodec.encodeRequest(foreign([user('x')], { reasoningEffort: effort, maxTokens, tools, toolChoice: { type: 'any' }, temperature: 0.2, topK: 5, topP: 0.5, ...over }), target()) as Json;
    expect(enc('low', 30000).thinking).toEqual({ type: 'enabled', budget_tokens: 1024 });
    expect(enc('medium', 30000).thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
    expect(enc('high', 30000).thinking).toEqual({ type: 'enabled', budget_tokens: 24576 });
    expect(enc('xhigh', 64000).thinking).toEqual({ type: 'enabled', budget_tokens: 32000 });
    expect(enc('max', 64000).thinking).toEqual({ type: 'enabled', budget_tokens: 32000 });
    expect(enc('high').thinking).toEqual({ type: 'enabled', budget_tokens: 4095 });
    expect(enc('high', 1024).thinking).toBeUndefined();
    expect(enc('none', 30000).thinking).toBeUndefined();
    const on = enc('high', 30000);
    expect(on.tool_choice).toEqual({ type: 'auto' });
    expect(on.temperature).toBeUndefined();
    expect(on.top_k).toBeUndefined();
    expect(on.top_p).toBeUndefined();
    expect(on.output_config).toBeUndefined();
    const off = enc('none', 30000);
    expect(off).toMatchObject({ tool_choice: { type: 'any' }, temperature: 0.2, top_k: 5, top_p: 0.5 });
    expect(enc('high', 30000, { toolChoice: { type: 'tool', name: 't' }, parallelToolCalls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  });

  it('keeps thinking off when the pending tool turn has no Anthropic thinking to replay', () => {
    const out = anthropicCodec.encodeRequest(
      foreign([user('x'), { role: 'assistant', content: [{ type: 'tool_call', id: 'c', name: 't', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', toolCallId: 'c', content: [{ type: 'text', text: 'r' }] }] }], {
        reasoningEffort: 'high',
        maxTokens: 30000,
      }),
      target(),
    ) as Json;
    expect(out.thinking).toBeUndefined();
  });

  it('tool choice mapping and parallel tool calls', () => {
    const tools = [{ name: 't', inputSchema: { type: 'object' }, description: 'd', strict: true }];
    const enc = (over: Partial<Request>) => anthropicCodec.encodeRequest(foreign([user('x')], { tools, ...over }), target()) as Json;
    expect(enc({}).tools).toEqual([{ name: 't', description: 'd', input_schema: { type: 'object' }, strict: true }]);
    expect(enc({ toolChoice: { type: 'auto' } }).tool_choice).toEqual({ type: 'auto' });
    expect(enc({ toolChoice: { type: 'any' }, parallelToolCalls: false }).tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(enc({ toolChoice: { type: 'tool', name: 't' } }).tool_choice).toEqual({ type: 'tool', name: 't' });
    expect(enc({ toolChoice: { type: 'none' } }).tool_choice).toEqual({ type: 'none' });
    expect(enc({ parallelToolCalls: false }).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(enc({ parallelToolCalls: true }).tool_choice).toBeUndefined();
    // No tools: neither an empty tools array nor a tool_choice (Anthropic rejects tool_choice without tools).
    const none = anthropicCodec.encodeRequest(foreign([user('x')], { tools: [], toolChoice: { type: 'none' } }), target()) as Json;
    expect(none.tools).toBeUndefined();
    expect(none.tool_choice).toBeUndefined();
  });

  it('puts server tools back in their places and restores custom tool fields', () => {
    const body = {
      model: 'm',
      max_tokens: 5,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
      tools: [
        { type: 'web_search_20250305', name: 'web_search' },
        { name: 'a', input_schema: { type: 'object' } },
        { type: 'custom', name: 'b', input_schema: { type: 'object' }, eager_input_streaming: true },
        { type: 'bash_20250124', name: 'bash' },
      ],
    };
    const req = anthropicCodec.decodeRequest(body);
    expect(anthropicCodec.encodeRequest(req, target({ model: 'm' }))).toEqual(body);
    // A router that drops a custom tool still gets a valid order.
    req.tools = req.tools!.slice(1);
    expect((anthropicCodec.encodeRequest(req, target({ model: 'm' })) as Json).tools).toEqual([body.tools[0], body.tools[2], body.tools[3]]);
  });

  it('same-format: explicit thinking is kept; a budget is refitted only when max_tokens had to shrink', () => {
    const req = anthropicCodec.decodeRequest({ model: 'm', max_tokens: 32000, thinking: { type: 'enabled', budget_tokens: 31999 }, messages: [{ role: 'user', content: 'x' }] });
    expect((anthropicCodec.encodeRequest(req, target()) as Json).thinking).toEqual({ type: 'enabled', budget_tokens: 31999 });
    expect(anthropicCodec.encodeRequest(req, target({ maxOutputTokens: 8192 }))).toMatchObject({ max_tokens: 8192, thinking: { type: 'enabled', budget_tokens: 8191 } });
    const effortOnly = anthropicCodec.decodeRequest({ model: 'm', max_tokens: 10, output_config: { effort: 'xhigh' }, messages: [{ role: 'user', content: 'x' }] });
    const out = anthropicCodec.encodeRequest(effortOnly, target()) as Json;
    expect(out.output_config).toEqual({ effort: 'xhigh' });
    expect(out.thinking).toBeUndefined();
  });
});
