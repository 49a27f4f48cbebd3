import { describe, expect, it } from 'vitest';
import { unwrapSignature, wrapSignature } from '../canonical/signature.js';
import type { ContentBlock, Message, Request, Response, ToolCallBlock } from '../canonical/types.js';
import { assembleEvents } from './assemble.js';
import { SKIP_SIGNATURE } from './contents.js';
import { decodeGeminiResponse } from './decode-response.js';
import { encodeGeminiRequest } from './encode-request.js';
import { cassette, decodeStream, recordedChunks, recordedJson, type Loose } from './test-support.js';

type Obj = Record<string, Loose>;

/** The last characters of the recorded streamed signature, read off the fixture by hand. */
const RECORDED_TAIL = 'D0Dse50hWS5rge8opgKivQw3YcJ1FX';

/**
 * What an Anthropic client sees and sends back (cross-codec convention 4): a Gemini function-call signature travels
 * as a thinking block with empty text and the wrapped signature right before the tool_use, and comes back verbatim
 * in the next request's history, where the Anthropic decoder unwraps it again.
 */
function viaAnthropicClient(content: ContentBlock[]): ContentBlock[] {
  const wire: Obj[] = [];
  for (const b of content) {
    if (b.type === 'tool_call') {
      if (b.signature) wire.push({ type: 'thinking', thinking: '', signature: wrapSignature(b.signatureOrigin!, b.signature) });
      wire.push({ type: 'tool_use', id: b.id, name: b.name, input: b.input });
    } else if (b.type === 'text') {
      wire.push({ type: 'text', text: b.text });
    }
  }
  // the client stores and replays the JSON text
  const replayed = JSON.parse(JSON.stringify(wire)) as Obj[];
  return replayed.map((w): ContentBlock => {
    if (w.type === 'thinking') {
      const un = unwrapSignature(w.signature)!;
      return { type: 'thinking', text: w.thinking, signature: un.signature, signatureOrigin: un.origin };
    }
    if (w.type === 'tool_use') return { type: 'tool_call', id: w.id, name: w.name, input: w.input };
    return { type: 'text', text: w.text };
  });
}

function nextTurn(model: string, history: Message[]): Obj {
  const req: Request = { model, system: [], messages: history, stream: false, extensions: {} };
  return encodeGeminiRequest(req, { provider: 'google-ai-studio', model, quirks: {} }) as Obj;
}

const results = (calls: ContentBlock[]): Message => ({
  role: 'user',
  content: calls.filter((c): c is ToolCallBlock => c.type === 'tool_call').map((c, i) => ({ type: 'tool_result', toolCallId: c.id, content: [{ type: 'text', text: `result ${i}` }] })),
});

