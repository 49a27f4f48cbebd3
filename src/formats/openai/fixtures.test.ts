import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Response, StreamEvent } from '../canonical/types.js';
import { openaiCodec } from './index.js';
import { cassette, chunkLines, fixtureJson, fixtureText, sseData, summarize, type StreamSummary } from './test-support.js';

const ctx = { provider: 'openai', model: 'm' };

function decodeChunks(payloads: string[], end = true): StreamEvent[] {
  const d = openaiCodec.streamDecoder(ctx);
  const events = payloads.flatMap((p) => d.push(undefined, p));
  return end ? [...events, ...d.end()] : events;
}

function streamOf(name: string): StreamSummary {
  return summarize(decodeChunks(chunkLines(name)));
}

function sha16(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

function text(res: Response): string {
  return res.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
}

function thinking(res: Response): string {
  return res.content.flatMap((b) => (b.type === 'thinking' ? [b.text] : [])).join('');
}

function tools(res: Response) {
  return res.content.flatMap((b) => (b.type === 'tool_call' ? [{ id: b.id, name: b.name, input: b.input }] : []));
}

// Expected values were computed independently (a Python fold of the raw chunk files) and checked by hand.
describe('recorded chunk streams', () => {
  it('openai-text: long text, usage chunk after the finish chunk', () => {
    const s = streamOf('openai--openai-text.chunks.txt');
    expect(s.id).toBe('chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0');
    expect(s.model).toBe('gpt-4.1-nano-2025-04-14');
    expect(s.text.length).toBe(1724);
    expect(s.text.startsWith('**Holiday Name:** Harmony Day\n\n**Date:** Celebrated annually on the first Saturd')).toBe(true);
    expect(sha16(s.text)).toBe('53b2d9e583d02b3f');
    expect(s.blocks).toEqual(['text']);
    expect(s.stopReason).toBe('end_turn');
    expect(s.usage).toEqual({ input: 16, output: 300, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('deepseek-reasoning: reasoning_content then content, usage on the finish chunk', () => {
    const s = streamOf('openai--deepseek-reasoning.chunks.txt');
    expect(s.blocks).toEqual(['thinking', 'text']);
    expect(s.text).toBe('The word "strawberry" contains three "r"s.');
    expect(s.thinking.length).toBe(606);
    expect(s.thinking.startsWith('We need to count the number of the letter "r" in the word "s')).toBe(true);
    expect(s.thinking.endsWith('at positions 3, 8, and 9. So yes, 3.\n\nThus, the answer is 3.')).toBe(true);
    expect(sha16(s.thinking)).toBe('01a5d04ca7e849fd');
    expect(s.stopReason).toBe('end_turn');
    expect(s.usage).toEqual({ input: 18, output: 219, cacheRead: 0, cacheWrite: 0, reasoning: 205 });
  });

  it('deepseek-tool-call: reasoning then a streamed tool call, cache hits', () => {
    const s = streamOf('openai--deepseek-tool-call.chunks.txt');
    expect(s.blocks).toEqual(['thinking', 'tool_call']);
    expect(s.thinking.length).toBe(191);
    expect(sha16(s.thinking)).toBe('e9e5190a993cf891');
    expect(s.tools).toEqual([{ id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF', name: 'weather', args: '{"location": "San Francisco"}' }]);
    expect(s.stopReason).toBe('tool_use');
    expect(s.usage).toEqual({ input: 19, output: 83, cacheRead: 320, cacheWrite: 0, reasoning: 39 });
  });

  it('xai-tool-call: whole call in one chunk; completion_tokens excludes reasoning at xAI', () => {
    const s = streamOf('openai--xai-tool-call.chunks.txt');
    expect(s.blocks).toEqual(['thinking', 'tool_call']);
    expect(s.thinking.length).toBe(1069);
    expect(sha16(s.thinking)).toBe('7df9a5068fc57ed4');
    expect(s.tools).toEqual([{ id: 'call_79382389', name: 'weather', args: '{"location":"San Francisco"}' }]);
    expect(s.stopReason).toBe('tool_use');
    // total 560 = prompt 307 + completion 26 + reasoning 227
    expect(s.usage).toEqual({ input: 1, output: 253, cacheRead: 306, cacheWrite: 0, reasoning: 227 });
  });

  it('groq-tool-call: usage in the finish chunk, no usage chunk', () => {
    const s = streamOf('openai--groq-tool-call.chunks.txt');
    expect(s.tools).toEqual([{ id: 'tk85n1k4m', name: 'weather', args: '{}' }]);
    expect(s.stopReason).toBe('tool_use');
    expect(s.usage).toEqual({ input: 210, output: 15, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('issue-15789-step-2: short text stream', () => {
    const s = streamOf('openai--issue-15789-step-2.chunks.txt');
    expect(s.text).toBe('POST_TOOL');
    expect(s.stopReason).toBe('end_turn');
    expect(s.usage).toEqual({ input: 86, output: 2, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('mistral-reasoning: array content with thinking and text parts', () => {
    const s = streamOf('openai--mistral-reasoning.chunks.txt');
    expect(s.blocks).toEqual(['thinking', 'text']);
    expect(s.thinking).toBe('The user is asking for 2+2. This is basic arithmetic. 2+2=4.');
    expect(s.text).toBe('2 + 2 = 4');
    expect(s.stopReason).toBe('end_turn');
    expect(s.usage).toEqual({ input: 10, output: 46, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('anthropic-fallback-tool-call.sse: text then a call at index 1, [DONE] without usage', () => {
    const events = decodeChunks(sseData(fixtureText('openai--anthropic-fallback-tool-call.sse')), false);
    const s = summarize(events);
    expect(s.blocks).toEqual(['text', 'tool_call']);
    expect(s.text).toBe('Reading it.');
    expect(s.tools).toEqual([{ id: 'toolu_sanitized', name: 'read_file', args: '{"path": "a.txt"}' }]);
    // The finish arrived on [DONE], not on end().
    expect(s.stopReason).toBe('tool_use');
    expect(s.usage).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('uses the estimated input when the upstream sends no usage', () => {
    const d = openaiCodec.streamDecoder({ ...ctx, estimateInput: () => ({ input: 1234, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }) });
    const events = [...sseData(fixtureText('openai--anthropic-fallback-tool-call.sse')).flatMap((p) => d.push(undefined, p)), ...d.end()];
    expect(events[0]).toMatchObject({ type: 'start', usage: { input: 1234 } });
    expect(events.at(-1)).toMatchObject({ type: 'finish', usage: { input: 1234, output: 0 } });
  });

  it('a cut stream ends with an error, never a clean finish', () => {
    const lines = chunkLines('openai--deepseek-tool-call.chunks.txt');
    const events = decodeChunks(lines.slice(0, 30));
    const last = events.at(-1)!;
    expect(last.type).toBe('error');
    expect(events.some((e) => e.type === 'finish')).toBe(false);
    expect(last.type === 'error' && last.error.message).toMatch(/ended the stream early/);
  });
});

describe('recorded non-stream bodies', () => {
  it('cerebras: `reasoning` field, tool call with a 9-char id, time_info ignored', () => {
    const res = openaiCodec.decodeResponse(fixtureJson('openai--cerebras-structured-output-tools.1.json'), ctx);
    expect(res.content.map((b) => b.type)).toEqual(['thinking', 'tool_call']);
    expect(thinking(res)).toMatch(/^The user is asking about a "magic number"\. .* Let me call this function to get the magic number for them\.$/);
    expect(tools(res)).toEqual([{ id: '85e4fd267', name: 'nonUsefulTool', input: {} }]);
    expect(res.stopReason).toBe('tool_use');
    expect(res.usage).toEqual({ input: 66, output: 65, cacheRead: 256, cacheWrite: 0, reasoning: 58 });
    expect(res.model).toBe('zai-glm-4.7');
  });

  it('deepseek-reasoning.json: reasoning_content + content', () => {
    const res = openaiCodec.decodeResponse(fixtureJson('openai--deepseek-reasoning.json'), { provider: 'deepseek', model: 'deepseek-reasoner' });
    expect(res.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(res.content[0]).toMatchObject({ signatureOrigin: { format: 'openai', provider: 'deepseek', model: 'deepseek-reasoner' } });
    expect(text(res)).toBe('The word "strawberry" contains three instances of the letter "r": one after the "t" and two before the "y".');
    expect(thinking(res).startsWith(`We are asked: "How many 'r's are in the word 'strawberry'?"`)).toBe(true);
    expect(thinking(res).endsWith('So answer is 3.')).toBe(true);
    expect(res.stopReason).toBe('end_turn');
    expect(res.usage).toEqual({ input: 18, output: 345, cacheRead: 0, cacheWrite: 0, reasoning: 315 });
  });

  it('groq-reasoning.json: `reasoning` field', () => {
    const res = openaiCodec.decodeResponse(fixtureJson('openai--groq-reasoning.json'), ctx);
    expect(res.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(thinking(res).startsWith('Okay, so the user is asking how many times the letter "r" appears')).toBe(true);
    expect(text(res).endsWith('**Answer:** 3.')).toBe(true);
    expect(res.usage).toEqual({ input: 17, output: 649, cacheRead: 0, cacheWrite: 0, reasoning: 570 });
    expect(res.extensions?.openai).toEqual({ system_fingerprint: 'fp_5cf921caa2', service_tier: 'on_demand' });
  });

  it('groq-tool-call.json: tool call without content', () => {
    const res = openaiCodec.decodeResponse(fixtureJson('openai--groq-tool-call.json'), ctx);
    expect(res.content).toEqual([{ type: 'tool_call', id: 'ax9fskhev', name: 'weather', input: {} }]);
    expect(res.stopReason).toBe('tool_use');
    expect(res.usage).toEqual({ input: 218, output: 15, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('xai-tool-call.json: empty content string, reasoning outside completion_tokens', () => {
    const res = openaiCodec.decodeResponse(fixtureJson('openai--xai-tool-call.json'), ctx);
    expect(res.content.map((b) => b.type)).toEqual(['thinking', 'tool_call']);
    expect(tools(res)).toEqual([{ id: 'call_46427107', name: 'weather', input: { location: 'San Francisco' } }]);
    // total 588 = 307 + 26 + 255
    expect(res.usage).toEqual({ input: 63, output: 281, cacheRead: 244, cacheWrite: 0, reasoning: 255 });
  });

  it('openai-text.json and issue-8132: plain text', () => {
    const a = openaiCodec.decodeResponse(fixtureJson('openai--openai-text.json'), ctx);
    expect(text(a).startsWith('**Holiday Name:** Galaxy Day  \n\n**Date:** October 31st')).toBe(true);
    expect(text(a).endsWith('inspiring individuals to look up and dream beyond our world.')).toBe(true);
    expect(a.usage).toEqual({ input: 16, output: 363, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    const b = openaiCodec.decodeResponse(fixtureJson('openai--issue-8132-long-tool-call-id.json'), ctx);
    expect(b.content).toEqual([{ type: 'text', text: 'OpenAI API Documentation' }]);
    expect(b.id).toBe('chatcmpl-E1pM8f3R7mTNOR0nc3JsNVewLODyz');
    expect(b.usage).toEqual({ input: 72, output: 4, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('cached-input-tokens-11178: cached_tokens leave input', () => {
    const doc = fixtureJson('openai--openai-chat-cached-input-tokens-11178.json') as { attempts: Array<{ rawResponseBody: unknown }> };
    const [first, second] = doc.attempts.map((a) => openaiCodec.decodeResponse(a.rawResponseBody, ctx));
    expect(first.usage).toEqual({ input: 10122, output: 1, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    expect(second.usage).toEqual({ input: 138, output: 1, cacheRead: 9984, cacheWrite: 0, reasoning: 0 });
    expect(text(second)).toBe('ok');
  });

  it('reasoning-model-legacy-parameter-error.json: a 400', () => {
    const err = openaiCodec.decodeError(400, fixtureText('openai--reasoning-model-legacy-parameter-error.json'), {});
    expect(err).toEqual({ status: 400, kind: 'invalid_request', message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead." });
  });
});

describe('recorded cassettes', () => {
  it('chat-basic: request and response', () => {
    const [it0] = cassette('openai--chat-basic.yaml');
    const req = openaiCodec.decodeRequest(it0.request);
    expect(req.model).toBe('gpt-5-nano');
    expect(req.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hello!' }] }]);
    const res = openaiCodec.decodeResponse(it0.response, ctx);
    expect(text(res).startsWith('Hi there! How can I help you today?')).toBe(true);
    expect(res.usage).toEqual({ input: 8, output: 377, cacheRead: 0, cacheWrite: 0, reasoning: 320 });
  });

  it('chat-tools and chat-parallel-tools: tools, tool_choice, parallel_tool_calls', () => {
    const [tools0] = cassette('openai--chat-tools.yaml');
    const req = openaiCodec.decodeRequest(tools0.request);
    expect(req.tools).toEqual([
      {
        name: 'get_current_weather',
        description: 'Get the current weather in a given location',
        inputSchema: {
          properties: { location: { description: 'The city and state, e.g. San Francisco, CA', type: 'string' }, unit: { enum: ['celsius', 'fahrenheit'], type: 'string' } },
          required: ['location'],
          type: 'object',
        },
      },
    ]);
    expect(req.toolChoice).toEqual({ type: 'auto' });
    const res = openaiCodec.decodeResponse(tools0.response, ctx);
    expect(res.content).toEqual([{ type: 'tool_call', id: 'call_8fxy20OEu9ulvvaa5b5CzVA4', name: 'get_current_weather', input: { location: 'Boston, MA', unit: 'fahrenheit' } }]);
    expect(res.stopReason).toBe('tool_use');
    expect(res.usage).toEqual({ input: 162, output: 287, cacheRead: 0, cacheWrite: 0, reasoning: 256 });

    const [par] = cassette('openai--chat-parallel-tools.yaml');
    expect(openaiCodec.decodeRequest(par.request).parallelToolCalls).toBe(true);
    const pres = openaiCodec.decodeResponse(par.response, ctx);
    expect(pres.content).toEqual([{ type: 'tool_call', id: 'call_Xc4Aiih37EUJvqjoZlu4Vdoi', name: 'get_current_weather', input: { location: 'San Francisco, CA' } }]);
    expect(pres.usage).toEqual({ input: 162, output: 219, cacheRead: 0, cacheWrite: 0, reasoning: 192 });
  });

  it('chat-detailed-usage and chat-multiturn: developer role', () => {
    const [du] = cassette('openai--chat-detailed-usage.yaml');
    const req = openaiCodec.decodeRequest(du.request);
    expect(req.system).toEqual([{ type: 'text', text: "Hello, I'm a developer!" }]);
    expect(req.systemKind).toBe('developer');
    expect(req.messages).toEqual([]);
    expect(req.maxTokens).toBe(100);
    expect(req.temperature).toBe(1);
    const res = openaiCodec.decodeResponse(du.response, ctx);
    expect(res.content).toEqual([]);
    expect(res.stopReason).toBe('max_tokens');
    expect(res.usage).toEqual({ input: 12, output: 100, cacheRead: 0, cacheWrite: 0, reasoning: 100 });

    const [mt] = cassette('openai--chat-multiturn.yaml');
    const mreq = openaiCodec.decodeRequest(mt.request);
    expect(mreq.system).toEqual([{ type: 'text', text: 'You are a helpful assistant.' }]);
    expect(mreq.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', [{ type: 'text', text: 'Hello!' }]],
      ['assistant', [{ type: 'text', text: 'Hello! How can I assist you today?' }]],
      ['user', [{ type: 'text', text: "Answer in up to 5 words: What's the weather like?" }]],
    ]);
    expect(text(openaiCodec.decodeResponse(mt.response, ctx))).toBe('What city or region?');
  });

  it('chat-image-to-text and chat-multimodal: data URI and https images', () => {
    const [img] = cassette('openai--chat-image-to-text.yaml');
    const req = openaiCodec.decodeRequest(img.request);
    const blocks = req.messages[0].content;
    expect(blocks[0]).toEqual({ type: 'text', text: "Answer in up to 5 words: What's in this image?" });
    expect(blocks[1]).toMatchObject({ type: 'image', source: { kind: 'base64', mediaType: 'image/png' } });
    expect(blocks[1].type === 'image' && blocks[1].source.kind === 'base64' && blocks[1].source.data.startsWith('iVBORw0KGgo')).toBe(true);
    expect(text(openaiCodec.decodeResponse(img.response, ctx))).toBe('A tiny blue cartoon character.');

    const [mm] = cassette('openai--chat-multimodal.yaml');
    const mreq = openaiCodec.decodeRequest(mm.request);
    expect(mreq.messages[0].content[1]).toEqual({
      type: 'image',
      source: { kind: 'url', url: 'https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg' },
    });
    expect(openaiCodec.decodeResponse(mm.response, ctx).usage).toEqual({ input: 2245, output: 100, cacheRead: 0, cacheWrite: 0, reasoning: 100 });
  });

  it('chat-json-mode, chat-reasoning, chat-web-search', () => {
    const [json] = cassette('openai--chat-json-mode.yaml');
    expect(openaiCodec.decodeRequest(json.request).responseFormat).toEqual({ type: 'json_object' });
    expect(text(openaiCodec.decodeResponse(json.response, ctx))).toBe('{"name":"Alex Smith","age":29,"city":"San Francisco"}');

    const [r] = cassette('openai--chat-reasoning.yaml');
    const rres = openaiCodec.decodeResponse(r.response, ctx);
    expect(text(rres).startsWith('Ball costs 5 cents.')).toBe(true);
    expect(rres.usage).toEqual({ input: 27, output: 267, cacheRead: 0, cacheWrite: 0, reasoning: 192 });

    const [ws] = cassette('openai--chat-web-search.yaml');
    const wreq = openaiCodec.decodeRequest(ws.request);
    expect(wreq.extensions.openai).toEqual({ web_search_options: { search_context_size: 'low' } });
    const wres = openaiCodec.decodeResponse(ws.response, ctx);
    expect(text(wres)).toBe('The URL https://httpbin.org/base64/dGVzdA== returns the decoded string "test".  ');
    expect(wres.usage).toEqual({ input: 26, output: 22, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('chat-streaming and chat-streaming-detailed-usage: raw SSE in cassettes', () => {
    const [st] = cassette('openai--chat-streaming.yaml');
    const req = openaiCodec.decodeRequest(st.request);
    expect(req.stream).toBe(true);
    expect(req.includeUsage).toBeUndefined();
    const s = summarize(decodeChunks(sseData(st.response as string), false));
    expect(s.text).toBe(
      'Hi there! How can I help today? I can answer questions, explain concepts, help with writing or brainstorming, code, plan something, and more. Tell me what you’d like to work on or a topic you’re curious about.',
    );
    expect(s.stopReason).toBe('end_turn');

    const [du] = cassette('openai--chat-streaming-detailed-usage.yaml');
    const dreq = openaiCodec.decodeRequest(du.request);
    expect(dreq.includeUsage).toBe(true);
    const ds = summarize(decodeChunks(sseData(du.response as string), false));
    expect(ds.blocks).toEqual([]);
    expect(ds.stopReason).toBe('max_tokens');
    expect(ds.usage).toEqual({ input: 12, output: 100, cacheRead: 0, cacheWrite: 0, reasoning: 100 });
  });

  it('test_run_stream_sync_streams_real_model: streamed tool call, then the tool-result turn', () => {
    const [first, second] = cassette('openai--test_run_stream_sync_streams_real_model.yaml');
    const s1 = summarize(decodeChunks(sseData(first.response as string), false));
    expect(s1.tools).toEqual([{ id: 'call_ZR5UUuTt3pf61kjwAJIYdVMj', name: 'get_capital', args: '{"country":"UK"}' }]);
    expect(s1.stopReason).toBe('tool_use');
    expect(s1.usage).toEqual({ input: 53, output: 15, cacheRead: 0, cacheWrite: 0, reasoning: 0 });

    const req = openaiCodec.decodeRequest(second.request);
    expect(req.tools?.[0]).toMatchObject({ name: 'get_capital', description: '', strict: true });
    expect(req.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'What is the capital of the UK? Use the tool, then answer.' }] },
      { role: 'assistant', content: [{ type: 'tool_call', id: 'call_ZR5UUuTt3pf61kjwAJIYdVMj', name: 'get_capital', input: { country: 'UK' } }] },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call_ZR5UUuTt3pf61kjwAJIYdVMj', name: 'get_capital', content: [{ type: 'text', text: 'London' }] }] },
    ]);
    const s2 = summarize(decodeChunks(sseData(second.response as string), false));
    expect(s2.text).toBe('The capital of the UK is London.');
    expect(s2.stopReason).toBe('end_turn');
    expect(s2.usage).toEqual({ input: 78, output: 9, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
  });

  it('prompt cache e2e: explicit breakpoint, cache writes then reads', () => {
    const [a, b] = cassette('openai--test_openai_chat_prompt_cache_e2e.yaml');
    const req = openaiCodec.decodeRequest(a.request);
    expect(req.messages[0].content[0]).toMatchObject({ type: 'text', cacheControl: { type: 'ephemeral' } });
    expect(req.messages[0].content[1]).toEqual({ type: 'text', text: 'Reply with exactly: OK' });
    expect(req.extensions.openai).toEqual({ prompt_cache_key: 'pydantic-ai-prompt-cache-e2e-chat', prompt_cache_options: { mode: 'explicit', ttl: '30m' } });
    expect(openaiCodec.decodeResponse(a.response, ctx).usage).toEqual({ input: 8, output: 4, cacheRead: 0, cacheWrite: 4012, reasoning: 0 });
    expect(openaiCodec.decodeResponse(b.response, ctx).usage).toEqual({ input: 8, output: 4, cacheRead: 4012, cacheWrite: 0, reasoning: 0 });
  });

  it('thinking part: reasoning_effort and a <think> replayed as text', () => {
    const interactions = cassette('openai--test_openai_model_thinking_part.yaml');
    const chat = interactions.find((i) => i.url.endsWith('/chat/completions'))!;
    const req = openaiCodec.decodeRequest(chat.request);
    expect(req.reasoningEffort).toBe('high');
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const res = openaiCodec.decodeResponse(chat.response, ctx);
    expect(text(res).startsWith('When it comes to crossing a river safely')).toBe(true);
    expect(res.usage).toEqual({ input: 577, output: 2320, cacheRead: 0, cacheWrite: 0, reasoning: 1792 });
  });

  it('error cassettes decode to the right kinds', () => {
    const cases: Array<[string, object]> = [
      ['openai--chat-bad-request.yaml', { status: 400, kind: 'invalid_request', message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead." }],
      ['openai--chat-unknown-model.yaml', { status: 404, kind: 'not_found', message: 'The model `gpt-4.1-nano-wrong` does not exist or you do not have access to it.' }],
      ['openai--test_openai_o1_mini_system_role[developer].yaml', { status: 400, kind: 'invalid_request', message: "Unsupported value: 'messages[0].role' does not support 'developer' with this model." }],
      ['openai--test_openai_web_search_tool_model_not_supported.yaml', { status: 400, kind: 'invalid_request', message: 'Web search options not supported with this model.' }],
    ];
    for (const [name, expected] of cases) {
      const [it0] = cassette(name);
      const body = typeof it0.response === 'string' ? it0.response : JSON.stringify(it0.response);
      expect(openaiCodec.decodeError(it0.status, body, {})).toEqual(expected);
    }
  });

  it('the o1-mini cassette request carries n=1, which is accepted', () => {
    const [it0] = cassette('openai--test_openai_o1_mini_system_role[developer].yaml');
    const req = openaiCodec.decodeRequest(it0.request);
    expect(req.systemKind).toBe('developer');
    expect(req.extensions.openai).toEqual({});
  });
});
