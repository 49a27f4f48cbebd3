import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContentBlock, Message, Request, Response, StopReason, StreamEvent, Tool, ToolCallBlock } from '../canonical/types.js';
import { assembleEvents } from './assemble.js';
import { decodeGeminiRequest } from './decode-request.js';
import { decodeGeminiResponse } from './decode-response.js';
import { encodeGeminiRequest } from './encode-request.js';
import { encodeGeminiResponse } from './encode-response.js';
import { GeminiStreamEncoder } from './stream-encoder.js';
import { decodeStream, recordedChunks, sseData, type Loose } from './test-support.js';

type Obj = Record<string, Loose>;

const nonEmpty = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.trimStart().startsWith('x-anthropic-billing-header:'));
const signature = fc.base64String({ minLength: 4, maxLength: 40 }).filter((s) => s.length > 0);
const ident = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/);
const jsonObject = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);

/** Schemas already in Gemini's subset (fixed points of the sanitiser), so they survive unchanged. */
const propertySchema = fc.record(
  { type: fc.constantFrom('string', 'integer', 'number', 'boolean'), description: nonEmpty },
  { requiredKeys: ['type'] },
);
const toolSchema = fc.dictionary(ident, propertySchema, { minKeys: 0, maxKeys: 3 }).chain((props) => {
  const names = Object.keys(props);
  if (names.length === 0) return fc.constant({ type: 'object', properties: {} } as Record<string, unknown>);
  return fc.subarray(names).map((required) => (required.length > 0 ? { type: 'object', properties: props, required } : { type: 'object', properties: props }));
});
const tools = fc.uniqueArray(fc.record({ name: ident, description: fc.option(nonEmpty, { nil: undefined }), inputSchema: toolSchema }, { requiredKeys: ['name', 'inputSchema'] }), { selector: (t) => t.name, maxLength: 3 });

/** A conversation Gemini can express: alternating turns, every call answered in the next user turn. */
function conversation(toolNames: string[]): fc.Arbitrary<Message[]> {
  const gemini = { format: 'gemini' } as const;
  const text = fc.record({ type: fc.constant('text' as const), text: nonEmpty, signature: fc.option(signature, { nil: undefined }) }).map((b): ContentBlock => (b.signature ? { ...b, signatureOrigin: gemini } : { type: 'text', text: b.text }));
  const call = fc.record({ name: toolNames.length > 0 ? fc.constantFrom(...toolNames) : ident, input: jsonObject, signature: fc.option(signature, { nil: undefined }) });
  const image = fc.base64String({ minLength: 4, maxLength: 16 }).map((data): ContentBlock => ({ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data } }));
  const assistantTurn = fc.array(fc.oneof(text, call.map((c) => ({ call: c }))), { minLength: 1, maxLength: 4 });
  const userExtras = fc.array(fc.oneof(text.map((b) => ({ type: 'text' as const, text: (b as { text: string }).text })), image), { maxLength: 3 });
  return fc
    .array(fc.tuple(userExtras, assistantTurn, fc.array(fc.tuple(nonEmpty, fc.boolean()), { minLength: 4, maxLength: 4 })), { minLength: 1, maxLength: 4 })
    .map((turns) => {
      const messages: Message[] = [];
      let pending: ToolCallBlock[] = [];
      let n = 0;
      for (const [extras, assistantBlocks, outputs] of turns) {
        const results: ContentBlock[] = pending.map((c, i) => {
          const [out, failed] = outputs[i % outputs.length];
          return failed ? { type: 'tool_result', toolCallId: c.id, name: c.name, content: [{ type: 'text', text: out }], isError: true } : { type: 'tool_result', toolCallId: c.id, name: c.name, content: [{ type: 'text', text: out }] };
        });
        const userContent = [...results, ...extras];
        messages.push({ role: 'user', content: userContent.length > 0 ? userContent : [{ type: 'text', text: 'go' }] });
        pending = [];
        const content = assistantBlocks.map((b): ContentBlock => {
          if (!('call' in b)) return b;
          const c: ToolCallBlock = { type: 'tool_call', id: `call_${n++}`, name: b.call.name, input: b.call.input };
          if (b.call.signature) Object.assign(c, { signature: b.call.signature, signatureOrigin: gemini });
          pending.push(c);
          return c;
        });
        messages.push({ role: 'assistant', content });
      }
      return messages;
    });
}

