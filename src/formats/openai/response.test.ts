import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { Response } from '../canonical/types.js';
import { decodeError, decodeResponse, encodeError, encodeResponse, parseToolArguments, retryAfterSeconds } from './index.js';

const ctx = { provider: 'mistral', model: 'magistral-medium' };

describe('decodeResponse', () => {
  it('reads Mistral array content (thinking and text parts) in order', () => {
    const res = decodeResponse(
      {
        id: 'x',
        model: 'magistral-medium-2507',
        choices: [{ index: 0, message: { role: 'assistant', content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'Think.' }] }, { type: 'text', text: 'Answer.' }] }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      },
      ctx,
    );
    expect(res.content).toEqual([
      { type: 'thinking', text: 'Think.', signatureOrigin: { format: 'openai', provider: 'mistral', model: 'magistral-medium' } },
      { type: 'text', text: 'Answer.' },
    ]);
  });

  it('reads a refusal, Gemini signatures, legacy function_call and DeepSeek cache fields', () => {
    const refusal = decodeResponse({ choices: [{ message: { content: null, refusal: 'No.' }, finish_reason: 'stop' }] }, ctx);
    expect(refusal.content).toEqual([{ type: 'text', text: 'No.' }]);
    expect(refusal.stopReason).toBe('refusal');

    const gem = decodeResponse(
      { choices: [{ message: { tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1' }, extra_content: { google: { thought_signature: 'SIG' } } }] }, finish_reason: 'tool_calls' }] },
      { provider: 'gemini-oai', model: 'gemini-3' },
    );
    expect(gem.content).toEqual([{ type: 'tool_call', id: 'a', name: 'f', input: { x: 1 }, signature: 'SIG', signatureOrigin: { format: 'gemini', provider: 'gemini-oai', model: 'gemini-3' } }]);

    const legacy = decodeResponse({ choices: [{ message: { function_call: { name: 'g', arguments: '{}' } }, finish_reason: 'function_call' }] }, ctx);
    expect(legacy.content).toMatchObject([{ type: 'tool_call', name: 'g', input: {} }]);
    expect(legacy.stopReason).toBe('tool_use');

    const ds = decodeResponse({ choices: [{ message: { content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 100, completion_tokens: 5, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36 } }, ctx);
    expect(ds.usage).toEqual({ input: 36, output: 5, cacheRead: 64, cacheWrite: 0, reasoning: 0 });
  });

  it('claims tool_use only when there is a tool call', () => {
    expect(decodeResponse({ choices: [{ message: { content: 'x' }, finish_reason: 'tool_calls' }] }, ctx).stopReason).toBe('end_turn');
    expect(decodeResponse({ choices: [{ message: { content: 'x' }, finish_reason: 'length' }] }, ctx).stopReason).toBe('max_tokens');
    expect(decodeResponse({ choices: [{ message: { content: 'x' }, finish_reason: 'content_filter' }] }, ctx).stopReason).toBe('refusal');
  });

  it('rejects an error body sent with a 200', () => {
    expect(() => decodeResponse({ error: { message: 'boom' } }, ctx)).toThrow(/boom/);
  });
});

describe('encodeResponse', () => {
  const res: Response = {
    id: 'msg_01',
    model: 'claude-sonnet-4-5',
    content: [
      { type: 'thinking', text: 'reasoning', signature: 'sig' },
      { type: 'redacted_thinking', data: 'xx' },
      { type: 'text', text: 'Let me ' },
      { type: 'text', text: 'check.' },
      { type: 'tool_call', id: 'toolu_1', name: 'Read', input: { path: '/a' } },
    ],
    stopReason: 'tool_use',
    usage: { input: 10, output: 20, cacheRead: 30, cacheWrite: 40, reasoning: 5 },
  };

  it('writes a standard chat.completion the OpenAI SDK reads', async () => {
    const body = encodeResponse(res, { model: 'anthropic/claude-sonnet-4-5', metadata: () => ({ generation_id: 'g' }) });
    expect(body).toMatchObject({
      id: 'chatcmpl-msg_01',
      object: 'chat.completion',
      model: 'anthropic/claude-sonnet-4-5',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: { role: 'assistant', content: 'Let me check.', refusal: null, reasoning_content: 'reasoning', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'Read', arguments: '{"path":"/a"}' } }] },
        },
      ],
      usage: { prompt_tokens: 80, completion_tokens: 20, total_tokens: 100, prompt_tokens_details: { cached_tokens: 30, cache_write_tokens: 40 }, completion_tokens_details: { reasoning_tokens: 5 } },
      metadata: { generation_id: 'g' },
    });
    expect(typeof body.created).toBe('number');
    const client = new OpenAI({ apiKey: 't', baseURL: 'http://sdk.test/v1', fetch: async () => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }) });
    const parsed = await client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'x' }] });
    expect(parsed.choices[0].message.tool_calls?.[0]).toEqual({ id: 'toolu_1', type: 'function', function: { name: 'Read', arguments: '{"path":"/a"}' } });
  });

  it('content is null when there are only tool calls, "" when there is nothing', () => {
    const only = encodeResponse({ ...res, content: [{ type: 'tool_call', id: 't', name: 'f', input: {} }] }, { model: 'm' }) as { choices: Array<{ message: { content: unknown } }> };
    expect(only.choices[0].message.content).toBeNull();
    const empty = encodeResponse({ ...res, content: [], stopReason: 'max_tokens' }, { model: 'm' }) as { choices: Array<{ message: { content: unknown }; finish_reason: string }> };
    expect(empty.choices[0].message.content).toBe('');
    expect(empty.choices[0].finish_reason).toBe('length');
  });

  it('an OpenAI upstream response round-trips through canonical form', () => {
    const upstream = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o',
      system_fingerprint: 'fp_1',
      service_tier: 'default',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null, annotations: [{ type: 'url_citation', url_citation: { url: 'https://x' } }] }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 0 } },
    };
    const out = encodeResponse(decodeResponse(upstream, { provider: 'openai', model: 'gpt-4o' }), { model: 'openai/gpt-4o' });
    expect(out).toEqual({ ...upstream, created: out.created, model: 'openai/gpt-4o' });
  });

  it('keeps an upstream refusal in its own field', () => {
    const dec = decodeResponse({ choices: [{ message: { content: null, refusal: 'No.' }, finish_reason: 'stop' }] }, ctx);
    const out = encodeResponse(dec, { model: 'm' }) as { choices: Array<{ message: Record<string, unknown>; finish_reason: string }> };
    expect(out.choices[0].message).toMatchObject({ content: null, refusal: 'No.' });
    expect(out.choices[0].finish_reason).toBe('stop');
  });
});

