import { describe, expect, it } from 'vitest';
import type { ErrorKind, Response } from '../../canonical/types.js';
import { wrapSignature } from '../../canonical/signature.js';
import { anthropicCodec } from './index.js';
import { sdkMessage } from './testing/sdk.js';

const CTX = { provider: 'anthropic', model: 'claude-x' };

function res(over: Partial<Response> = {}): Response {
  return { id: 'chatcmpl-9', model: 'gpt-5', content: [], stopReason: 'end_turn', stopSequence: null, usage: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, ...over };
}

describe('encodeResponse', () => {
  it('builds a Message with the answering model, msg_ id, full usage and metadata', async () => {
    const out = anthropicCodec.encodeResponse(
      res({
        content: [{ type: 'text', text: 'hi' }],
        usage: { input: 10, output: 50, cacheRead: 100, cacheWrite: 40, cacheWrite1h: 15, reasoning: 30 },
      }),
      { model: 'openai/gpt-5', metadata: () => ({ generation_id: 'g' }) },
    );
    expect(out).toEqual({
      id: 'msg_chatcmpl-9',
      type: 'message',
      role: 'assistant',
      model: 'openai/gpt-5',
      content: [{ type: 'text', text: 'hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 10,
        cache_creation_input_tokens: 40,
        cache_read_input_tokens: 100,
        cache_creation: { ephemeral_5m_input_tokens: 25, ephemeral_1h_input_tokens: 15 },
        output_tokens: 50,
        output_tokens_details: { thinking_tokens: 30 },
      },
      metadata: { generation_id: 'g' },
    });
    expect((await sdkMessage(out)).content).toEqual([{ type: 'text', text: 'hi' }]);
    expect((anthropicCodec.encodeResponse(res({ id: 'msg_keep' }), { model: 'm' }) as { id: string }).id).toBe('msg_keep');
  });

  it('wraps foreign signatures; carries Gemini part signatures in a thinking block before the part', () => {
    const g = { format: 'gemini' as const, provider: 'google-ai-studio', model: 'gemini-3-pro' };
    const out = anthropicCodec.encodeResponse(
      res({
        content: [
          { type: 'thinking', text: 'summary', signature: 'TS', signatureOrigin: g },
          { type: 'thinking', text: 'r1 reasoning', signatureOrigin: { format: 'openai', provider: 'deepseek' } },
          { type: 'text', text: 'answer', signature: 'TXS', signatureOrigin: g },
          { type: 'tool_call', id: 'functions.run:0', name: 'run', input: { a: 1 }, signature: 'FCS' },
          { type: 'text', text: '', signature: 'TAIL', signatureOrigin: g },
          { type: 'opaque', format: 'gemini', value: { codeExecutionResult: {} } },
          { type: 'image', source: { kind: 'url', url: 'u' } },
        ],
        stopReason: 'tool_use',
      }),
      { model: 'google-ai-studio/gemini-3-pro' },
    ) as { content: unknown[]; stop_reason: string };
    expect(out.content).toEqual([
      { type: 'thinking', thinking: 'summary', signature: wrapSignature(g, 'TS') },
      { type: 'thinking', thinking: 'r1 reasoning', signature: wrapSignature({ format: 'openai', provider: 'deepseek' }, '') },
      { type: 'thinking', thinking: '', signature: wrapSignature(g, 'TXS') },
      { type: 'text', text: 'answer' },
      { type: 'thinking', thinking: '', signature: wrapSignature(g, 'FCS') },
      { type: 'tool_use', id: 'functions_run_0', name: 'run', input: { a: 1 } },
      { type: 'thinking', thinking: '', signature: wrapSignature(g, 'TAIL') },
    ]);
    expect(out.stop_reason).toBe('tool_use');
  });

  it('and the wrapped blocks decode back to their origin on the next request', () => {
    const g = { format: 'gemini' as const, provider: 'google-ai-studio', model: 'gemini-3-pro' };
    const out = anthropicCodec.encodeResponse(res({ content: [{ type: 'tool_call', id: 'toolu_1', name: 'run', input: {}, signature: 'FCS', signatureOrigin: g }] }), { model: 'x/y' }) as { content: unknown[] };
    const req = anthropicCodec.decodeRequest({ model: 'm', max_tokens: 1, messages: [{ role: 'assistant', content: out.content }] });
    expect(req.messages[0].content).toEqual([
      { type: 'thinking', text: '', signature: 'FCS', signatureOrigin: g },
      { type: 'tool_call', id: 'toolu_1', name: 'run', input: {} },
    ]);
  });

  it('fixes stop reasons that contradict the content', () => {
    const call = { type: 'tool_call' as const, id: 'a', name: 'b', input: {} };
    expect((anthropicCodec.encodeResponse(res({ stopReason: 'tool_use' }), { model: 'm' }) as { stop_reason: string }).stop_reason).toBe('end_turn');
    expect((anthropicCodec.encodeResponse(res({ content: [call] }), { model: 'm' }) as { stop_reason: string }).stop_reason).toBe('tool_use');
    expect((anthropicCodec.encodeResponse(res({ content: [call], stopReason: 'max_tokens' }), { model: 'm' }) as { stop_reason: string }).stop_reason).toBe('max_tokens');
    expect((anthropicCodec.encodeResponse(res({ stopReason: 'refusal' }), { model: 'm' }) as { stop_reason: string }).stop_reason).toBe('refusal');
  });
});

describe('decodeResponse', () => {
  const body = (over: Record<string, unknown>) => ({ id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 2 }, ...over });
  it('maps every stop reason', () => {
    const table: Record<string, string> = {
      end_turn: 'end_turn',
      max_tokens: 'max_tokens',
      stop_sequence: 'stop_sequence',
      tool_use: 'tool_use',
      refusal: 'refusal',
      pause_turn: 'pause_turn',
      model_context_window_exceeded: 'context_window_exceeded',
      something_new: 'end_turn',
    };
    for (const [wire, canonical] of Object.entries(table)) expect(anthropicCodec.decodeResponse(body({ stop_reason: wire }), CTX).stopReason).toBe(canonical);
    expect(anthropicCodec.decodeResponse(body({ stop_reason: 'stop_sequence', stop_sequence: '###' }), CTX).stopSequence).toBe('###');
  });

  it('reads the 1h cache split, thinking tokens and keeps Anthropic-only fields for an Anthropic client', () => {
    const raw = body({
      usage: {
        input_tokens: 3,
        output_tokens: 40,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: 7,
        cache_creation: { ephemeral_5m_input_tokens: 60, ephemeral_1h_input_tokens: 40 },
        output_tokens_details: { thinking_tokens: 25 },
        server_tool_use: { web_search_requests: 1 },
        service_tier: 'priority',
      },
      container: { id: 'c' },
      stop_details: { category: 'x' },
    });
    const r = anthropicCodec.decodeResponse(raw, CTX);
    expect(r.usage).toEqual({ input: 3, output: 40, cacheRead: 7, cacheWrite: 100, cacheWrite1h: 40, reasoning: 25 });
    expect(r.extensions).toEqual({ anthropic: { container: { id: 'c' }, stop_details: { category: 'x' }, usage: { server_tool_use: { web_search_requests: 1 }, service_tier: 'priority' } } });
    expect(anthropicCodec.encodeResponse(r, { model: 'claude-x' })).toEqual(raw);
  });
});