const request: fc.Arbitrary<Request> = tools.chain((ts) =>
  fc
    .record(
      {
        system: fc.array(nonEmpty.map((text) => ({ type: 'text' as const, text })), { maxLength: 2 }),
        messages: conversation(ts.map((t) => t.name)),
        maxTokens: fc.integer({ min: 30000, max: 60000 }),
        temperature: fc.double({ min: 0, max: 2, noNaN: true }),
        topP: fc.double({ min: 0, max: 1, noNaN: true }),
        topK: fc.integer({ min: 1, max: 100 }),
        stop: fc.array(nonEmpty, { minLength: 1, maxLength: 5 }),
        seed: fc.integer(),
        toolChoice: ts.length > 0 ? fc.oneof(fc.constant({ type: 'auto' as const }), fc.constant({ type: 'any' as const }), fc.constant({ type: 'none' as const }), fc.constantFrom(...ts.map((t) => ({ type: 'tool' as const, name: t.name })))) : fc.constant(undefined),
        responseFormat: fc.oneof(fc.constant({ type: 'json_object' as const }), fc.constant({ type: 'json_schema' as const, schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } })),
        thinking: fc.oneof(
          fc.record({ type: fc.constant('enabled' as const), budgetTokens: fc.integer({ min: 1, max: 24576 }), display: fc.constantFrom('omitted' as const, undefined) }, { requiredKeys: ['type', 'budgetTokens'] }),
          fc.record({ type: fc.constant('adaptive' as const), display: fc.constantFrom('omitted' as const, undefined) }, { requiredKeys: ['type'] }),
          fc.constant({ type: 'disabled' as const }),
        ),
      },
      { requiredKeys: ['system', 'messages'] },
    )
    .map((r): Request => ({ model: '', stream: false, extensions: {}, ...r, ...(ts.length > 0 ? { tools: ts as Tool[] } : {}) })),
);

describe('property: canonical requests Gemini can express survive encodeRequest → decodeRequest', () => {
  for (const field of ['parametersJsonSchema', 'parameters'] as const) {
    it(field, () => {
      fc.assert(
        fc.property(request, (req) => {
          const wire = JSON.parse(JSON.stringify(encodeGeminiRequest(req, { provider: 'google-ai-studio', model: 'gemini-2.5-flash', quirks: { geminiSchemaField: field } })));
          expect(decodeGeminiRequest(wire)).toEqual(req);
        }),
        { numRuns: 150 },
      );
    });
  }
});