describe('errors', () => {
  it('decodes OpenAI, vLLM, Gemini-endpoint and plain-text errors', () => {
    expect(decodeError(429, JSON.stringify({ error: { message: 'You exceeded your current quota', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } }), {})).toEqual({
      status: 429,
      kind: 'rate_limit',
      message: 'You exceeded your current quota',
      noRetry: true,
    });
    expect(decodeError(429, JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }), { 'retry-after': '7' })).toEqual({
      status: 429,
      kind: 'rate_limit',
      message: 'Rate limit reached',
      retryAfter: 7,
    });
    expect(decodeError(400, JSON.stringify({ object: 'error', message: 'max_tokens too large', type: 'BadRequestError', param: null, code: 400 }), {})).toEqual({ status: 400, kind: 'invalid_request', message: 'max_tokens too large' });
    expect(decodeError(400, JSON.stringify([{ error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT' } }]), {})).toMatchObject({ kind: 'invalid_request', message: 'API key not valid.' });
    expect(decodeError(502, '<html>Bad Gateway</html>', {})).toEqual({ status: 502, kind: 'api_error', message: '<html>Bad Gateway</html>' });
    expect(decodeError(503, '', {})).toEqual({ status: 503, kind: 'overloaded', message: 'HTTP 503' });
    expect(decodeError(422, JSON.stringify({ detail: 'bad field' }), {})).toEqual({ status: 422, kind: 'invalid_request', message: 'bad field' });
  });

  it('maps every status of the table', () => {
    const kinds = [400, 401, 402, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504, 529].map((s) => decodeError(s, '{}', {}).kind);
    expect(kinds).toEqual(['invalid_request', 'authentication', 'billing', 'permission', 'not_found', 'timeout', 'invalid_request', 'request_too_large', 'invalid_request', 'rate_limit', 'api_error', 'api_error', 'overloaded', 'timeout', 'overloaded']);
  });

  it('reads retry-after-ms, retry-after seconds and HTTP dates', () => {
    expect(retryAfterSeconds({ 'retry-after-ms': '1500' })).toBe(1.5);
    expect(retryAfterSeconds({ 'Retry-After': ['3'] })).toBe(3);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterSeconds({ 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' }, now)).toBe(10);
    expect(retryAfterSeconds({ 'retry-after': 'soon' })).toBeUndefined();
  });

  it('encodes OpenAI error bodies; 529 becomes 503; noRetry adds x-should-retry', () => {
    expect(encodeError({ status: 529, kind: 'overloaded', message: 'Overloaded' }, 'req_1')).toEqual({
      status: 503,
      body: { error: { message: 'Overloaded', type: 'server_error', param: null, code: 'overloaded' } },
      headers: undefined,
    });
    expect(encodeError({ status: 400, kind: 'invalid_request', message: 'bad', noRetry: true }, 'r')).toEqual({
      status: 400,
      body: { error: { message: 'bad', type: 'invalid_request_error', param: null, code: null } },
      headers: { 'x-should-retry': 'false' },
    });
    expect(encodeError({ status: 429, kind: 'rate_limit', message: 'quota', noRetry: true, retryAfter: 2.5 }, 'r')).toEqual({
      status: 429,
      body: { error: { message: 'quota', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
      headers: { 'x-should-retry': 'false', 'retry-after': '3' },
    });
    expect(encodeError({ status: 0, kind: 'timeout', message: 't' }, 'r').status).toBe(504);
  });
});

describe('parseToolArguments', () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    ['', {}],
    ['null', {}],
    ['[1,2]', {}],
    ['"{\\"a\\":1}"', { a: 1 }],
    ['{"a":1,}', { a: 1 }],
    ['{"a":[1,2,],}', { a: [1, 2] }],
    ['{"a":"unterminated', { a: 'unterminated' }],
    ['{"a":"x\\', { a: 'x' }],
    ['{"a":1,"b":', { a: 1, b: null }],
    ['{"a":1,"b', { a: 1 }],
    ['{"a":{"b":[1,{"c":"d"', { a: { b: [1, { c: 'd' }] } }],
    ['{"a":tr', {}],
    ['not json at all', {}],
    ['Sure! {"city":"Paris"}', { city: 'Paris' }],
  ])('%j → %j', (text, expected) => {
    expect(parseToolArguments(text)).toEqual(expected);
  });
});
