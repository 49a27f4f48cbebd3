import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProviderQuirks, UpstreamTarget } from '../canonical/codec.js';
import type { Message, Request } from '../canonical/types.js';
import { alnum9ToolCallId, decodeRequest, decodeResponse, encodeRequest, openaiToolName, OpenAIStreamDecoder } from './index.js';
import { MOVED_CONTENT_NOTE } from './messages-encode.js';
import { upstreamUser } from './request-encode.js';
import { cassette, summarize } from './test-support.js';

type Body = Record<string, unknown> & { messages: Array<Record<string, unknown>> };

function target(quirks: ProviderQuirks = {}, extra: Partial<UpstreamTarget> = {}): UpstreamTarget {
  return { provider: 'p', model: 'up-model', quirks, ...extra };
}

function req(over: Partial<Request> = {}): Request {
  return { model: 'client-model', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, extensions: {}, ...over };
}

function enc(r: Request, quirks: ProviderQuirks = {}, extra: Partial<UpstreamTarget> = {}): Body {
  return encodeRequest(r, target(quirks, extra)) as Body;
}

const toolTurn: Message[] = [
  { role: 'user', content: [{ type: 'text', text: 'go' }] },
  {
    role: 'assistant',
    content: [
      { type: 'thinking', text: 'plan', signature: 'anthropic-sig' },
      { type: 'text', text: 'Calling.' },
      { type: 'tool_call', id: 'toolu_01ABC', name: 'read', input: { path: 'a' } },
    ],
  },
  {
    role: 'user',
    content: [
      { type: 'tool_result', toolCallId: 'toolu_01ABC', content: [{ type: 'text', text: 'file body' }] },
      { type: 'text', text: 'thanks' },
    ],
  },
];

