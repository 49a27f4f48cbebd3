/** Every recorded Anthropic response (bodies, chunk files, SSE cassettes) through the codec, checked value by value. */
import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { ContentBlock, Response, StreamEvent } from '../../canonical/types.js';
import { anthropicCodec } from './index.js';
import { accumulate, recordedErrors, recordedMessages, recordedStreams, type SseRecord } from './testing/fixtures.js';
import { sdkFinalMessage, sdkMessage, toSse } from './testing/sdk.js';

const CTX = { provider: 'anthropic', model: 'claude-test' };
const STOP: Record<string, string> = { model_context_window_exceeded: 'context_window_exceeded' };

function decodeStream(records: SseRecord[]): StreamEvent[] {
  const dec = anthropicCodec.streamDecoder(CTX);
  return [...records.flatMap((r) => dec.push(r.event, r.data)), ...dec.end()];
}

function encodeStream(events: StreamEvent[], model: string, metadata?: () => Record<string, unknown>): string {
  const enc = anthropicCodec.streamEncoder({ model, metadata });
  return events.map((e) => enc.push(e)).join('') + enc.end();
}

/** A wire block (from the raw body or the SDK's accumulation) against the canonical block it must have become. */
function expectBlock(wire: Record<string, unknown>, c: ContentBlock, where: string, streamed = false): void {
  switch (wire.type) {
    case 'text':
      // A stream's citations_delta has no canonical event: streamed text comes without citations.
      expect(c, where).toEqual(!streamed && Array.isArray(wire.citations) && wire.citations.length ? { type: 'text', text: wire.text, citations: wire.citations } : { type: 'text', text: wire.text });
      break;
    case 'thinking':
      expect(c, where).toEqual({ type: 'thinking', text: wire.thinking, signature: wire.signature, signatureOrigin: { format: 'anthropic' } });
      break;
    case 'redacted_thinking':
      expect(c, where).toEqual({ type: 'redacted_thinking', data: wire.data, signatureOrigin: { format: 'anthropic' } });
      break;
    case 'tool_use':
      expect(c, where).toEqual({ type: 'tool_call', id: wire.id, name: wire.name, input: wire.input });
      break;
    default:
      expect(c.type, where).toBe('opaque');
      expect((c as { value: Record<string, unknown> }).value.type, where).toBe(wire.type);
      if ('input' in wire) expect((c as { value: Record<string, unknown> }).value.input, where).toEqual(wire.input);
  }
}

function expectUsage(raw: Record<string, unknown>, res: Response): void {
  expect(res.usage.input).toBe(raw.input_tokens);
  expect(res.usage.output).toBe(raw.output_tokens);
  expect(res.usage.cacheRead).toBe(raw.cache_read_input_tokens ?? 0);
  expect(res.usage.cacheWrite).toBe(raw.cache_creation_input_tokens ?? 0);
}

/** What a client compares: the content without citations (no canonical stream event for them) nor the default caller. */
function comparable(m: Anthropic.Message): unknown {
  return {
    content: m.content.map((b) => {
      const { citations: _c, caller: _k, ...rest } = b as unknown as Record<string, unknown>;
      return rest;
    }),
    stop_reason: m.stop_reason,
    stop_sequence: m.stop_sequence ?? null,
    usage: {
      input_tokens: m.usage.input_tokens,
      output_tokens: m.usage.output_tokens,
      cache_creation_input_tokens: m.usage.cache_creation_input_tokens ?? 0,
      cache_read_input_tokens: m.usage.cache_read_input_tokens ?? 0,
    },
  };
}

const messages = recordedMessages();
const streams = recordedStreams();

describe('recorded non-streaming messages', () => {
  it('finds the fixtures', () => {
    expect(messages.map((m) => m.name)).toHaveLength(17);
    expect(streams.map((s) => s.name)).toHaveLength(12);
  });

  for (const { name, body } of messages) {
    it(`decodes ${name} exactly and encodes it back`, async () => {
      const res = anthropicCodec.decodeResponse(body, CTX);
      expect(res.id).toBe(body.id);
      expect(res.model).toBe(body.model);
      const content = body.content as Array<Record<string, unknown>>;
      expect(res.content).toHaveLength(content.length);
      content.forEach((b, i) => expectBlock(b, res.content[i], `${name} content ${i}`));
      expect(res.stopReason).toBe(STOP[body.stop_reason as string] ?? body.stop_reason);
      expect(res.stopSequence).toBe(body.stop_sequence ?? null);
      expectUsage(body.usage as Record<string, unknown>, res);

      const metadata = { attempts: [], generation_id: 'gen_1' };
      const out = anthropicCodec.encodeResponse(res, { model: body.model as string, metadata: () => metadata }) as Record<string, unknown>;
      // The Message comes back as it was, plus Switchyard's metadata and an explicit null stop_sequence.
      expect(out).toEqual({ ...body, stop_sequence: body.stop_sequence ?? null, metadata });
      const viaSdk = await sdkMessage(out);
      expect(viaSdk.content).toEqual(body.content);
    });
  }
});