describe('thought signatures survive the trip through an Anthropic client', () => {
  it('non-stream gemini-3 tool call: the exact signature is back on the functionCall part', () => {
    const body = recordedJson('gemini--google-tool-call.json') as Obj;
    const recorded: string = body.candidates[0].content.parts[0].thoughtSignature;
    const model = 'gemini-3-pro-preview';
    const res: Response = decodeGeminiResponse(body, { provider: 'google-ai-studio', model });
    const replay = viaAnthropicClient(res.content);
    expect(replay.map((b) => b.type)).toEqual(['thinking', 'tool_call']);
    const out = nextTurn(model, [{ role: 'user', content: [{ type: 'text', text: 'weather in SF?' }] }, { role: 'assistant', content: replay }, results(replay)]);
    const call = (res.content[0] as ToolCallBlock).id;
    expect(out.contents[1]).toEqual({ role: 'model', parts: [{ functionCall: { id: call, name: 'weather', args: { location: 'San Francisco' } }, thoughtSignature: recorded }] });
    expect(out.contents[1].parts[0].thoughtSignature).toBe(recorded);
    expect(out.contents[2]).toEqual({ role: 'user', parts: [{ functionResponse: { id: call, name: 'weather', response: { output: 'result 0' } } }] });
  });

  it('streamed gemini-3 tool call: same', () => {
    const chunks = recordedChunks('gemini--google-tool-call-gemini3.chunks.txt');
    const recorded: string = JSON.parse(chunks[0]).candidates[0].content.parts[0].thoughtSignature;
    const model = 'gemini-3-pro-preview';
    const { content } = assembleEvents(decodeStream(chunks, { provider: 'google-ai-studio', model }));
    const out = nextTurn(model, [{ role: 'user', content: [{ type: 'text', text: 'q' }] }, { role: 'assistant', content: viaAnthropicClient(content) }]);
    expect(out.contents[1].parts).toHaveLength(1);
    expect(out.contents[1].parts[0].thoughtSignature).toBe(recorded);
    expect(recorded).toHaveLength(5488);
    expect(recorded.endsWith(RECORDED_TAIL)).toBe(true);
  });

  it('parallel calls where only the first is signed: the signature goes back on the first, no placeholder on the others', () => {
    const model = 'gemini-3-flash-preview';
    const [first, second] = cassette('gemini--test_google_instructions_only_with_tool_calls.yaml');
    const recorded: string = (first.body as Obj).candidates[0].content.parts[0].thoughtSignature;
    const res = decodeGeminiResponse(first.body, { provider: 'google-ai-studio', model });
    const replay = viaAnthropicClient(res.content);
    expect(replay.map((b) => b.type)).toEqual(['thinking', 'tool_call', 'tool_call', 'tool_call']);
    const out = nextTurn(model, [{ role: 'user', content: [{ type: 'text', text: 'jokes' }] }, { role: 'assistant', content: replay }, results(replay)]);
    const ids = replay.filter((b): b is ToolCallBlock => b.type === 'tool_call').map((b) => b.id);
    expect(out.contents[1].parts).toEqual([
      { functionCall: { id: ids[0], name: 'generate_topic', args: {} }, thoughtSignature: recorded },
      { functionCall: { id: ids[1], name: 'generate_topic', args: {} } },
      { functionCall: { id: ids[2], name: 'generate_topic', args: {} } },
    ]);
    // the same shape pydantic-ai sent back to Gemini in the recorded follow-up (which Gemini accepted)
    const sent = (second.request as Obj).contents[1].parts as Obj[];
    expect(sent.map((p) => p.thoughtSignature !== undefined)).toEqual([true, false, false]);
    // all three responses in one user turn
    expect(out.contents[2].parts.map((p: Obj) => p.functionResponse.id)).toEqual(ids);
  });

  it('sequential steps each keep their own signature', () => {
    const model = 'gemini-3-flash-preview';
    const steps = cassette('gemini--test_google_instructions_only_with_tool_calls.yaml').slice(0, 3);
    const history: Message[] = [{ role: 'user', content: [{ type: 'text', text: 'jokes' }] }];
    const recorded: string[] = [];
    for (const step of steps) {
      recorded.push((step.body as Obj).candidates[0].content.parts[0].thoughtSignature);
      const replay = viaAnthropicClient(decodeGeminiResponse(step.body, { provider: 'google-ai-studio', model }).content);
      history.push({ role: 'assistant', content: replay }, results(replay));
    }
    const out = nextTurn(model, history);
    const firstCalls = out.contents.filter((c: Obj) => c.role === 'model').map((c: Obj) => c.parts[0].thoughtSignature);
    expect(firstCalls).toEqual(recorded);
    expect(JSON.stringify(out)).not.toContain(SKIP_SIGNATURE);
  });

  it('a text answer keeps its signature; thought text is not sent back', () => {
    const model = 'gemini-3-pro-preview';
    const [first] = cassette('gemini--test_google_model_thinking_part.yaml');
    const parts = (first.body as Obj).candidates[0].content.parts as Obj[];
    const res = decodeGeminiResponse(first.body, { provider: 'google-ai-studio', model });
    const out = nextTurn(model, [
      { role: 'user', content: [{ type: 'text', text: 'How do I cross the street?' }] },
      { role: 'assistant', content: res.content },
      { role: 'user', content: [{ type: 'text', text: 'and a river?' }] },
    ]);
    expect(out.contents[1]).toEqual({ role: 'model', parts: [{ text: parts[1].text, thoughtSignature: parts[1].thoughtSignature }] });
    expect(JSON.stringify(out)).not.toContain('My Thought Process');
  });

  it('a signature from another model is replaced by the placeholder on Gemini 3, and dropped elsewhere', () => {
    const body = recordedJson('gemini--google-tool-call.json');
    const replay = viaAnthropicClient(decodeGeminiResponse(body, { provider: 'google-ai-studio', model: 'gemini-3-pro-preview' }).content);
    const history: Message[] = [{ role: 'user', content: [{ type: 'text', text: 'q' }] }, { role: 'assistant', content: replay }];
    expect(nextTurn('gemini-3-flash-preview', history).contents[1].parts[0].thoughtSignature).toBe(SKIP_SIGNATURE);
    expect(nextTurn('gemini-2.5-flash', history).contents[1].parts[0].thoughtSignature).toBeUndefined();
  });
});