describe('encodeRequest: shape', () => {
  it('writes system, tool calls and tool results in OpenAI order, dropping thinking and signatures', () => {
    const body = enc(req({ system: [{ type: 'text', text: 'S1' }, { type: 'text', text: 'S2' }], messages: toolTurn }));
    expect(body.model).toBe('up-model');
    expect(body.messages).toEqual([
      { role: 'system', content: 'S1\n\nS2' },
      { role: 'user', content: 'go' },
      { role: 'assistant', content: 'Calling.', tool_calls: [{ id: 'toolu_01ABC', type: 'function', function: { name: 'read', arguments: '{"path":"a"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_01ABC', content: 'file body' },
      { role: 'user', content: 'thanks' },
    ]);
  });

  it("drops Claude Code's billing header line from the system prompt", () => {
    const body = enc(req({ system: [{ type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1; cch=abc;' }, { type: 'text', text: 'You are Claude Code.' }] }));
    expect(body.messages[0]).toEqual({ role: 'system', content: 'You are Claude Code.' });
    expect(enc(req({ system: [{ type: 'text', text: 'x-anthropic-billing-header: only' }] })).messages[0].role).toBe('user');
  });

  it('keeps mid-conversation system messages in place, with their kind', () => {
    const body = enc(req({
      systemKind: 'developer',
      system: [{ type: 'text', text: 'top' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'a' }] },
        { role: 'system', systemKind: 'system', content: [{ type: 'text', text: 'reminder' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
      ],
    }));
    expect(body.messages.map((m) => [m.role, m.content])).toEqual([
      ['developer', 'top'],
      ['user', 'a'],
      ['system', 'reminder'],
      ['assistant', 'b'],
    ]);
  });

  it('moves tool-result images to a following user message and marks errors', () => {
    const png = { kind: 'base64' as const, mediaType: 'image/png', data: 'iVBO' };
    const body = enc(req({
      messages: [
        { role: 'assistant', content: [{ type: 'tool_call', id: 'a', name: 'shot', input: {} }, { type: 'tool_call', id: 'b', name: 'shot', input: {} }, { type: 'tool_call', id: 'c', name: 'run', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolCallId: 'a', content: [{ type: 'text', text: 'caption' }, { type: 'image', source: png }] },
            { type: 'tool_result', toolCallId: 'b', content: [{ type: 'image', source: { kind: 'url', url: 'https://x.test/i.png' } }] },
            { type: 'tool_result', toolCallId: 'c', isError: true, content: [{ type: 'text', text: 'exit 1' }] },
            { type: 'text', text: 'what do you see?' },
          ],
        },
      ],
    }));
    expect(body.messages.slice(1)).toEqual([
      { role: 'tool', tool_call_id: 'a', content: 'caption' },
      { role: 'tool', tool_call_id: 'b', content: MOVED_CONTENT_NOTE },
      { role: 'tool', tool_call_id: 'c', content: 'Error: exit 1' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBO' } },
          { type: 'image_url', image_url: { url: 'https://x.test/i.png' } },
          { type: 'text', text: 'what do you see?' },
        ],
      },
    ]);
  });

  it('writes documents as file parts (PDF) or text, and images with detail', () => {
    const body = enc(req({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBE' }, title: 'Report' },
            { type: 'document', source: { kind: 'text', mediaType: 'text/plain', data: 'plain body' } },
            { type: 'document', source: { kind: 'base64', mediaType: 'text/plain', data: Buffer.from('b64 text').toString('base64') } },
            { type: 'document', source: { kind: 'url', url: 'https://x.test/d.pdf' } },
            { type: 'image', source: { kind: 'url', url: 'https://x.test/i.png' }, detail: 'high' },
            { type: 'opaque', format: 'anthropic', value: { type: 'server_tool_use' } },
          ],
        },
      ],
    }));
    expect(body.messages[0].content).toEqual([
      { type: 'file', file: { filename: 'Report', file_data: 'data:application/pdf;base64,JVBE' } },
      { type: 'text', text: 'plain body' },
      { type: 'text', text: 'b64 text' },
      { type: 'text', text: 'Document: https://x.test/d.pdf' },
      { type: 'image_url', image_url: { url: 'https://x.test/i.png', detail: 'high' } },
    ]);
  });

  it('maps tools, tool_choice and parallelism; never sets strict on translated schemas', () => {
    const tools = [{ name: 'f', description: 'd', inputSchema: { type: 'object', properties: {} }, strict: true }];
    const cases: Array<[Request['toolChoice'], unknown]> = [
      [{ type: 'auto' }, 'auto'],
      [{ type: 'any' }, 'required'],
      [{ type: 'none' }, 'none'],
      [{ type: 'tool', name: 'f' }, { type: 'function', function: { name: 'f' } }],
    ];
    for (const [choice, expected] of cases) expect(enc(req({ tools, toolChoice: choice })).tool_choice).toEqual(expected);
    const body = enc(req({ tools, toolChoice: { type: 'auto', disableParallel: true } }));
    expect(body.tools).toEqual([{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object', properties: {} } } }]);
    expect(body.parallel_tool_calls).toBe(false);
    // From an OpenAI client the client's strict flag stands.
    expect((enc(req({ tools, extensions: { openai: {} } })).tools as Array<{ function: { strict?: boolean } }>)[0].function.strict).toBe(true);
    // No tools: no tool_choice, no parallel_tool_calls (OpenAI rejects them).
    const bare = enc(req({ toolChoice: { type: 'any', disableParallel: true } }));
    expect('tool_choice' in bare || 'parallel_tool_calls' in bare || 'tools' in bare).toBe(false);
  });

  it('maps sampling, stop, seed, user, response format and streaming', () => {
    const body = enc(req({
      maxTokens: 32000,
      temperature: 0.2,
      topP: 0.8,
      topK: 40,
      stop: ['a', 'b'],
      seed: 3,
      user: 'u1',
      stream: true,
      responseFormat: { type: 'json_schema', schema: { type: 'object' }, strict: true },
    }), {}, { maxOutputTokens: 8192 });
    expect(body).toEqual({
      model: 'up-model',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 8192,
      temperature: 0.2,
      top_p: 0.8,
      stop: ['a', 'b'],
      seed: 3,
      user: 'u1',
      stream: true,
      stream_options: { include_usage: true },
      response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' } } },
    });
  });

  it('hashes a user id longer than OpenAI allows, deterministically', () => {
    const long = `{"device_id":"${'d'.repeat(64)}","account_uuid":"a","session_id":"s"}`;
    const a = enc(req({ user: long })).user as string;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(enc(req({ user: long })).user).toBe(a);
  });

  it('maps thinking to reasoning_effort buckets; an explicit effort wins', () => {
    const effort = (r: Partial<Request>) => enc(req(r)).reasoning_effort;
    expect(effort({ thinking: { type: 'enabled', budgetTokens: 1024 } })).toBe('low');
    expect(effort({ thinking: { type: 'enabled', budgetTokens: 1025 } })).toBe('medium');
    expect(effort({ thinking: { type: 'enabled', budgetTokens: 8192 } })).toBe('medium');
    expect(effort({ thinking: { type: 'enabled', budgetTokens: 31999 } })).toBe('high');
    expect(effort({ thinking: { type: 'adaptive' } })).toBe('medium');
    expect(effort({ thinking: { type: 'adaptive' }, reasoningEffort: 'xhigh' })).toBe('xhigh');
    expect(effort({ thinking: { type: 'disabled' } })).toBeUndefined();
    expect(effort({})).toBeUndefined();
  });

  it('shortens tool names OpenAI rejects and maps them back on the response', () => {
    const long = 'mcp__plugin_figma_figma-desktop__get_design_context_for_the_selected_node_in_the_canvas';
    expect(long.length).toBeGreaterThan(64);
    const short = openaiToolName(long);
    expect(short).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    const body = enc(req({
      tools: [{ name: long, inputSchema: { type: 'object' } }],
      toolChoice: { type: 'tool', name: long },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }, { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: long, input: {} }] }],
    }));
    expect((body.tools as Array<{ function: { name: string } }>)[0].function.name).toBe(short);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: short } });
    expect((body.messages[1].tool_calls as Array<{ function: { name: string } }>)[0].function.name).toBe(short);

    const ctx = { provider: 'p', model: 'm', toolNames: [long, 'other'] };
    const res = decodeResponse({ choices: [{ message: { tool_calls: [{ id: 'x', type: 'function', function: { name: short, arguments: '{}' } }] }, finish_reason: 'tool_calls' }] }, ctx);
    expect(res.content[0]).toMatchObject({ type: 'tool_call', name: long });
    const d = new OpenAIStreamDecoder(ctx);
    const events = [
      ...d.push(undefined, JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'x', type: 'function', function: { name: short, arguments: '{}' } }] } }] })),
      ...d.push(undefined, JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] })),
      ...d.end(),
    ];
    expect(summarize(events).tools[0].name).toBe(long);
  });

  it('rewrites tool-call ids longer than 40 characters identically in calls and results', () => {
    const id = `functions.Bash:${'x'.repeat(40)}`;
    const body = enc(req({
      messages: [
        { role: 'assistant', content: [{ type: 'tool_call', id, name: 'Bash', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: id, content: [{ type: 'text', text: 'ok' }] }] },
      ],
    }));
    const callId = (body.messages[0].tool_calls as Array<{ id: string }>)[0].id;
    expect(callId.length).toBeLessThanOrEqual(40);
    expect(callId).not.toBe(id);
    expect(body.messages[1].tool_call_id).toBe(callId);
  });

  it('spreads extensions.openai back and keeps custom tools and raw tool_choice', () => {
    const custom = { type: 'custom', custom: { name: 'g' } };
    const body = enc(req({
      tools: [{ name: 'f', inputSchema: { type: 'object' } }],
      toolChoice: { type: 'any' },
      stream: true,
      extensions: {
        openai: { logprobs: true, custom_tools: [custom], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [] } }, stream_options: { include_obfuscation: false } },
      },
    }));
    expect(body.logprobs).toBe(true);
    expect(body.tools).toEqual([{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }, custom]);
    expect(body.tool_choice).toEqual({ type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [] } });
    expect(body.stream_options).toEqual({ include_obfuscation: false, include_usage: true });
    expect('custom_tools' in body).toBe(false);
  });
});

