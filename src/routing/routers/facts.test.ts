import { describe, expect, it } from 'vitest';
import { celHeaders, celInputs, celMessages, clientFromUserAgent, factsFromRequest, isThinking } from './facts.js';
import { facts, request } from './test-helpers.js';

describe('clientFromUserAgent', () => {
  it.each([
    ['claude-cli/2.1.197 (external, cli)', 'claude-code'],
    ['claude-cli/2.1.197 (external, sdk-cli)', 'claude-code'],
    ['claude-code/2.1.197', 'claude-code'],
    ['Anthropic/JS 1.13.0', 'anthropic-sdk'],
    ['Anthropic/Python 0.40.0', 'anthropic-sdk'],
    ['AsyncAnthropic/Python 0.40.0', 'anthropic-sdk'],
    ['OpenAI/JS 6.49.0', 'openai-sdk'],
    ['AsyncOpenAI/Python 1.54.0', 'openai-sdk'],
    ['AzureOpenAI/Python 1.54.0', 'openai-sdk'],
    ['curl/8.5.0', 'curl'],
    ['python-requests/2.31.0', 'python-requests'],
    ['Mozilla/5.0 (X11; Linux x86_64)', 'Mozilla'],
    ['git/2.39.5', 'git'],
    ['', ''],
    [undefined, ''],
  ])('%s -> %s', (ua, client) => {
    expect(clientFromUserAgent(ua)).toBe(client);
  });
});

describe('celHeaders', () => {
  it('lower-cases names, joins repeated values and redacts credentials', () => {
    expect(
      celHeaders({
        'Content-Type': 'application/json',
        'X-Tags': ['a', 'b'],
        authorization: 'Bearer sk-1',
        'X-Api-Key': 'sk-2',
        Cookie: 'c=1',
        'x-goog-api-key': 'g',
        skipped: undefined,
      }),
    ).toEqual({
      'content-type': 'application/json',
      'x-tags': 'a, b',
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      cookie: '[redacted]',
      'x-goog-api-key': '[redacted]',
    });
  });
});

describe('celMessages', () => {
  it('puts the system prompt first and flattens content to text', () => {
    const msgs = celMessages(
      request({
        system: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image', source: { kind: 'url', url: 'u' } }, { type: 'text', text: 'b' }] },
          { role: 'assistant', content: [{ type: 'thinking', text: 'hmm' }, { type: 'text', text: 'c' }, { type: 'tool_call', id: 'x', name: 'f', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', toolCallId: 'x', content: [{ type: 'text', text: 'r1' }, { type: 'text', text: 'r2' }] }] },
          { role: 'user', content: [{ type: 'tool_result', toolCallId: 'y', content: [] }, { type: 'text', text: 'and now?' }] },
          { role: 'system', systemKind: 'developer', content: [{ type: 'text', text: 'dev note' }] },
        ],
      }),
    );
    expect(msgs).toEqual([
      { role: 'system', content: 'one\ntwo' },
      { role: 'user', content: 'a\nb' },
      { role: 'assistant', content: 'c' },
      { role: 'tool', content: 'r1\nr2' },
      { role: 'user', content: 'and now?' },
      { role: 'developer', content: 'dev note' },
    ]);
  });

  it('has no system message when there is no system prompt', () => {
    expect(celMessages(request())).toEqual([{ role: 'user', content: 'hello' }]);
  });
});

describe('factsFromRequest', () => {
  const base = { api: 'openai' as const, headers: {}, estimateInputTokens: () => 7 };

  it('reads tools, images (also inside tool results), thinking, stream and user', () => {
    const plain = factsFromRequest({ ...base, request: request() });
    expect(plain).toMatchObject({ api: 'openai', hasTools: false, hasImages: false, thinking: false, stream: false, user: null, key: '', client: '', metadata: {} });
    const rich = factsFromRequest({
      ...base,
      keyName: 'ci',
      request: request({
        tools: [{ name: 't', inputSchema: {} }],
        messages: [{ role: 'user', content: [{ type: 'tool_result', toolCallId: 'x', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: '' } }] }] }],
        reasoningEffort: 'high',
        stream: true,
        user: 'u1',
      }),
    });
    expect(rich).toMatchObject({ hasTools: true, hasImages: true, thinking: true, stream: true, user: 'u1', key: 'ci' });
    expect(factsFromRequest({ ...base, request: request({ user: '' }) }).user).toBeNull();
  });

  it('thinking: enabled or adaptive thinking, or an effort other than none', () => {
    expect(isThinking({ thinking: { type: 'enabled', budgetTokens: 1 } })).toBe(true);
    expect(isThinking({ thinking: { type: 'adaptive' } })).toBe(true);
    expect(isThinking({ thinking: { type: 'disabled' } })).toBe(false);
    expect(isThinking({ reasoningEffort: 'none' })).toBe(false);
    expect(isThinking({ reasoningEffort: 'low' })).toBe(true);
    expect(isThinking({})).toBe(false);
  });
});

describe('celInputs', () => {
  it('gives CEL an int for input_tokens and the tester a number; skips facts not needed', () => {
    const { activation, inputs } = celInputs(facts({ inputTokens: 12.6, metadata: { a: 1 } }), { messages: false, inputTokens: true });
    expect((activation.request as Record<string, unknown>).input_tokens).toBe(13n);
    expect((inputs.request as Record<string, unknown>).input_tokens).toBe(13);
    expect(activation).not.toHaveProperty('messages');
    expect(activation.a).toBe(1);
  });
});
