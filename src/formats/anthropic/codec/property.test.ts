import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UpstreamTarget } from '../../canonical/codec.js';
import type { CacheControl, ContentBlock, Message, Request, Response, SignatureOrigin, StreamEvent, Tool, ToolChoice } from '../../canonical/types.js';
import { anthropicCodec } from './index.js';
import { accumulate, parseSse } from './testing/fixtures.js';
import { sdkFinalMessage } from './testing/sdk.js';

type Json = Record<string, unknown>;

const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const target = (model: string): UpstreamTarget => ({ provider: 'anthropic', model, quirks: {} });

// ---------------------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------------------

const text = fc.string({ minLength: 1, maxLength: 30 });
const name = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,20}$/);
const anthropicSig = fc.stringMatching(/^[A-Za-z0-9+/]{4,40}={0,2}$/);
const toolId = fc.stringMatching(/^toolu_[a-zA-Z0-9_-]{1,24}$/);
const resultId = fc.stringMatching(/^res_[a-zA-Z0-9_-]{1,24}$/);
// Through JSON once: the wire cannot carry -0.
const input = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map(wire) as fc.Arbitrary<Record<string, unknown>>;
const cache: fc.Arbitrary<CacheControl | undefined> = fc.option(
  fc.constantFrom<CacheControl>({ type: 'ephemeral' }, { type: 'ephemeral', ttl: '5m' }, { type: 'ephemeral', ttl: '1h' }),
  { nil: undefined },
);
const withCache = <T extends object>(b: T, c: CacheControl | undefined): T => (c ? { ...b, cacheControl: c } : b);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const textBlock = fc.tuple(text, cache).map(([t, c]) => withCache({ type: 'text' as const, text: t }, c));
const imageBlock = fc
  .tuple(fc.oneof(fc.record({ kind: fc.constant('base64' as const), mediaType: fc.constantFrom('image/png', 'image/jpeg'), data: fc.base64String({ minLength: 4, maxLength: 16 }) }), fc.webUrl().map((url) => ({ kind: 'url' as const, url }))), cache)
  .map(([source, c]) => withCache({ type: 'image' as const, source }, c));
const documentBlock = fc
  .record({
    source: fc.oneof(
      fc.record({ kind: fc.constant('base64' as const), mediaType: fc.constant('application/pdf'), data: fc.base64String({ minLength: 4, maxLength: 16 }) }),
      fc.record({ kind: fc.constant('text' as const), mediaType: fc.constant('text/plain'), data: text }),
      fc.webUrl().map((url) => ({ kind: 'url' as const, url })),
    ),
    title: opt(text),
    context: opt(text),
    citations: opt(fc.constantFrom({ enabled: true }, { enabled: false }, {})),
    cacheControl: cache,
  })
  .map((d) => defined({ type: 'document' as const, ...d }));
const toolResult = fc
  .record({ toolCallId: resultId, content: fc.array(fc.oneof(textBlock, imageBlock), { maxLength: 3 }), isError: opt(fc.boolean()), cacheControl: cache })
  .map((r) => defined({ type: 'tool_result' as const, ...r }));
const anthropicThinking = fc.tuple(fc.string({ maxLength: 30 }), anthropicSig).map(([t, s]) => ({ type: 'thinking' as const, text: t, signature: s, signatureOrigin: { format: 'anthropic' as const } }));
const redacted = anthropicSig.map((data) => ({ type: 'redacted_thinking' as const, data, signatureOrigin: { format: 'anthropic' as const } }));
const toolCallBare = fc.tuple(toolId, name, input).map(([id, n, i]) => ({ type: 'tool_call' as const, id, name: n, input: i }));
const toolCall = fc.tuple(toolCallBare, cache).map(([t, c]) => withCache(t, c));
const serverBlock = fc
  .tuple(fc.constantFrom('server_tool_use', 'mcp_tool_use', 'web_search_tool_result', 'container_upload'), fc.stringMatching(/^srvtoolu_[a-z0-9]{1,10}$/), input)
  .map(([type, id, i]) => ({ type: 'opaque' as const, format: 'anthropic' as const, value: type.endsWith('tool_use') ? { type, id, name: 'web_search', input: i } : { type, tool_use_id: id, content: [] } }));

