import { describe, expect, it } from 'vitest';
import { CodecError } from '../canonical/codec.js';
import { decodeRequest } from './index.js';

function codecError(body: unknown): CodecError {
  try {
    decodeRequest(body);
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
  throw new Error('expected a CodecError');
}

const base = { model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] };

describe('decodeRequest: messages', () => {
  it('leading system and developer messages become the system prompt; later ones stay in place', () => {
    const req = decodeRequest({
      model: 'gpt-5',
      messages: [
        { role: 'system', content: 'A' },
        { role: 'developer', content: [{ type: 'text', text: 'B' }, { type: 'text', text: 'C' }] },
        { role: 'user', content: 'hi' },
        { role: 'developer', content: 'remember X', name: 'ops' },
        { role: 'assistant', content: 'ok' },
        { role: 'system', content: 'late' },
      ],
    });
    expect(req.system).toEqual([
      { type: 'text', text: 'A' },
      { type: 'text', text: 'B' },
      { type: 'text', text: 'C' },
    ]);
    expect(req.systemKind).toBe('developer');
    expect(req.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'system', systemKind: 'developer', name: 'ops', content: [{ type: 'text', text: 'remember X' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
      { role: 'system', systemKind: 'system', content: [{ type: 'text', text: 'late' }] },
    ]);
  });

  it('groups consecutive tool messages into one user turn and appends the following user message to it', () => {
    const req = decodeRequest({
      model: 'gpt-5',
      messages: [
        { role: 'user', content: 'weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'rain' }] },
        { role: 'user', content: [{ type: 'text', text: 'and tomorrow?' }] },
        { role: 'user', content: 'separate' },
      ],
    });
    expect(req.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_call', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          // truncated arguments are repaired
          { type: 'tool_call', id: 'call_2', name: 'weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'call_1', name: 'weather', content: [{ type: 'text', text: 'sunny' }] },
          { type: 'tool_result', toolCallId: 'call_2', name: 'weather', content: [{ type: 'text', text: 'rain' }] },
          { type: 'text', text: 'and tomorrow?' },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'separate' }] },
    ]);
  });

  it('reads legacy function calls and function messages', () => {
    const req = decodeRequest({
      model: 'gpt-3.5-turbo',
      functions: [{ name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
      function_call: { name: 'lookup' },
      messages: [
        { role: 'user', content: 'find x' },
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":"x"}' } },
        { role: 'function', name: 'lookup', content: 'found' },
      ],
    });
    expect(req.tools).toEqual([{ name: 'lookup', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }]);
    expect(req.toolChoice).toEqual({ type: 'tool', name: 'lookup' });
    expect(req.messages[1].content).toEqual([{ type: 'tool_call', id: 'call_legacy_1', name: 'lookup', input: { q: 'x' } }]);
    expect(req.messages[2].content).toEqual([{ type: 'tool_result', toolCallId: 'call_legacy_1', name: 'lookup', content: [{ type: 'text', text: 'found' }] }]);
  });

  it('reads assistant reasoning (reasoning_content or reasoning) as a leading thinking block without signature', () => {
    for (const field of ['reasoning_content', 'reasoning']) {
      const req = decodeRequest({ ...base, messages: [...base.messages, { role: 'assistant', content: 'answer', [field]: 'thought' }] });
      expect(req.messages[1].content).toEqual([
        { type: 'thinking', text: 'thought', signatureOrigin: { format: 'openai' } },
        { type: 'text', text: 'answer' },
      ]);
    }
  });

  it('keeps a Gemini thought signature carried in extra_content', () => {
    const req = decodeRequest({
      ...base,
      messages: [
        ...base.messages,
        { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' }, extra_content: { google: { thought_signature: 'SIG' } } }] },
      ],
    });
    expect(req.messages[1].content[0]).toEqual({ type: 'tool_call', id: 'c', name: 'f', input: {}, signature: 'SIG', signatureOrigin: { format: 'gemini' } });
  });

  it('decodes content parts: images (data URI, https, detail), PDF files, audio and other files as opaque', () => {
    const audio = { type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } };
    const fileId = { type: 'file', file: { file_id: 'file-123' } };
    const req = decodeRequest({
      model: 'gpt-5',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'text', text: '' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/AA==', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://x.test/a.png' } },
            { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
            audio,
            fileId,
          ],
        },
      ],
    });
    expect(req.messages[0].content).toEqual([
      { type: 'text', text: 'look' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/AA==' }, detail: 'low' },
      { type: 'image', source: { kind: 'url', url: 'https://x.test/a.png' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' }, filename: 'a.pdf' },
      { type: 'opaque', format: 'openai', value: audio },
      { type: 'opaque', format: 'openai', value: fileId },
    ]);
  });
});

