import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContentBlock, Message, Request, Tool, Usage } from '../canonical/types.js';
import { decodeRequest, decodeUsage, encodeRequest, encodeUsage, OpenAIStreamDecoder, parseToolArguments } from './index.js';
import { summarize } from './test-support.js';

const nonEmpty = fc.string({ minLength: 1, maxLength: 30 });
const name = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,20}$/);
const toolId = fc.stringMatching(/^call_[a-zA-Z0-9]{4,24}$/);
const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);

const text = nonEmpty.map((t): ContentBlock => ({ type: 'text', text: t }));
const image = fc.oneof(
  fc.record({ data: fc.base64String({ minLength: 4, maxLength: 16 }), mediaType: fc.constantFrom('image/png', 'image/jpeg') }).map(({ data, mediaType }): ContentBlock => ({ type: 'image', source: { kind: 'base64', mediaType, data } })),
  fc.webUrl().map((url): ContentBlock => ({ type: 'image', source: { kind: 'url', url } })),
);
const userPart = fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: image });

/**
 * A conversation in the subset that survives encode → decode: strict user/assistant alternation, non-empty text, tool
 * results answering the previous assistant's calls with text only, at most one text block per assistant turn
 * (assistant text blocks are concatenated), no thinking (dropped towards OpenAI without the replay quirk).
 */