describe('encodeRequest: every quirk flag', () => {
  it('maxTokensField', () => {
    expect(enc(req({ maxTokens: 10 })).max_tokens).toBe(10);
    const b = enc(req({ maxTokens: 10 }), { maxTokensField: 'max_completion_tokens' });
    expect(b.max_completion_tokens).toBe(10);
    expect('max_tokens' in b).toBe(false);
  });

  it('systemRole', () => {
    expect(enc(req({ system: [{ type: 'text', text: 's' }] }), { systemRole: 'developer' }).messages[0]).toEqual({ role: 'developer', content: 's' });
    // The quirk wins over the client's kind: an upstream that does not know `developer` gets `system`.
    expect(enc(req({ systemKind: 'developer', system: [{ type: 'text', text: 's' }] }), { systemRole: 'system' }).messages[0].role).toBe('system');
  });

  it('stringContentOnly', () => {
    const r = req({
      system: [{ type: 'text', text: 'a', cacheControl: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'text', text: 'y' }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 't', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 't', content: [{ type: 'text', text: 'p' }, { type: 'text', text: 'q' }] }] },
      ],
    });
    expect(enc(r).messages[1].content).toEqual([{ type: 'text', text: 'x' }, { type: 'text', text: 'y' }]);
    expect(enc(r).messages[3].content).toEqual([{ type: 'text', text: 'p' }, { type: 'text', text: 'q' }]);
    const b = enc(r, { stringContentOnly: true, cacheControl: true });
    expect(b.messages[0].content).toBe('a');
    expect(b.messages[1].content).toBe('x\n\ny');
    expect(b.messages[3].content).toBe('p\nq');
  });

  it('stripSchemaKeyword', () => {
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { a: { type: 'string' } } };
    const fn = (q: ProviderQuirks) => (enc(req({ tools: [{ name: 'f', inputSchema: schema }] }), q).tools as Array<{ function: { parameters: object } }>)[0].function.parameters;
    expect(fn({})).toEqual(schema);
    expect(fn({ stripSchemaKeyword: true })).toEqual({ type: 'object', properties: { a: { type: 'string' } } });
  });

  it('toolCallIdStyle alnum9, the same hash for the call and its result', () => {
    const b = enc(req({ messages: toolTurn }), { toolCallIdStyle: 'alnum9' });
    const id = (b.messages[1].tool_calls as Array<{ id: string }>)[0].id;
    expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(id).toBe(alnum9ToolCallId('toolu_01ABC'));
    expect(b.messages[2]).toMatchObject({ role: 'tool', tool_call_id: id });
    expect(alnum9ToolCallId('ax9fskhev')).toBe('ax9fskhev');
  });

  it('replayReasoningContent and reasoningField', () => {
    const withTools = enc(req({ messages: toolTurn }), { replayReasoningContent: true });
    expect(withTools.messages[1].reasoning_content).toBe('plan');
    const field = enc(req({ messages: toolTurn }), { replayReasoningContent: true, reasoningField: 'reasoning' });
    expect(field.messages[1].reasoning).toBe('plan');
    expect('reasoning_content' in enc(req({ messages: toolTurn })).messages[1]).toBe(false);
    // Only tool-call turns carry it.
    const plain = enc(req({ messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }] }, { role: 'assistant', content: [{ type: 'thinking', text: 't' }, { type: 'text', text: 'a' }] }] }), { replayReasoningContent: true });
    expect(plain.messages[1]).toEqual({ role: 'assistant', content: 'a' });
  });

  it('reasoningRequest', () => {
    const r = req({ thinking: { type: 'enabled', budgetTokens: 5000 } });
    expect(enc(r).reasoning_effort).toBe('medium');
    expect(enc(r, { reasoningRequest: 'reasoning_effort' }).reasoning_effort).toBe('medium');
    const obj = enc(r, { reasoningRequest: 'reasoning_object' });
    expect(obj.reasoning).toEqual({ effort: 'medium' });
    expect('reasoning_effort' in obj).toBe(false);
    const none = enc(r, { reasoningRequest: 'none' });
    expect('reasoning' in none || 'reasoning_effort' in none).toBe(false);
  });

  it('streamUsage', () => {
    expect(enc(req({ stream: true })).stream_options).toEqual({ include_usage: true });
    const b = enc(req({ stream: true }), { streamUsage: false });
    expect(b.stream).toBe(true);
    expect('stream_options' in b).toBe(false);
    expect('stream_options' in enc(req({ stream: false }))).toBe(false);
  });

  it('cacheControl', () => {
    const r = req({
      system: [{ type: 'text', text: 'sys', cacheControl: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'u', cacheControl: { type: 'ephemeral', ttl: '1h' } }] }],
    });
    expect(enc(r).messages).toEqual([{ role: 'system', content: 'sys' }, { role: 'user', content: 'u' }]);
    expect(enc(r, { cacheControl: true }).messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }] },
      { role: 'user', content: [{ type: 'text', text: 'u', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
    ]);
  });

  it('omitEmptyTools', () => {
    expect(enc(req({ tools: [] })).tools).toEqual([]);
    expect('tools' in enc(req({ tools: [] }), { omitEmptyTools: true })).toBe(false);
  });

  it('noToolChoice', () => {
    const r = req({ tools: [{ name: 'f', inputSchema: { type: 'object' } }], toolChoice: { type: 'tool', name: 'f' } });
    expect(enc(r).tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
    expect('tool_choice' in enc(r, { noToolChoice: true })).toBe(false);
    const raw = req({ ...r, extensions: { openai: { tool_choice: { type: 'allowed_tools' } } } });
    expect('tool_choice' in enc(raw, { noToolChoice: true })).toBe(false);
  });

  it('noSampling', () => {
    const r = req({ temperature: 0.5, topP: 0.9 });
    expect(enc(r)).toMatchObject({ temperature: 0.5, top_p: 0.9 });
    const b = enc(r, { noSampling: true });
    expect('temperature' in b || 'top_p' in b).toBe(false);
  });

  it('maxStop', () => {
    expect(enc(req({ stop: ['1', '2', '3', '4', '5'] }), { maxStop: 4 }).stop).toEqual(['1', '2', '3', '4']);
    expect(enc(req({ stop: ['1', '2', '3', '4', '5'] })).stop).toEqual(['1', '2', '3', '4', '5']);
  });
});