describe('decodeRequest: parameters', () => {
  it('maps every canonical parameter', () => {
    const req = decodeRequest({
      ...base,
      max_tokens: 50,
      max_completion_tokens: 100,
      temperature: 0.3,
      top_p: 0.9,
      stop: 'END',
      seed: 7,
      stream: true,
      stream_options: { include_usage: true, include_obfuscation: false },
      tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true, description: 'x' } },
      reasoning_effort: 'low',
      safety_identifier: 'user-1',
    });
    expect(req).toMatchObject({
      maxTokens: 100,
      temperature: 0.3,
      topP: 0.9,
      stop: ['END'],
      seed: 7,
      stream: true,
      includeUsage: true,
      tools: [{ name: 'f', description: 'd', inputSchema: { type: 'object' }, strict: true }],
      toolChoice: { type: 'any', disableParallel: true },
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true, description: 'x' },
      reasoningEffort: 'low',
      user: 'user-1',
    });
    expect(req.extensions.openai).toEqual({ stream_options: { include_obfuscation: false }, safety_identifier: 'user-1' });
  });

  it('keeps everything without a canonical meaning in extensions.openai', () => {
    const extra = {
      logprobs: true,
      top_logprobs: 2,
      logit_bias: { '50256': -100 },
      presence_penalty: 0.5,
      frequency_penalty: 0.1,
      prompt_cache_key: 'k',
      service_tier: 'flex',
      store: true,
      metadata: { a: '1' },
      modalities: ['text'],
      prediction: { type: 'content', content: 'x' },
      web_search_options: {},
      verbosity: 'low',
    };
    expect(decodeRequest({ ...base, ...extra }).extensions.openai).toEqual(extra);
  });

  it('keeps custom tools and allowed_tools choices for an OpenAI upstream', () => {
    const custom = { type: 'custom', custom: { name: 'grammar', description: 'free text' } };
    const choice = { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'f' } }] } };
    const req = decodeRequest({ ...base, tools: [{ type: 'function', function: { name: 'f' } }, custom], tool_choice: choice });
    expect(req.tools).toEqual([{ name: 'f', inputSchema: { type: 'object', properties: {} } }]);
    expect(req.toolChoice).toEqual({ type: 'any' });
    expect(req.extensions.openai).toEqual({ custom_tools: [custom], tool_choice: choice });
  });

  it('maps tool_choice strings and objects', () => {
    expect(decodeRequest({ ...base, tool_choice: 'none' }).toolChoice).toEqual({ type: 'none' });
    expect(decodeRequest({ ...base, tool_choice: 'auto' }).toolChoice).toEqual({ type: 'auto' });
    expect(decodeRequest({ ...base, tool_choice: { type: 'function', function: { name: 'f' } } }).toolChoice).toEqual({ type: 'tool', name: 'f' });
    expect(decodeRequest({ ...base, user: 'u', safety_identifier: 's' }).user).toBe('u');
    expect(decodeRequest({ ...base, stop: ['a', 'b'] }).stop).toEqual(['a', 'b']);
    expect(decodeRequest({ ...base, top_k: 40 }).topK).toBe(40);
  });

  it('rejects n>1 with a 400 that says only n=1 is supported', () => {
    const e = codecError({ ...base, n: 2 });
    expect(e.message).toMatch(/only n=1 is supported/);
    expect(e.param).toBe('n');
    expect(decodeRequest({ ...base, n: 1 }).model).toBe('gpt-5');
  });

  it.each([
    [{ messages: [] }, 'model'],
    [{ model: 'm' }, 'messages'],
    [{ model: 'm', messages: [] }, 'messages'],
    [{ model: 'm', messages: ['hi'] }, 'messages[0]'],
    [{ model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
    [{ model: 'm', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content'],
    [{ model: 'm', messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages[0].content[0].text'],
    [{ model: 'm', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, 'messages[1].content[0].image_url'],
    [{ model: 'm', messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 'messages[0].content[0]'],
    [{ model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [{ model: 'm', messages: [{ role: 'assistant', tool_calls: [{ type: 'function', function: {} }] }] }, 'messages[0].tool_calls[0].function.name'],
    [{ ...base, tools: [{ type: 'function', function: { description: 'no name' } }] }, 'tools[0].function.name'],
    [{ ...base, tools: {} }, 'tools'],
    [{ ...base, tool_choice: 'sometimes' }, 'tool_choice'],
    [{ ...base, response_format: { type: 'xml' } }, 'response_format.type'],
    [{ ...base, reasoning_effort: 'extreme' }, 'reasoning_effort'],
    [{ ...base, temperature: 'hot' }, 'temperature'],
    [{ ...base, max_tokens: 0 }, 'max_tokens'],
    [{ ...base, stop: [1] }, 'stop'],
    [{ ...base, parallel_tool_calls: 'yes' }, 'parallel_tool_calls'],
    [{ ...base, user: 5 }, 'user'],
  ])('rejects %j at %s', (body, param) => {
    expect(codecError(body).param).toBe(param);
  });
});