const conversation = fc
  .array(
    fc.record({
      userParts: fc.array(userPart, { minLength: 1, maxLength: 3 }),
      userName: fc.option(name, { nil: undefined }),
      assistantText: fc.option(nonEmpty, { nil: undefined }),
      calls: fc.array(fc.record({ id: toolId, name, input: jsonObject, result: fc.array(nonEmpty, { minLength: 1, maxLength: 2 }) }), { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((turns) => {
    const messages: Message[] = [];
    let pendingResults: ContentBlock[] = [];
    turns.forEach((turn, i) => {
      const user: Message = { role: 'user', content: [...pendingResults, ...turn.userParts] };
      if (turn.userName !== undefined) user.name = turn.userName;
      messages.push(user);
      const calls = turn.calls.map((c, j) => ({ ...c, id: `${c.id}${i}${j}` }));
      const content: ContentBlock[] = [];
      if (turn.assistantText !== undefined || calls.length === 0) content.push({ type: 'text', text: turn.assistantText ?? 'ok' });
      for (const c of calls) content.push({ type: 'tool_call', id: c.id, name: c.name, input: c.input });
      messages.push({ role: 'assistant', content });
      pendingResults = calls.map((c) => ({ type: 'tool_result', toolCallId: c.id, content: c.result.map((t) => ({ type: 'text' as const, text: t })) }));
    });
    if (pendingResults.length) messages.push({ role: 'user', content: pendingResults });
    return messages;
  });

const tool: fc.Arbitrary<Tool> = fc.record({ name, description: fc.option(nonEmpty, { nil: undefined }), inputSchema: fc.constant({ type: 'object', properties: { q: { type: 'string' } } }) }).map((t) => {
  const out: Tool = { name: t.name, inputSchema: t.inputSchema };
  if (t.description !== undefined) out.description = t.description;
  return out;
});

const request: fc.Arbitrary<Request> = fc
  .record({
    system: fc.option(nonEmpty, { nil: undefined }),
    messages: conversation,
    maxTokens: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
    temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
    topP: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    stop: fc.option(fc.array(nonEmpty, { minLength: 1, maxLength: 4 }), { nil: undefined }),
    seed: fc.option(fc.integer(), { nil: undefined }),
    user: fc.option(fc.string({ minLength: 1, maxLength: 64 }), { nil: undefined }),
    stream: fc.boolean(),
    tools: fc.option(fc.uniqueArray(tool, { minLength: 1, maxLength: 3, selector: (t) => t.name }), { nil: undefined }),
    choice: fc.constantFrom('auto', 'any', 'none', 'tool', undefined),
    disableParallel: fc.boolean(),
    effort: fc.constantFrom('low', 'medium', 'high', undefined),
    responseFormat: fc.constantFrom<Request['responseFormat']>(undefined, { type: 'text' }, { type: 'json_object' }, { type: 'json_schema', name: 'out', schema: { type: 'object' } }),
  })
  .map((r) => {
    const req: Request = { model: 'client', system: r.system ? [{ type: 'text', text: r.system }] : [], messages: r.messages, stream: r.stream, extensions: {} };
    if (r.stream) req.includeUsage = true;
    if (r.maxTokens !== undefined) req.maxTokens = r.maxTokens;
    if (r.temperature !== undefined) req.temperature = r.temperature;
    if (r.topP !== undefined) req.topP = r.topP;
    if (r.stop) req.stop = r.stop;
    if (r.seed !== undefined) req.seed = r.seed;
    if (r.user !== undefined) req.user = r.user;
    if (r.effort) req.reasoningEffort = r.effort;
    if (r.responseFormat) req.responseFormat = r.responseFormat;
    if (r.tools) {
      req.tools = r.tools;
      if (r.choice === 'tool') req.toolChoice = { type: 'tool', name: r.tools[0].name, ...(r.disableParallel ? { disableParallel: true } : {}) };
      else if (r.choice === 'none') req.toolChoice = { type: 'none' };
      else if (r.choice) req.toolChoice = { type: r.choice, ...(r.disableParallel ? { disableParallel: true } : {}) };
      if (r.disableParallel && req.toolChoice?.type !== 'none') req.parallelToolCalls = false;
    }
    return req;
  });

/** Documented lossy points: the decoder fills tool-result names from the calls and marks the source format. */
function normalise(req: Request): Request {
  const copy = structuredClone(req);
  copy.model = 'client';
  copy.extensions = {};
  for (const m of copy.messages) for (const b of m.content) if (b.type === 'tool_result') delete b.name;
  return copy;
}

describe('properties', () => {
  it('canonical request → OpenAI body → canonical request is the identity on the round-trippable subset', () => {
    fc.assert(
      fc.property(request, (req) => {
        const body = encodeRequest(req, { provider: 'p', model: 'client', quirks: {} });
        const back = decodeRequest(JSON.parse(JSON.stringify(body)));
        expect(normalise(back)).toEqual(normalise(req));
      }),
      { numRuns: 300 },
    );
  });

  it('usage survives encode → decode', () => {
    const count = fc.integer({ min: 0, max: 10_000_000 });
    fc.assert(
      fc.property(fc.record({ input: count, output: count, cacheRead: count, cacheWrite: count, reasoning: count }), (u: Usage) => {
        const usage = { ...u, reasoning: Math.min(u.reasoning, u.output) };
        expect(decodeUsage(encodeUsage(usage))).toEqual(usage);
      }),
    );
  });

  it('tool-call argument streams reassemble exactly under any chunking and interleaving, with or without index', () => {
    const call = fc.record({ name, args: fc.oneof(jsonObject.map((o) => JSON.stringify(o)), fc.string({ maxLength: 40 })) });
    const scenario = fc.array(call, { minLength: 1, maxLength: 4 }).chain((calls) =>
      fc.record({
        calls: fc.constant(calls),
        // Cut points per call, and a random merge order of the resulting fragments.
        cuts: fc.tuple(...calls.map((c) => fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, c.args.length - 1) }), { maxLength: 6 }))),
        order: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
        withIndexOnContinuations: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ calls, cuts, order, withIndexOnContinuations }) => {
        const queues = calls.map((c, k) => {
          const points = [...new Set(cuts[k].filter((p) => p < c.args.length))].sort((a, b) => a - b);
          const pieces: string[] = [];
          let at = 0;
          for (const p of points) {
            pieces.push(c.args.slice(at, p));
            at = p;
          }
          pieces.push(c.args.slice(at));
          // Without indices (Gemini's endpoint, old Ollama) calls can only arrive one after the other.
          const index = withIndexOnContinuations ? { index: k } : {};
          return pieces.map((piece, i) => (i === 0 ? { ...index, id: `id_${k}`, type: 'function', function: { name: c.name, arguments: piece } } : { ...index, function: { arguments: piece } }));
        });
        const chunks: string[] = [];
        let o = 0;
        // Each call's first fragment goes out in call order; after that fragments of all started calls interleave.
        const started: number[] = [];
        while (queues.some((q) => q.length)) {
          const candidates = queues
            .map((q, k) => k)
            .filter((k) => queues[k].length && (withIndexOnContinuations ? started.includes(k) || k === started.length : k === queues.findIndex((q) => q.length)));
          const k = candidates[order[o++ % order.length] % candidates.length];
          if (!started.includes(k)) started.push(k);
          // Sometimes several fragments share one chunk.
          const take = queues[k].splice(0, 1 + (order[o++ % order.length] % 2));
          chunks.push(JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { tool_calls: take }, finish_reason: null }] }));
        }
        chunks.push(JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }));
        const d = new OpenAIStreamDecoder({ provider: 'p', model: 'm' });
        const s = summarize([...chunks.flatMap((c) => d.push(undefined, c)), ...d.end()]);
        expect(s.tools).toEqual(calls.map((c, k) => ({ id: `id_${k}`, name: c.name, args: c.args })));
        expect(s.stopReason).toBe('tool_use');
      }),
      { numRuns: 300 },
    );
  });

  it('argument repair never throws, returns an object, and is exact on complete JSON', () => {
    fc.assert(
      fc.property(jsonObject, fc.nat(), (obj, cut) => {
        const json = JSON.stringify(obj);
        expect(parseToolArguments(json)).toEqual(obj);
        const repaired = parseToolArguments(json.slice(0, cut % (json.length + 1)));
        expect(typeof repaired === 'object' && repaired !== null && !Array.isArray(repaired)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