describe('recorded request bodies round-trip', () => {
  const openaiQuirks: ProviderQuirks = { maxTokensField: 'max_completion_tokens', reasoningRequest: 'reasoning_effort', maxStop: 4 };
  const files = [
    'openai--chat-basic.yaml',
    'openai--chat-detailed-usage.yaml',
    'openai--chat-image-to-text.yaml',
    'openai--chat-json-mode.yaml',
    'openai--chat-multimodal.yaml',
    'openai--chat-multiturn.yaml',
    'openai--chat-parallel-tools.yaml',
    'openai--chat-reasoning.yaml',
    'openai--chat-streaming-detailed-usage.yaml',
    'openai--chat-streaming.yaml',
    'openai--chat-tools.yaml',
    'openai--chat-unknown-model.yaml',
    'openai--chat-web-search.yaml',
    'openai--test_run_stream_sync_streams_real_model.yaml',
    'openai--test_openai_chat_prompt_cache_e2e.yaml',
    'openai--test_openai_model_thinking_part.yaml',
    'openai--test_openai_o1_mini_system_role[developer].yaml',
    'openai--test_openai_web_search_tool_model_not_supported.yaml',
  ];

  /** Lossy points of the round trip: defaults that are not re-sent, and usage always requested on streams. */
  function normalise(original: Record<string, unknown>, encoded: Record<string, unknown>): Record<string, unknown> {
    const out = { ...encoded };
    if (original.n === 1) out.n = 1;
    if (original.stream === false) out.stream = false;
    if (original.stream === true && original.stream_options === undefined) delete out.stream_options;
    return out;
  }

  it.each(files)('%s', (file) => {
    const chats = cassette(file).filter((i) => i.url.endsWith('/chat/completions'));
    expect(chats.length).toBeGreaterThan(0);
    for (const it0 of chats) {
      const original = it0.request!;
      const decoded = decodeRequest(structuredClone(original));
      const encoded = encodeRequest(decoded, target(openaiQuirks, { model: original.model as string })) as Record<string, unknown>;
      expect(normalise(original, encoded)).toEqual(original);
    }
  });

  it('the bad-request cassette is rejected at decode (max_tokens 0)', () => {
    const [bad] = cassette('openai--chat-bad-request.yaml');
    expect(() => decodeRequest(bad.request)).toThrow(/max_tokens/);
  });
});