describe('errors', () => {
  const table: Array<[ErrorKind, number, string, number]> = [
    ['invalid_request', 400, 'invalid_request_error', 400],
    ['invalid_request', 422, 'invalid_request_error', 400],
    ['authentication', 401, 'authentication_error', 401],
    ['billing', 402, 'billing_error', 402],
    ['billing', 429, 'billing_error', 402],
    ['permission', 403, 'permission_error', 403],
    ['not_found', 404, 'not_found_error', 404],
    ['request_too_large', 413, 'request_too_large', 413],
    ['rate_limit', 429, 'rate_limit_error', 429],
    ['api_error', 500, 'api_error', 500],
    ['api_error', 502, 'api_error', 502],
    ['overloaded', 503, 'overloaded_error', 529],
    ['overloaded', 529, 'overloaded_error', 529],
    ['timeout', 504, 'timeout_error', 504],
    ['timeout', 408, 'timeout_error', 504],
  ];
  for (const [kind, status, type, outStatus] of table) {
    it(`encodes ${kind} (${status}) as ${outStatus} ${type}`, () => {
      const out = anthropicCodec.encodeError({ kind, status, message: 'm' }, 'req_x');
      expect(out).toEqual({ status: outStatus, body: { type: 'error', error: { type, message: 'm' }, request_id: 'req_x' } });
    });
  }

  it('adds x-should-retry: false and retry-after', () => {
    expect(anthropicCodec.encodeError({ kind: 'invalid_request', status: 400, message: 'm', noRetry: true, retryAfter: 1.2 }, 'r').headers).toEqual({ 'x-should-retry': 'false', 'retry-after': '2' });
  });

  const decodeTable: Array<[number, string, ErrorKind]> = [
    [400, 'invalid_request_error', 'invalid_request'],
    [401, 'authentication_error', 'authentication'],
    [402, 'billing_error', 'billing'],
    [403, 'permission_error', 'permission'],
    [404, 'not_found_error', 'not_found'],
    [413, 'request_too_large', 'request_too_large'],
    [429, 'rate_limit_error', 'rate_limit'],
    [500, 'api_error', 'api_error'],
    [504, 'timeout_error', 'timeout'],
    [529, 'overloaded_error', 'overloaded'],
  ];
  for (const [status, type, kind] of decodeTable) {
    it(`decodes ${status} ${type} as ${kind}, by type and by status alone`, () => {
      expect(anthropicCodec.decodeError(status, JSON.stringify({ type: 'error', error: { type, message: 'boom' } }), {})).toEqual({ status, kind, message: 'boom', ...(kind === 'billing' ? { noRetry: true } : {}) });
      expect(anthropicCodec.decodeError(status, '<html>bad gateway</html>', {}).kind).toBe(kind);
    });
  }

  it('reads retry-after (seconds, HTTP date, -ms) and x-should-retry', () => {
    const body = JSON.stringify({ error: { type: 'rate_limit_error', message: 'slow down' } });
    expect(anthropicCodec.decodeError(429, body, { 'retry-after': '7' }).retryAfter).toBe(7);
    expect(anthropicCodec.decodeError(429, body, { 'Retry-After': ['3'] }).retryAfter).toBe(3);
    expect(anthropicCodec.decodeError(429, body, { 'retry-after-ms': '1500', 'retry-after': '9' }).retryAfter).toBe(1.5);
    const date = new Date(Date.now() + 60_000).toUTCString();
    const fromDate = anthropicCodec.decodeError(429, body, { 'retry-after': date }).retryAfter!;
    expect(fromDate).toBeGreaterThanOrEqual(58);
    expect(fromDate).toBeLessThanOrEqual(61);
    expect(anthropicCodec.decodeError(429, body, { 'x-should-retry': 'false' }).noRetry).toBe(true);
    expect(anthropicCodec.decodeError(503, '', {})).toEqual({ status: 503, kind: 'overloaded', message: 'HTTP 503' });
    expect(anthropicCodec.decodeError(409, 'conflict', {})).toEqual({ status: 409, kind: 'invalid_request', message: 'conflict' });
  });
});