const userMessage: fc.Arbitrary<Message> = fc
  .tuple(fc.array(toolResult, { maxLength: 2 }), fc.array(fc.oneof(textBlock, imageBlock, documentBlock), { maxLength: 3 }))
  .filter(([r, o]) => r.length + o.length > 0)
  .map(([r, o]) => ({ role: 'user', content: [...r, ...o] }));
const assistantMessage: fc.Arbitrary<Message> = fc
  .tuple(fc.array(fc.oneof(anthropicThinking, redacted), { maxLength: 2 }), fc.array(fc.oneof(textBlock, toolCall, serverBlock), { minLength: 1, maxLength: 3 }))
  .map(([t, o]) => ({ role: 'assistant', content: [...t, ...o] }));
const systemMessage: fc.Arbitrary<Message> = fc.array(textBlock, { minLength: 1, maxLength: 2 }).map((content) => ({ role: 'system', content }));

/** A conversation the Messages API can express: roles never repeat back to back. */
const conversation = fc.array(fc.oneof(userMessage, assistantMessage, systemMessage), { minLength: 1, maxLength: 6 }).map((ms) => ms.filter((m, i) => i === 0 || ms[i - 1].role !== m.role));

type ToolEntry = { custom: Tool; fields?: Json } | { server: Json };
const toolEntries = fc.uniqueArray(
  fc.oneof(
    fc
      .record({ name, description: opt(text), inputSchema: input, strict: opt(fc.boolean()), cacheControl: cache, fields: opt(fc.constantFrom<Json>({ type: 'custom' }, { defer_loading: true }, { type: 'custom', eager_input_streaming: true })) })
      .map(({ fields, ...t }): ToolEntry => defined({ custom: defined(t) as Tool, fields })),
    name.map((n): ToolEntry => ({ server: { type: 'web_search_20250305', name: n, max_uses: 3, allowed_domains: null } })),
  ),
  { maxLength: 4, selector: (e) => ('custom' in e ? e.custom.name : (e.server.name as string)) },
);

const anthropicRequest: fc.Arbitrary<Request> = fc
  .record({
    model: name,
    system: fc.array(textBlock, { maxLength: 2 }),
    messages: conversation,
    maxTokens: fc.integer({ min: 1, max: 128000 }),
    stream: fc.boolean(),
    temperature: opt(fc.double({ min: 0, max: 1, noNaN: true })),
    topP: opt(fc.double({ min: 0, max: 1, noNaN: true })),
    topK: opt(fc.integer({ min: 1, max: 500 })),
    stop: opt(fc.array(text.filter((s) => /\S/.test(s)), { minLength: 1, maxLength: 3 })),
    tools: opt(toolEntries),
    toolChoice: opt(
      fc.oneof(
        fc.constant<ToolChoice>({ type: 'none' }),
        fc.tuple(fc.constantFrom('auto' as const, 'any' as const), opt(fc.boolean())).map(([type, d]): ToolChoice => defined({ type, disableParallel: d })),
        fc.tuple(name, opt(fc.boolean())).map(([n, d]): ToolChoice => defined({ type: 'tool' as const, name: n, disableParallel: d })),
      ),
    ),
    thinking: opt(
      fc.oneof(
        fc.record({ type: fc.constant('enabled' as const), budgetTokens: fc.integer({ min: 1024, max: 64000 }), display: opt(fc.constantFrom('summarized' as const, 'omitted' as const)) }).map(defined),
        fc.record({ type: fc.constant('adaptive' as const), display: opt(fc.constantFrom('summarized' as const, 'omitted' as const)) }).map(defined),
        fc.constant({ type: 'disabled' as const }),
      ),
    ),
    reasoningEffort: opt(fc.constantFrom('low' as const, 'medium' as const, 'high' as const, 'xhigh' as const, 'max' as const)),
    responseFormat: opt(input.map((schema) => ({ type: 'json_schema' as const, schema }))),
    user: opt(text),
    cacheControl: cache,
    ext: fc.record({ context_management: opt(fc.constant({ edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] })), service_tier: opt(fc.constantFrom('auto', 'standard_only')), container: opt(name) }).map(defined),
  })
  .map(({ tools, ext, toolChoice, ...r }) => {
    const req: Request = defined({ ...r, extensions: { anthropic: { ...ext } as Json } }) as Request;
    if (tools) {
      req.tools = tools.flatMap((e) => ('custom' in e ? [e.custom] : []));
      const server = tools.flatMap((e, index) => ('server' in e ? [{ index, tool: e.server }] : []));
      const fields = Object.fromEntries(tools.flatMap((e) => ('custom' in e && e.fields ? [[e.custom.name, e.fields]] : [])));
      if (server.length) (req.extensions.anthropic as Json).server_tools = server;
      if (Object.keys(fields).length) (req.extensions.anthropic as Json).tool_fields = fields;
    }
    if (toolChoice) {
      // With thinking on a forced choice is downgraded to auto (Anthropic accepts nothing else).
      const thinkingOn = req.thinking && req.thinking.type !== 'disabled';
      req.toolChoice = thinkingOn && (toolChoice.type === 'any' || toolChoice.type === 'tool') ? defined({ type: 'auto' as const, disableParallel: toolChoice.disableParallel }) : toolChoice;
      if (req.toolChoice.type !== 'none' && req.toolChoice.disableParallel !== undefined) req.parallelToolCalls = !req.toolChoice.disableParallel;
    }
    return req;
  });