describe('a real Claude Code request towards a strict OpenAI-compatible vendor', () => {
  // Read straight from the capture (no Anthropic codec involved): system blocks and tools as Claude Code sends them.
  const file = path.resolve(import.meta.dirname, '../../../../shared/fixtures/claude-code/p-json-bash.jsonl');
  const body = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { body?: Record<string, unknown> }).body)
    .find((b) => b && Array.isArray(b.system))!;
  const system = (body.system as Array<{ text: string }>).map((s) => ({ type: 'text' as const, text: s.text }));
  const tools = (body.tools as Array<{ name: string; description: string; input_schema: Record<string, unknown> }>).map((t) => ({ name: t.name, description: t.description, inputSchema: t.input_schema }));

  it('drops the billing line, strips $schema and sends string content', () => {
    expect(system[0].text.startsWith('x-anthropic-billing-header:')).toBe(true);
    expect(tools.every((t) => '$schema' in t.inputSchema)).toBe(true);
    const out = enc(req({ system, tools, maxTokens: 32000, thinking: { type: 'enabled', budgetTokens: 31999 } }), { stringContentOnly: true, stripSchemaKeyword: true, reasoningRequest: 'none', omitEmptyTools: true }, { maxOutputTokens: 8192 });
    expect(out.messages[0]).toEqual({ role: 'system', content: system.slice(1).map((s) => s.text).join('\n\n') });
    const sent = out.tools as Array<{ type: string; function: { name: string; parameters: Record<string, unknown> } }>;
    expect(sent.map((t) => t.function.name)).toEqual(tools.map((t) => t.name));
    expect(sent.some((t) => '$schema' in t.function.parameters)).toBe(false);
    expect(out.max_tokens).toBe(8192);
    expect('reasoning_effort' in out).toBe(false);
  });
});

describe('upstreamUser', () => {
  it('keeps short ids and hashes long ones, the same hash for the same id however often and in whatever order', () => {
    const a = `user_${'a'.repeat(70)}_account_x_session_1`;
    const b = `user_${'a'.repeat(70)}_account_x_session_2`;
    expect(upstreamUser('short')).toBe('short');
    const ha = upstreamUser(a);
    expect(ha).toBe(createHash('sha256').update(a, 'utf8').digest('hex'));
    expect(upstreamUser(a)).toBe(ha);
    const hb = upstreamUser(b);
    expect(hb).not.toBe(ha);
    expect(hb).toBe(createHash('sha256').update(b, 'utf8').digest('hex'));
    expect(upstreamUser(a)).toBe(ha);
    expect(upstreamUser('short')).toBe('short');
    expect(upstreamUser(b)).toBe(hb);
  });
});