/** Response content Gemini can express: neighbouring text (or thinking) blocks would merge into one. */
const responseContent: fc.Arbitrary<ContentBlock[]> = fc
  .array(
    fc.oneof(
      fc.record({ kind: fc.constant('text' as const), text: nonEmpty, sig: fc.option(signature, { nil: undefined }) }),
      fc.record({ kind: fc.constant('thinking' as const), text: fc.oneof(nonEmpty, fc.constant('')), sig: fc.option(signature, { nil: undefined }) }),
      fc.record({ kind: fc.constant('call' as const), name: ident, input: jsonObject, sig: fc.option(signature, { nil: undefined }) }),
      fc.record({ kind: fc.constant('code' as const), code: nonEmpty }),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((items) => {
    const origin = { format: 'gemini' as const, provider: 'p', model: 'm' };
    const out: ContentBlock[] = [];
    let n = 0;
    for (const it of items) {
      const prev = out[out.length - 1];
      if ((it.kind === 'text' || it.kind === 'thinking') && prev?.type === it.kind) continue;
      if (it.kind === 'thinking' && it.text === '' && !it.sig) continue;
      const signed = it.kind !== 'code' && it.sig ? { signature: it.sig, signatureOrigin: origin } : {};
      if (it.kind === 'text') out.push({ type: 'text', text: it.text, ...signed });
      else if (it.kind === 'thinking') out.push({ type: 'thinking', text: it.text, signatureOrigin: origin, ...signed });
      else if (it.kind === 'call') out.push({ type: 'tool_call', id: `id${n++}`, name: it.name, input: it.input, ...signed });
      else out.push({ type: 'opaque', format: 'gemini', value: { executableCode: { language: 'PYTHON', code: it.code } } });
    }
    return out;
  })
  .filter((c) => c.length > 0);

const response: fc.Arbitrary<Response> = fc
  .record({
    content: responseContent,
    stop: fc.constantFrom<StopReason>('end_turn', 'max_tokens', 'refusal'),
    input: fc.nat(100000),
    output: fc.nat(5000),
    reasoning: fc.nat(5000),
    cacheRead: fc.nat(100000),
  })
  .map(({ content, stop, input, output, reasoning, cacheRead }) => ({
    id: 'resp_1',
    model: 'm',
    content,
    stopReason: content.some((b) => b.type === 'tool_call') ? 'tool_use' : stop,
    usage: { input, output: output + reasoning, cacheRead, cacheWrite: 0, reasoning },
  }));

const withoutIds = (blocks: ContentBlock[]) => blocks.map((b) => (b.type === 'tool_call' ? { ...b, id: 'ID' } : b));

describe('property: responses', () => {
  it('encodeResponse → decodeResponse keeps content, stop reason and usage', () => {
    fc.assert(
      fc.property(response, (res) => {
        const wire = JSON.parse(JSON.stringify(encodeGeminiResponse(res, { model: 'google/m' })));
        const back = decodeGeminiResponse(wire, { provider: 'p', model: 'm' });
        expect(withoutIds(back.content)).toEqual(withoutIds(res.content));
        expect([back.id, back.stopReason, back.usage]).toEqual([res.id, res.stopReason, res.usage]);
      }),
      { numRuns: 300 },
    );
  });

  it('streamEncoder → streamDecoder keeps content, however the deltas are cut', () => {
    fc.assert(
      fc.property(response, fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), (res, cuts) => {
        const events: StreamEvent[] = [{ type: 'start', id: res.id, model: res.model, usage: { ...res.usage, output: 0, reasoning: 0 } }];
        let c = 0;
        const pieces = (s: string) => {
          const at = s.length > 1 ? 1 + (cuts[c++ % cuts.length] % (s.length - 1)) : s.length;
          return [s.slice(0, at), s.slice(at)].filter((p) => p !== '');
        };
        res.content.forEach((b, index) => {
          if (b.type === 'text' || b.type === 'thinking') {
            events.push({ type: 'block_start', index, block: b.type === 'text' ? { type: 'text' } : { type: 'thinking', signatureOrigin: b.signatureOrigin } });
            for (const p of pieces(b.text)) events.push(b.type === 'text' ? { type: 'text_delta', index, text: p } : { type: 'thinking_delta', index, text: p });
            if (b.signature) events.push({ type: 'signature_delta', index, signature: b.signature, signatureOrigin: b.signatureOrigin });
          } else if (b.type === 'tool_call') {
            events.push({ type: 'block_start', index, block: { type: 'tool_call', id: b.id, name: b.name, signature: b.signature, signatureOrigin: b.signatureOrigin } });
            for (const p of pieces(JSON.stringify(b.input))) events.push({ type: 'tool_args_delta', index, json: p });
          } else if (b.type === 'opaque') {
            events.push({ type: 'block_start', index, block: { type: 'opaque', format: b.format, value: b.value } });
          }
          events.push({ type: 'block_stop', index });
        });
        events.push({ type: 'finish', stopReason: res.stopReason, usage: res.usage });
        const enc = new GeminiStreamEncoder({ model: 'google/m' });
        const sse = events.map((e) => enc.push(e)).join('') + enc.end();
        const back = assembleEvents(decodeStream(sseData(sse), { provider: 'p', model: 'm' }));
        expect(withoutIds(back.content)).toEqual(withoutIds(res.content));
        expect([back.id, back.stopReason, back.usage]).toEqual([res.id, res.stopReason, res.usage]);
      }),
      { numRuns: 300 },
    );
  });
});

/** A recorded stream regrouped: text split anywhere, partial string arguments split, parts regrouped into chunks. */
function rechunk(chunks: string[], cuts: number[], groups: number[]): string[] {
  const parsed = chunks.map((c) => JSON.parse(c) as Obj);
  const atoms: Obj[] = [];
  let k = 0;
  const cut = (n: number) => (n > 1 ? 1 + (cuts[k++ % cuts.length] % (n - 1)) : n);
  for (const chunk of parsed) {
    for (const part of (chunk.candidates?.[0]?.content?.parts ?? []) as Obj[]) {
      if (typeof part.text === 'string' && part.text.length > 1) {
        const at = cut(part.text.length);
        const { thoughtSignature, ...rest } = part;
        // a signature stays on the piece where Gemini put it: the first for a leading part, the last for a trailing one
        atoms.push({ ...rest, text: part.text.slice(0, at), ...(thoughtSignature ? { thoughtSignature } : {}) }, { ...rest, text: part.text.slice(at) });
      } else if (part.functionCall?.partialArgs?.length === 1 && typeof part.functionCall.partialArgs[0].stringValue === 'string' && part.functionCall.partialArgs[0].stringValue.length > 1) {
        const arg = part.functionCall.partialArgs[0];
        const at = cut(arg.stringValue.length);
        const piece = (stringValue: string, willContinue: boolean | undefined) => ({ ...part, functionCall: { ...part.functionCall, partialArgs: [{ ...arg, stringValue, ...(willContinue ? { willContinue } : { willContinue: undefined }) }] } });
        atoms.push(piece(arg.stringValue.slice(0, at), true), piece(arg.stringValue.slice(at), arg.willContinue));
      } else {
        atoms.push(part);
      }
    }
  }
  const last = parsed[parsed.length - 1];
  const out: string[] = [];
  let i = 0;
  let g = 0;
  while (i < atoms.length) {
    const size = 1 + (groups[g++ % groups.length] % 4);
    const parts = atoms.slice(i, i + size);
    i += size;
    const final = i >= atoms.length;
    out.push(JSON.stringify({ candidates: [{ content: { role: 'model', parts }, ...(final ? { finishReason: last.candidates[0].finishReason } : {}) }], ...(final ? { usageMetadata: last.usageMetadata } : {}), responseId: last.responseId }));
  }
  if (atoms.length === 0) out.push(JSON.stringify(last));
  return out;
}

describe('property: random chunkings of recorded streams decode to the same content', () => {
  for (const name of [
    'gemini--google-text.chunks.txt',
    'gemini--google-reasoning.chunks.txt',
    'gemini--google-tool-call-gemini3.chunks.txt',
    'gemini--google-stream-no-args-tool-call.chunks.txt',
    'gemini--google-vertex-stream-tool-call-arguments-nested.1.chunks.txt',
  ]) {
    it(name, () => {
      const chunks = recordedChunks(name);
      const reference = assembleEvents(decodeStream(chunks));
      fc.assert(
        fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 16 }), fc.array(fc.nat(), { minLength: 1, maxLength: 16 }), (cuts, groups) => {
          const again = assembleEvents(decodeStream(rechunk(chunks, cuts, groups)));
          expect(withoutIds(again.content)).toEqual(withoutIds(reference.content));
          expect(again.stopReason).toBe(reference.stopReason);
          expect(again.usage).toEqual(reference.usage);
        }),
        { numRuns: 100 },
      );
    });
  }
});