describe('property: canonical request → Anthropic body → canonical', () => {
  it('every request Anthropic can express survives unchanged', () => {
    fc.assert(
      fc.property(anthropicRequest, (req) => {
        const body = wire(anthropicCodec.encodeRequest(req, target(req.model)));
        expect(anthropicCodec.decodeRequest(body)).toEqual(req);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Requests from other formats: whatever they hold, the body is one the Messages API accepts
// ---------------------------------------------------------------------------------------------------------------

const anyOrigin: fc.Arbitrary<SignatureOrigin | undefined> = fc.option(fc.constantFrom<SignatureOrigin>({ format: 'anthropic' }, { format: 'gemini', provider: 'g' }, { format: 'openai' }), { nil: undefined });
const looseId = fc.string({ maxLength: 12 });
const foreignBlock: fc.Arbitrary<ContentBlock> = fc.oneof(
  fc.string({ maxLength: 10 }).map((t) => ({ type: 'text' as const, text: t })),
  imageBlock,
  fc.tuple(looseId, name, input).map(([id, n, i]) => ({ type: 'tool_call' as const, id, name: n, input: i })),
  fc.tuple(looseId, fc.array(fc.string({ maxLength: 6 }).map((t) => ({ type: 'text' as const, text: t })), { maxLength: 2 })).map(([id, content]) => ({ type: 'tool_result' as const, toolCallId: id, content })),
  fc.tuple(fc.string({ maxLength: 10 }), opt(anthropicSig), anyOrigin).map(([t, s, o]) => defined({ type: 'thinking' as const, text: t, signature: s, signatureOrigin: o })),
  fc.constant({ type: 'opaque' as const, format: 'gemini' as const, value: { x: 1 } }),
);
const foreignRequest: fc.Arbitrary<Request> = fc.record({
  model: fc.constant('gpt'),
  system: fc.array(fc.string({ maxLength: 10 }).map((t) => ({ type: 'text' as const, text: t })), { maxLength: 2 }),
  messages: fc.array(
    fc.constantFrom('user' as const, 'assistant' as const, 'system' as const).chain((role) =>
      // Calls are made by the assistant and answered by the user, in any canonical request.
      fc.record({ role: fc.constant(role), content: fc.array(foreignBlock, { maxLength: 4 }).map((bs) => bs.filter((b) => (role === 'user' ? b.type !== 'tool_call' : b.type !== 'tool_result'))) }),
    ),
    { maxLength: 8 },
  ),
  stream: fc.boolean(),
  extensions: fc.constant({}),
  maxTokens: opt(fc.integer({ min: 1, max: 200000 })),
  temperature: opt(fc.double({ min: 0, max: 2, noNaN: true })),
  reasoningEffort: opt(fc.constantFrom('none' as const, 'minimal' as const, 'low' as const, 'medium' as const, 'high' as const, 'xhigh' as const, 'max' as const)),
  tools: opt(fc.array(fc.record({ name, inputSchema: input }), { maxLength: 2 })),
  toolChoice: opt(fc.constantFrom<ToolChoice>({ type: 'any' }, { type: 'auto' }, { type: 'none' }, { type: 'tool', name: 'x' })),
}).map((r) => defined(r) as Request);

describe('property: requests from other formats become valid Anthropic bodies', () => {
  it('alternating turns, no empty text or turns, valid ids, results first, only verifiable thinking, legal budgets', () => {
    fc.assert(
      fc.property(foreignRequest, fc.option(fc.integer({ min: 1, max: 100000 }), { nil: undefined }), (req, maxOut) => {
        const body = anthropicCodec.encodeRequest(req, { ...target('claude'), maxOutputTokens: maxOut }) as Json;
        const msgs = body.messages as Array<{ role: string; content: Json[] }>;
        const maxTokens = body.max_tokens as number;
        expect(Number.isInteger(maxTokens) && maxTokens >= 1).toBe(true);
        if (maxOut !== undefined) expect(maxTokens).toBeLessThanOrEqual(maxOut);
        msgs.forEach((m, i) => {
          expect(['user', 'assistant']).toContain(m.role);
          if (i > 0) expect(m.role).not.toBe(msgs[i - 1].role);
          expect(m.content.length).toBeGreaterThan(0);
          const firstOther = m.content.findIndex((b) => b.type !== 'tool_result');
          m.content.forEach((b, k) => {
            if (b.type === 'text') expect(b.text).toMatch(/\S/);
            if (b.type === 'tool_use') expect(b.id).toMatch(/^[a-zA-Z0-9_-]+$/);
            if (b.type === 'tool_result') {
              expect(b.tool_use_id).toMatch(/^[a-zA-Z0-9_-]+$/);
              if (firstOther >= 0) expect(k).toBeLessThan(firstOther);
            }
            if (b.type === 'thinking') expect(typeof b.signature === 'string' && b.signature !== '').toBe(true);
            expect(['text', 'image', 'tool_use', 'tool_result', 'thinking']).toContain(b.type);
          });
        });
        for (const s of (body.system as Json[] | undefined) ?? []) expect(s.text).toMatch(/\S/);
        const thinking = body.thinking as Json | undefined;
        if (thinking) {
          expect(thinking.budget_tokens as number).toBeGreaterThanOrEqual(1024);
          expect(thinking.budget_tokens as number).toBeLessThan(maxTokens);
          expect(['auto', 'none']).toContain((body.tool_choice as Json | undefined)?.type ?? 'auto');
          expect(body.temperature).toBeUndefined();
        }
        if (body.temperature !== undefined) expect(body.temperature as number).toBeLessThanOrEqual(1);
        if (!body.tools) expect(body.tool_choice).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

const foreignThinking = fc.oneof(
  fc.tuple(fc.string({ maxLength: 20 }), fc.string({ minLength: 1, maxLength: 30 }), opt(fc.string({ minLength: 1, maxLength: 10 })), opt(fc.string({ minLength: 1, maxLength: 10 }))).map(([t, s, p, m]) => ({
    type: 'thinking' as const,
    text: t,
    signature: s,
    signatureOrigin: defined({ format: 'gemini' as const, provider: p, model: m }),
  })),
  fc.tuple(fc.string({ maxLength: 20 }), opt(fc.string({ minLength: 1, maxLength: 10 }))).map(([t, p]) => ({ type: 'thinking' as const, text: t, signatureOrigin: defined({ format: 'openai' as const, provider: p }) })),
);
const responseArb: fc.Arbitrary<Response> = fc
  .record({
    id: fc.stringMatching(/^msg_[A-Za-z0-9]{4,24}$/),
    content: fc.array(fc.oneof(fc.tuple(text, opt(fc.array(fc.record({ type: fc.constant('char_location'), cited_text: text }), { minLength: 1, maxLength: 2 }))).map(([t, c]) => defined({ type: 'text' as const, text: t, citations: c })), anthropicThinking, foreignThinking, redacted, toolCallBare, serverBlock), { maxLength: 5 }),
    stopReason: fc.constantFrom('end_turn' as const, 'max_tokens' as const, 'stop_sequence' as const, 'tool_use' as const, 'refusal' as const, 'pause_turn' as const, 'context_window_exceeded' as const),
    stopSequence: fc.option(text, { nil: null }),
    usage: fc
      .record({ input: fc.nat(1e6), output: fc.nat(1e5), cacheRead: fc.nat(1e6), cacheWrite: fc.nat(1e5), reasoning: fc.nat(1e5), h1: fc.nat(1e5) })
      .map(({ h1, ...u }) => ({ ...u, reasoning: Math.min(u.reasoning, u.output), ...(Math.min(h1, u.cacheWrite) > 0 ? { cacheWrite1h: Math.min(h1, u.cacheWrite) } : {}) })),
    extensions: opt(fc.constant({ anthropic: { container: { id: 'c1' }, usage: { service_tier: 'standard', server_tool_use: { web_search_requests: 1 } } } })),
  })
  .map((r) => {
    const hasTool = r.content.some((b) => b.type === 'tool_call');
    const stopReason = r.stopReason === 'end_turn' && hasTool ? 'tool_use' : r.stopReason === 'tool_use' && !hasTool ? 'end_turn' : r.stopReason;
    return defined({ ...r, model: 'claude-x', stopReason }) as Response;
  });

describe('property: canonical response → Anthropic Message → canonical', () => {
  it('survives unchanged, foreign signatures included', () => {
    fc.assert(
      fc.property(responseArb, (res) => {
        const body = wire(anthropicCodec.encodeResponse(res, { model: 'claude-x' }));
        expect(anthropicCodec.decodeResponse(body, { provider: 'p', model: 'claude-x' })).toEqual(res);
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Streams: random blocks, their events interleaved at random
// ---------------------------------------------------------------------------------------------------------------

type GenBlock =
  | { kind: 'text'; chunks: string[] }
  | { kind: 'thinking'; chunks: string[]; signature: string }
  | { kind: 'tool'; id: string; name: string; input: Record<string, unknown>; cuts: number[] }
  | { kind: 'redacted'; data: string };

const genBlock: fc.Arbitrary<GenBlock> = fc.oneof(
  fc.array(text, { minLength: 1, maxLength: 4 }).map((chunks) => ({ kind: 'text' as const, chunks })),
  fc.tuple(fc.array(text, { minLength: 1, maxLength: 4 }), anthropicSig).map(([chunks, signature]) => ({ kind: 'thinking' as const, chunks, signature })),
  fc.tuple(toolId, name, input, fc.array(fc.nat(200), { maxLength: 4 })).map(([id, n, i, cuts]) => ({ kind: 'tool' as const, id, name: n, input: i, cuts })),
  anthropicSig.map((data) => ({ kind: 'redacted' as const, data })),
);

function blockEvents(b: GenBlock, index: number): StreamEvent[] {
  const out: StreamEvent[] = [];
  switch (b.kind) {
    case 'text':
      out.push({ type: 'block_start', index, block: { type: 'text' } }, ...b.chunks.map((t): StreamEvent => ({ type: 'text_delta', index, text: t })));
      break;
    case 'thinking':
      out.push({ type: 'block_start', index, block: { type: 'thinking', signatureOrigin: { format: 'anthropic' } } }, ...b.chunks.map((t): StreamEvent => ({ type: 'thinking_delta', index, text: t })), { type: 'signature_delta', index, signature: b.signature });
      break;
    case 'tool': {
      out.push({ type: 'block_start', index, block: { type: 'tool_call', id: b.id, name: b.name } });
      const json = JSON.stringify(b.input);
      const cuts = [...new Set(b.cuts.map((c) => c % (json.length + 1)))].sort((x, y) => x - y);
      let from = 0;
      for (const c of [...cuts, json.length]) {
        if (c > from) out.push({ type: 'tool_args_delta', index, json: json.slice(from, c) });
        from = Math.max(from, c);
      }
      break;
    }
    case 'redacted':
      out.push({ type: 'block_start', index, block: { type: 'redacted_thinking', data: b.data } });
      break;
  }
  out.push({ type: 'block_stop', index });
  return out;
}

/** Merges the blocks' event lists in the order `picks` dictates; a block may start only after every earlier block started. */
function interleave(lists: StreamEvent[][], picks: number[]): StreamEvent[] {
  const pos = lists.map(() => 0);
  const out: StreamEvent[] = [];
  let started = 0;
  let p = 0;
  while (out.length < lists.reduce((n, l) => n + l.length, 0)) {
    const ready = lists.map((_, k) => k).filter((k) => pos[k] < lists[k].length && (pos[k] > 0 || k === started));
    const k = ready[(picks[p++ % Math.max(1, picks.length)] ?? 0) % ready.length];
    if (pos[k] === 0) started++;
    out.push(lists[k][pos[k]++]);
  }
  return out;
}

function expectedWire(b: GenBlock): Json {
  switch (b.kind) {
    case 'text':
      return { type: 'text', text: b.chunks.join('') };
    case 'thinking':
      return { type: 'thinking', thinking: b.chunks.join(''), signature: b.signature };
    case 'tool':
      return { type: 'tool_use', id: b.id, name: b.name, input: b.input };
    case 'redacted':
      return { type: 'redacted_thinking', data: b.data };
  }
}

function expectedCanonical(b: GenBlock): ContentBlock {
  switch (b.kind) {
    case 'text':
      return { type: 'text', text: b.chunks.join('') };
    case 'thinking':
      return { type: 'thinking', text: b.chunks.join(''), signature: b.signature, signatureOrigin: { format: 'anthropic' } };
    case 'tool':
      return { type: 'tool_call', id: b.id, name: b.name, input: b.input };
    case 'redacted':
      return { type: 'redacted_thinking', data: b.data };
  }
}

describe('property: interleaved canonical events → a valid sequential Anthropic stream', () => {
  it('the SDK accumulates every block, and decoding the stream gives the blocks back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(genBlock, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 60 }), fc.nat(5000), async (blocks, picks, output) => {
        const events: StreamEvent[] = [
          { type: 'start', id: 'up1', model: 'x', usage: { input: 10, output: 0, cacheRead: 5, cacheWrite: 0, reasoning: 0 } },
          ...interleave(
            blocks.map((b, i) => blockEvents(b, i)),
            picks,
          ),
          { type: 'finish', stopReason: blocks.some((b) => b.kind === 'tool') ? 'tool_use' : 'end_turn', stopSequence: null, usage: { input: 10, output, cacheRead: 5, cacheWrite: 0, reasoning: 0 } },
        ];
        const enc = anthropicCodec.streamEncoder({ model: 'prov/model' });
        const sse = events.map((e) => enc.push(e)).join('') + enc.end();

        // Structure: message_start (+ ping) first, strictly sequential blocks, then message_delta, message_stop.
        const records = parseSse(sse);
        expect(records[0].event).toBe('message_start');
        expect(records.slice(-2).map((r) => r.event)).toEqual(['message_delta', 'message_stop']);
        let open = -1;
        let next = 0;
        for (const r of records) {
          const d = JSON.parse(r.data) as Json;
          expect(d.type).toBe(r.event);
          if (r.event === 'content_block_start') {
            expect(open).toBe(-1);
            expect(d.index).toBe(next++);
            open = d.index as number;
          } else if (r.event === 'content_block_delta') expect(d.index).toBe(open);
          else if (r.event === 'content_block_stop') {
            expect(d.index).toBe(open);
            open = -1;
          }
        }

        const m = await sdkFinalMessage(sse);
        expect(m.content).toEqual(blocks.map(expectedWire));
        expect(m.stop_reason).toBe(blocks.some((b) => b.kind === 'tool') ? 'tool_use' : 'end_turn');
        expect(m.usage).toMatchObject({ input_tokens: 10, output_tokens: output, cache_read_input_tokens: 5 });

        const dec = anthropicCodec.streamDecoder({ provider: 'p', model: 'x' });
        const back = accumulate([...records.flatMap((r) => dec.push(r.event, r.data)), ...dec.end()]);
        expect(back.error).toBeUndefined();
        expect(back.response!.content).toEqual(blocks.map(expectedCanonical));
      }),
      { numRuns: 150 },
    );
  });
});