describe('recorded streams', () => {
  for (const { name, events } of streams) {
    it(`decodes ${name} to what the SDK accumulates, and re-encodes it for the SDK unchanged`, async () => {
      const original = await sdkFinalMessage(toSse(events));
      const canonical = decodeStream(events);
      const { response, error } = accumulate(canonical);
      expect(error).toBeUndefined();
      expect(response!.id).toBe(original.id);
      expect(response!.model).toBe(original.model);
      expect(response!.content).toHaveLength(original.content.length);
      original.content.forEach((b, i) => {
        const wire = { ...(b as unknown as Record<string, unknown>) };
        // The SDK does not track mcp_tool_use input deltas; the decoder does.
        if (wire.type === 'mcp_tool_use') delete wire.input;
        expectBlock(wire, response!.content[i], `${name} block ${i}`, true);
      });
      expect(response!.stopReason).toBe(STOP[original.stop_reason!] ?? original.stop_reason);
      expect(response!.stopSequence).toBe(original.stop_sequence);
      expectUsage(original.usage as unknown as Record<string, unknown>, response!);

      const metadata = { generation_id: 'gen_2' };
      const sse = encodeStream(canonical, original.model, () => metadata);
      const again = await sdkFinalMessage(sse);
      const expected = comparable(original) as { content: Array<Record<string, unknown>> };
      // mcp_tool_use: the SDK keeps the (empty) start input of the original; the re-encoded start says {} as well.
      expect(comparable(again)).toEqual(expected);
      expect(again.id).toBe(original.id);
      const last = sse.trimEnd().split('\n\n').at(-2)!;
      expect(last).toContain('event: message_delta');
      expect(JSON.parse(last.split('data: ')[1]).metadata).toEqual(metadata);
    });
  }

  it('spot values', () => {
    const byName = (n: string) => accumulate(decodeStream(streams.find((s) => s.name.includes(n))!.events)).response!;
    const basic = byName('basic_response');
    expect(basic.content).toEqual([{ type: 'text', text: 'Hello there!' }]);
    expect(basic.usage).toEqual({ input: 11, output: 6, cacheRead: 0, cacheWrite: 0, reasoning: 0 });
    const tool = byName('anthropic-json-tool.1.chunks');
    expect(tool.content).toEqual([{ type: 'tool_call', id: 'toolu_01KFbKqPYSuAKujiL6mTfzYA', name: 'json', input: { elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }] } }]);
    expect(tool.stopReason).toBe('tool_use');
    expect(tool.usage).toMatchObject({ input: 849, output: 47 });
    const write = byName('cache-write');
    expect(write.usage).toEqual({ input: 3, output: 1, cacheRead: 0, cacheWrite: 18639, reasoning: 0 });
    expect(write.stopReason).toBe('max_tokens');
    expect(byName('cache-read').usage).toEqual({ input: 3, output: 1, cacheRead: 18639, cacheWrite: 0, reasoning: 0 });
    const noArgs = byName('tool-no-args');
    expect(noArgs.content).toEqual([
      { type: 'text', text: "I'll update the issue list for you." },
      { type: 'tool_call', id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', input: {} },
    ]);
    const mcp = byName('anthropic-mcp');
    expect(mcp.content[0]).toEqual({
      type: 'opaque',
      format: 'anthropic',
      value: { type: 'mcp_tool_use', id: 'mcptoolu_017CuqaJcXe5ZHJjaz3KS1AT', name: 'echo', input: { message: 'hello world' }, server_name: 'echo' },
    });
    const thinking = byName('thinking_part_stream');
    expect(thinking.content[0].type).toBe('thinking');
    expect((thinking.content[0] as { signature: string }).signature.startsWith('EvMCCkYICxgCKkCHP2cSuEdcJK/0rFwqES/ecn+VurRpNTwI4XNyM0vnNfGsc9OmE8YYHauwBZ/uaRpmlEn2I4/ks')).toBe(true);
    expect((thinking.content[0] as { text: string }).text.startsWith('This is a straightforward question about pedestrian safety.')).toBe(true);
    expect(thinking.usage).toMatchObject({ input: 43, output: 282 });
  });
});

describe('recorded errors', () => {
  for (const e of recordedErrors()) {
    it(`decodes ${e.name}`, () => {
      const info = anthropicCodec.decodeError(e.status, e.body, {});
      const parsed = JSON.parse(e.body) as { error: { type: string; message: string } };
      expect(info.status).toBe(e.status);
      expect(info.message).toBe(parsed.error.message);
      expect(info.kind).toBe({ 400: 'invalid_request', 404: 'not_found' }[e.status]);
      const back = anthropicCodec.encodeError(info, 'req_1');
      expect(back.status).toBe(e.status);
      expect(back.body).toEqual({ type: 'error', error: parsed.error, request_id: 'req_1' });
    });
  }
});
