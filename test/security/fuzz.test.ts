import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAnthropicRequest, RequestValidationError } from '../../src/formats/anthropic/request.js';
import { CodecError } from '../../src/formats/canonical/codec.js';
import { codecFor } from '../../src/formats/index.js';
import { JsonScanError, scanTopLevel } from '../../src/formats/json-scan/index.js';
import { SseSplitter, SseTooLargeError } from '../../src/formats/sse/index.js';
import { readOpenAIRequest } from '../../src/execution/openai-passthrough.js';
import { takeExtensions } from '../../src/ingress/extensions.js';

/**
 * Property-based fuzzing of everything that reads bytes a client or a provider controls: the request scanners and
 * readers, the three request decoders (as the ingress runs them) and the SSE splitter and stream decoders. "No crash"
 * means: only the documented error class of each reader is ever thrown (each becomes a clean 4xx, or an error event),
 * never a TypeError, RangeError or stack overflow, and every call returns.
 *
 * Run counts add up to 115,000 generated inputs. FUZZ_SCALE scales them (e.g. 0.05 for a quick local run).
 */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(10, Math.round(n * SCALE));
const TIMEOUT = 300_000;

/** Runs `fn` and fails the property on anything thrown that is not one of `allowed`. */
function onlyThrows(allowed: Array<new (...args: never[]) => Error>, fn: () => unknown): boolean {
  try {
    fn();
  } catch (e) {
    if (allowed.some((cls) => e instanceof cls)) return true;
    throw new Error(`unexpected ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
  return true;
}

/** A plausible value most of the time, any JSON value (wrong type, null, nesting) sometimes. */
function anyOr<T>(arb: fc.Arbitrary<T>, weight = 4): fc.Arbitrary<unknown> {
  return fc.oneof({ weight, arbitrary: arb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
}

const text = fc.string({ maxLength: 20 });
const schema = anyOr(fc.record({ type: fc.constantFrom('object', 'string', 'array', 'integer'), properties: anyOr(fc.dictionary(fc.string({ maxLength: 5 }), fc.record({ type: fc.constantFrom('string', 'number') })), 2) }, { requiredKeys: [] }));
const cacheControl = anyOr(fc.record({ type: fc.constantFrom('ephemeral', 'persistent'), ttl: fc.constantFrom('5m', '1h', '2d') }, { requiredKeys: [] }), 2);

// ---------- Anthropic requests ----------
const anthropicSource = anyOr(
  fc.oneof(
    fc.record({ type: fc.constant('base64'), media_type: anyOr(fc.constantFrom('image/png', 'image/jpeg', 'application/pdf')), data: anyOr(fc.base64String({ maxLength: 12 })) }),
    fc.record({ type: fc.constant('url'), url: anyOr(fc.webUrl()) }),
    fc.record({ type: fc.constantFrom('text', 'file', 'content'), data: text, file_id: text, media_type: text }, { requiredKeys: ['type'] }),
  ),
);
const anthropicBlock: fc.Arbitrary<unknown> = fc.letrec<{ block: unknown }>((tie) => ({
  block: anyOr(
    fc.record(
      {
        type: anyOr(fc.constantFrom('text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'server_tool_use', 'web_search_tool_result', 'hologram', ''), 8),
        text: anyOr(text),
        source: anthropicSource,
        id: anyOr(text),
        name: anyOr(text),
        input: anyOr(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }))),
        tool_use_id: anyOr(text),
        content: anyOr(fc.oneof(text, fc.array(tie('block'), { maxLength: 3 }))),
        is_error: anyOr(fc.boolean()),
        thinking: anyOr(text),
        signature: anyOr(text),
        data: anyOr(text),
        cache_control: cacheControl,
        citations: anyOr(fc.oneof(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 2 }), fc.record({ enabled: fc.boolean() }))),
      },
      { requiredKeys: ['type'] },
    ),
    6,
  ),
})).block;
const anthropicMessage = anyOr(
  fc.record({ role: anyOr(fc.constantFrom('user', 'assistant', 'system'), 8), content: anyOr(fc.oneof(text, fc.array(anthropicBlock, { maxLength: 4 }))) }, { requiredKeys: ['role'] }),
  8,
);
const anthropicRequest = fc.record(
  {
    model: anyOr(fc.constantFrom('claude-sonnet-4-5', 'auto', 'oai/gpt-4o', '')),
    max_tokens: anyOr(fc.integer({ min: -5, max: 100_000 })),
    messages: anyOr(fc.array(anthropicMessage, { maxLength: 5 }), 8),
    system: anyOr(fc.oneof(text, fc.array(fc.record({ type: anyOr(fc.constant('text')), text: anyOr(text), cache_control: cacheControl }), { maxLength: 2 }))),
    stream: anyOr(fc.boolean()),
    temperature: anyOr(fc.double({ noNaN: true })),
    top_p: anyOr(fc.double({ noNaN: true })),
    top_k: anyOr(fc.integer()),
    stop_sequences: anyOr(fc.array(text, { maxLength: 3 })),
    tools: anyOr(fc.array(anyOr(fc.record({ name: anyOr(text), description: anyOr(text), input_schema: schema, type: anyOr(fc.constantFrom('custom', 'web_search_20250305', 'bash_20250124')), cache_control: cacheControl }, { requiredKeys: [] })), { maxLength: 3 })),
    tool_choice: anyOr(fc.record({ type: anyOr(fc.constantFrom('auto', 'any', 'none', 'tool')), name: anyOr(text), disable_parallel_tool_use: anyOr(fc.boolean()) }, { requiredKeys: [] })),
    thinking: anyOr(fc.record({ type: anyOr(fc.constantFrom('enabled', 'disabled', 'adaptive')), budget_tokens: anyOr(fc.integer()), display: anyOr(text) }, { requiredKeys: [] })),
    output_config: anyOr(fc.record({ effort: anyOr(fc.constantFrom('low', 'high', 'max', 'bogus')), format: anyOr(fc.record({ type: anyOr(fc.constant('json_schema')), schema })) }, { requiredKeys: [] })),
    metadata: anyOr(fc.record({ user_id: anyOr(text), tier: text }, { requiredKeys: [] })),
    cache_control: cacheControl,
    extra_body: anyOr(fc.record({ models: anyOr(fc.array(text, { maxLength: 2 })), fallback: anyOr(fc.record({ ttft_timeout: anyOr(fc.constantFrom('1s', 'soon', 5)) })) }, { requiredKeys: [] }), 1),
  },
  { requiredKeys: [] },
);

// ---------- OpenAI requests ----------
const openaiPart = anyOr(
  fc.record(
    {
      type: anyOr(fc.constantFrom('text', 'image_url', 'input_audio', 'file', 'refusal', 'hologram'), 8),
      text: anyOr(text),
      image_url: anyOr(fc.record({ url: anyOr(fc.oneof(fc.webUrl(), fc.constant('data:image/png;base64,AAAA'), text)), detail: anyOr(fc.constantFrom('auto', 'low', 'high')) }, { requiredKeys: [] })),
      input_audio: anyOr(fc.record({ data: text, format: text })),
      file: anyOr(fc.record({ file_data: text, filename: text, file_id: text }, { requiredKeys: [] })),
      refusal: anyOr(text),
    },
    { requiredKeys: ['type'] },
  ),
  6,
);
const toolCall = anyOr(fc.record({ id: anyOr(text), type: anyOr(fc.constant('function')), function: anyOr(fc.record({ name: anyOr(text), arguments: anyOr(fc.oneof(text, fc.json({ maxDepth: 2 }))) }, { requiredKeys: [] })) }, { requiredKeys: [] }));
const openaiMessage = anyOr(
  fc.record(
    {
      role: anyOr(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'function'), 8),
      content: anyOr(fc.oneof(text, fc.constant(null), fc.array(openaiPart, { maxLength: 3 }))),
      name: anyOr(text),
      tool_calls: anyOr(fc.array(toolCall, { maxLength: 2 })),
      tool_call_id: anyOr(text),
      reasoning_content: anyOr(text),
    },
    { requiredKeys: ['role'] },
  ),
  8,
);
const openaiRequest = fc.record(
  {
    model: anyOr(fc.constantFrom('gpt-4o', 'auto', '')),
    messages: anyOr(fc.array(openaiMessage, { maxLength: 5 }), 8),
    max_tokens: anyOr(fc.integer({ min: -5, max: 100_000 })),
    max_completion_tokens: anyOr(fc.integer()),
    stream: anyOr(fc.boolean()),
    stream_options: anyOr(fc.record({ include_usage: anyOr(fc.boolean()) })),
    temperature: anyOr(fc.double({ noNaN: true })),
    n: anyOr(fc.integer({ min: -1, max: 3 })),
    stop: anyOr(fc.oneof(text, fc.array(text, { maxLength: 5 }))),
    tools: anyOr(fc.array(anyOr(fc.record({ type: anyOr(fc.constantFrom('function', 'custom')), function: anyOr(fc.record({ name: anyOr(text), description: anyOr(text), parameters: schema, strict: anyOr(fc.boolean()) }, { requiredKeys: [] })) })), { maxLength: 3 })),
    tool_choice: anyOr(fc.oneof(fc.constantFrom('auto', 'none', 'required', 'bogus'), fc.record({ type: anyOr(fc.constant('function')), function: anyOr(fc.record({ name: anyOr(text) })) }))),
    response_format: anyOr(fc.record({ type: anyOr(fc.constantFrom('text', 'json_object', 'json_schema')), json_schema: anyOr(fc.record({ name: anyOr(text), schema, strict: anyOr(fc.boolean()) }, { requiredKeys: [] })) }, { requiredKeys: [] })),
    reasoning_effort: anyOr(fc.constantFrom('low', 'medium', 'high', 'none', 'bogus')),
    user: anyOr(text),
    parallel_tool_calls: anyOr(fc.boolean()),
    logit_bias: anyOr(fc.dictionary(text, fc.integer())),
    seed: anyOr(fc.integer()),
  },
  { requiredKeys: [] },
);

// ---------- Gemini requests ----------
const geminiPart = anyOr(
  fc.record(
    {
      text: anyOr(text),
      thought: anyOr(fc.boolean()),
      thoughtSignature: anyOr(text),
      inlineData: anyOr(fc.record({ mimeType: anyOr(text), data: anyOr(fc.base64String({ maxLength: 8 })) })),
      fileData: anyOr(fc.record({ mimeType: anyOr(text), fileUri: anyOr(fc.webUrl()) }, { requiredKeys: [] })),
      functionCall: anyOr(fc.record({ name: anyOr(text), args: anyOr(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }))), id: anyOr(text) }, { requiredKeys: [] })),
      functionResponse: anyOr(fc.record({ name: anyOr(text), response: anyOr(fc.jsonValue({ maxDepth: 2 })), id: anyOr(text) }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  ),
  6,
);
const geminiRequest = fc.record(
  {
    contents: anyOr(fc.array(anyOr(fc.record({ role: anyOr(fc.constantFrom('user', 'model', 'function')), parts: anyOr(fc.array(geminiPart, { maxLength: 4 })) }, { requiredKeys: [] }), 8), { maxLength: 4 }), 8),
    systemInstruction: anyOr(fc.oneof(text, fc.record({ parts: anyOr(fc.array(geminiPart, { maxLength: 2 })) }))),
    tools: anyOr(fc.array(anyOr(fc.record({ functionDeclarations: anyOr(fc.array(anyOr(fc.record({ name: anyOr(text), description: anyOr(text), parameters: schema, parametersJsonSchema: schema }, { requiredKeys: [] })), { maxLength: 2 })) }, { requiredKeys: [] })), { maxLength: 2 })),
    toolConfig: anyOr(fc.record({ functionCallingConfig: anyOr(fc.record({ mode: anyOr(fc.constantFrom('AUTO', 'ANY', 'NONE', 'VALIDATED')), allowedFunctionNames: anyOr(fc.array(text, { maxLength: 2 })) }, { requiredKeys: [] })) })),
    generationConfig: anyOr(
      fc.record(
        {
          maxOutputTokens: anyOr(fc.integer()),
          temperature: anyOr(fc.double({ noNaN: true })),
          stopSequences: anyOr(fc.array(text, { maxLength: 2 })),
          responseMimeType: anyOr(fc.constantFrom('application/json', 'text/plain')),
          responseSchema: schema,
          thinkingConfig: anyOr(fc.record({ thinkingBudget: anyOr(fc.integer()), includeThoughts: anyOr(fc.boolean()), thinkingLevel: anyOr(text) }, { requiredKeys: [] })),
        },
        { requiredKeys: [] },
      ),
    ),
    model: anyOr(text),
  },
  { requiredKeys: [] },
);

/** Member names that find something on Object.prototype when looked up carelessly. */
const PROTO_KEYS = ['__proto__', 'constructor', 'valueOf', 'toString', 'hasOwnProperty', 'toJSON'] as const;
/** Such members, as JSON text to splice into an object (JSON.parse makes them own properties, as for a client's body). */
const protoMembers = fc.array(fc.tuple(fc.constantFrom(...PROTO_KEYS), fc.json({ maxDepth: 2 })), { maxLength: 3 }).map((ms) => ms.map(([k, v]) => `${JSON.stringify(k)}:${v},`).join(''));

/** Splices `members` into the first object of the JSON text and into every `{"role"`/`{"type"` object. */
function withProtoKeys(json: string, members: string): string {
  if (!members || !json.startsWith('{')) return json;
  const top = json === '{}' ? `{${members.slice(0, -1)}}` : `{${members}${json.slice(1)}`;
  return top.replaceAll('{"role"', () => `{${members}"role"`).replaceAll('{"type"', () => `{${members}"type"`);
}

/** The ingress's own steps for a translated request: bytes → JSON → extensions taken out → the codec's decoder. */
function decodeLikeIngress(format: 'anthropic' | 'openai' | 'gemini', value: unknown, members = ''): void {
  const body = JSON.parse(withProtoKeys(JSON.stringify(value) ?? 'null', members)) as unknown;
  if (body && typeof body === 'object' && !Array.isArray(body)) takeExtensions(body as Record<string, unknown>);
  const req = codecFor(format).decodeRequest(body);
  // What the translating executor then does with it: encode for every other format. Encoders may refuse a request
  // (any Error becomes a translation_error 400), but must not loop or overflow.
  for (const target of ['anthropic', 'openai', 'gemini'] as const) {
    try {
      JSON.stringify(codecFor(target).encodeRequest(req, { provider: 'p', model: 'm', quirks: {} }));
    } catch (e) {
      if (!(e instanceof Error) || e instanceof RangeError || e instanceof TypeError) throw e;
    }
  }
}

describe('fuzz: request bytes', () => {
  /** Mostly-JSON bytes: a valid request with a few bytes changed, cut or inserted, or random bytes. */
  const requestBytes = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(anthropicRequest, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })).map(([v, flips]) => flip(Buffer.from(JSON.stringify(v)), flips)) },
    { weight: 2, arbitrary: fc.tuple(openaiRequest, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })).map(([v, flips]) => flip(Buffer.from(JSON.stringify(v)), flips)) },
    { weight: 1, arbitrary: fc.tuple(anthropicRequest, protoMembers).map(([v, m]) => Buffer.from(withProtoKeys(JSON.stringify(v), m))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 2000 }).map((d) => Buffer.from(`{"model":"m","messages":${'['.repeat(d)}${']'.repeat(d)}}`)) },
  );

  function flip(buf: Buffer, flips: Array<[number, number]>): Buffer {
    if (buf.length === 0) return buf;
    const out = Buffer.from(buf);
    for (const [at, byte] of flips) out[at % out.length] = byte;
    return out;
  }

  it('scanTopLevel throws only JsonScanError (20,000 inputs)', { timeout: TIMEOUT }, () => {
    fc.assert(fc.property(requestBytes, (b) => onlyThrows([JsonScanError], () => scanTopLevel(b))), { numRuns: runs(20_000) });
  });

  it('readAnthropicRequest throws only RequestValidationError (10,000 inputs)', { timeout: TIMEOUT }, () => {
    fc.assert(fc.property(requestBytes, fc.boolean(), (b, forCount) => onlyThrows([RequestValidationError], () => readAnthropicRequest(b, { forCount }))), { numRuns: runs(10_000) });
  });

  it('readOpenAIRequest throws only RequestValidationError (10,000 inputs)', { timeout: TIMEOUT }, () => {
    fc.assert(fc.property(requestBytes, (b) => onlyThrows([RequestValidationError], () => readOpenAIRequest(b))), { numRuns: runs(10_000) });
  });
});

describe('fuzz: request decoders', () => {
  it('the Anthropic decoder throws only CodecError (15,000 inputs)', { timeout: TIMEOUT }, () => {
    fc.assert(fc.property(anthropicRequest, protoMembers, (v, m) => onlyThrows([CodecError], () => decodeLikeIngress('anthropic', v, m))), { numRuns: runs(15_000) });
  });

  it('the OpenAI decoder throws only CodecError (15,000 inputs)', { timeout: TIMEOUT }, () => {
    fc.assert(fc.property(openaiRequest, protoMembers, (v, m) => onlyThrows([CodecError], () => decodeLikeIngress('openai', v, m))), { numRuns: runs(15_000) });
  });

  it('the Gemini decoder throws only CodecError (10,000 inputs)', { timeout: TIMEOUT }, () => {
    fc.assert(fc.property(geminiRequest, protoMembers, (v, m) => onlyThrows([CodecError], () => decodeLikeIngress('gemini', v, m))), { numRuns: runs(10_000) });
  });

  it('any JSON value at all throws only CodecError from every decoder (5,000 inputs)', { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
        for (const f of ['anthropic', 'openai', 'gemini'] as const) onlyThrows([CodecError], () => decodeLikeIngress(f, v));
        return true;
      }),
      { numRuns: runs(5_000) },
    );
  });
});

describe('fuzz: upstream streams', () => {
  /** SSE-ish bytes: field lines, comments, every line ending, BOMs and binary noise, cut into random chunks. */
  const sseLine = fc.oneof(
    fc.tuple(fc.constantFrom('data', 'event', 'id', 'retry', ':', 'dat', ''), fc.constantFrom(':', ': ', ''), fc.string({ unit: 'binary', maxLength: 30 })).map(([f, c, v]) => f + c + v),
    fc.constantFrom('data: [DONE]', ': ping', '\ufeffdata: x', 'event: message_stop', 'data: {"type":"ping"}'),
    fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a).toString('latin1')),
  );
  const sseBytes = fc
    .tuple(fc.array(fc.tuple(sseLine, fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\r\n\r\n', '')), { maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }))
    .map(([lines, cuts]) => {
      const all = Buffer.from(lines.map(([l, e]) => l + e).join(''), 'utf8');
      const chunks: Buffer[] = [];
      for (let at = 0, i = 0; at < all.length; i++) {
        const n = cuts[i % cuts.length];
        chunks.push(all.subarray(at, at + n));
        at += n;
      }
      return chunks;
    });

  it('SseSplitter throws only SseTooLargeError, and holds no more than its limit (10,000 inputs)', { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(sseBytes, fc.integer({ min: 8, max: 512 }), (chunks, limit) => {
        const s = new SseSplitter({ maxEventBytes: limit });
        return onlyThrows([SseTooLargeError], () => {
          for (const c of chunks) {
            s.push(c);
            expect(s.buffered).toBeLessThanOrEqual(limit);
          }
          s.flush();
        });
      }),
      { numRuns: runs(10_000) },
    );
  });

  /** Stream events of each format: valid-looking payloads with wrong types and junk mixed in. */
  const anthropicEvent = fc.tuple(
    fc.constantFrom('message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'ping', 'error', 'bogus', undefined),
    fc.oneof(
      fc.record(
        {
          type: anyOr(fc.constantFrom('message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop', 'error')),
          index: anyOr(fc.integer({ min: -1, max: 4 })),
          message: anyOr(fc.record({ id: anyOr(text), model: anyOr(text), usage: anyOr(fc.record({ input_tokens: anyOr(fc.integer()), output_tokens: anyOr(fc.integer()) })) }, { requiredKeys: [] })),
          content_block: anyOr(fc.record({ type: anyOr(fc.constantFrom('text', 'tool_use', 'thinking', 'server_tool_use', 'redacted_thinking')), text: anyOr(text), id: anyOr(text), name: anyOr(text), input: anyOr(fc.object()) }, { requiredKeys: [] })),
          delta: anyOr(fc.record({ type: anyOr(fc.constantFrom('text_delta', 'input_json_delta', 'thinking_delta', 'signature_delta', 'citations_delta')), text: anyOr(text), partial_json: anyOr(text), thinking: anyOr(text), signature: anyOr(text), stop_reason: anyOr(fc.constantFrom('end_turn', 'tool_use', 'max_tokens', 'refusal')) }, { requiredKeys: [] })),
          usage: anyOr(fc.record({ output_tokens: anyOr(fc.integer()), input_tokens: anyOr(fc.integer()) }, { requiredKeys: [] })),
          error: anyOr(fc.record({ type: anyOr(text), message: anyOr(text) }, { requiredKeys: [] })),
        },
        { requiredKeys: [] },
      ).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 30 }),
    ),
  );
  const openaiEvent = fc.oneof(
    fc.record(
      {
        id: anyOr(text),
        model: anyOr(text),
        choices: anyOr(fc.array(anyOr(fc.record({ index: anyOr(fc.integer({ min: -1, max: 2 })), finish_reason: anyOr(fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', null)), delta: anyOr(fc.record({ role: anyOr(text), content: anyOr(text), reasoning_content: anyOr(text), tool_calls: anyOr(fc.array(anyOr(fc.record({ index: anyOr(fc.integer({ min: -1, max: 3 })), id: anyOr(text), function: anyOr(fc.record({ name: anyOr(text), arguments: anyOr(text) }, { requiredKeys: [] })) }, { requiredKeys: [] })), { maxLength: 2 })) }, { requiredKeys: [] })) }, { requiredKeys: [] })), { maxLength: 2 })),
        usage: anyOr(fc.record({ prompt_tokens: anyOr(fc.integer()), completion_tokens: anyOr(fc.integer()) }, { requiredKeys: [] })),
        error: anyOr(fc.record({ message: anyOr(text), type: anyOr(text) }, { requiredKeys: [] }), 1),
      },
      { requiredKeys: [] },
    ).map((v) => JSON.stringify(v)),
    fc.constantFrom('[DONE]', '', '{', 'null'),
    fc.string({ maxLength: 30 }),
  );
  const geminiEvent = fc.oneof(
    fc.record(
      {
        candidates: anyOr(fc.array(anyOr(fc.record({ content: anyOr(fc.record({ role: anyOr(text), parts: anyOr(fc.array(geminiPart, { maxLength: 3 })) }, { requiredKeys: [] })), finishReason: anyOr(fc.constantFrom('STOP', 'MAX_TOKENS', 'SAFETY', 'MALFORMED_FUNCTION_CALL', 'BOGUS')), index: anyOr(fc.integer()) }, { requiredKeys: [] })), { maxLength: 2 })),
        usageMetadata: anyOr(fc.record({ promptTokenCount: anyOr(fc.integer()), candidatesTokenCount: anyOr(fc.integer()), thoughtsTokenCount: anyOr(fc.integer()) }, { requiredKeys: [] })),
        error: anyOr(fc.record({ code: anyOr(fc.integer()), message: anyOr(text), status: anyOr(text) }, { requiredKeys: [] }), 1),
        modelVersion: anyOr(text),
      },
      { requiredKeys: [] },
    ).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 30 }),
  );

  function decodeStream(format: 'anthropic' | 'openai' | 'gemini', events: Array<[string | undefined, string]>): void {
    const d = codecFor(format).streamDecoder({ provider: 'p', model: 'm', toolNames: ['get_weather'] });
    for (const [ev, data] of events) d.push(ev, data);
    d.end();
  }

  it('the Anthropic stream decoder never throws (5,000 streams)', { timeout: TIMEOUT }, () => {
    fc.assert(fc.property(fc.array(anthropicEvent, { maxLength: 12 }), (evs) => onlyThrows([], () => decodeStream('anthropic', evs))), { numRuns: runs(5_000) });
  });

  it('the OpenAI stream decoder never throws (5,000 streams)', { timeout: TIMEOUT }, () => {
    fc.assert(fc.property(fc.array(openaiEvent, { maxLength: 12 }), (evs) => onlyThrows([], () => decodeStream('openai', evs.map((d) => [undefined, d])))), { numRuns: runs(5_000) });
  });

  it('the Gemini stream decoder never throws (5,000 streams)', { timeout: TIMEOUT }, () => {
    fc.assert(fc.property(fc.array(geminiEvent, { maxLength: 12 }), (evs) => onlyThrows([], () => decodeStream('gemini', evs.map((d) => [undefined, d])))), { numRuns: runs(5_000) });
  });

  it('splitter and decoder together, on raw bytes (5,000 streams)', { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(sseBytes, fc.constantFrom('anthropic' as const, 'openai' as const, 'gemini' as const), (chunks, format) => {
        const s = new SseSplitter({ maxEventBytes: 4096 });
        const d = codecFor(format).streamDecoder({ provider: 'p', model: 'm' });
        return onlyThrows([SseTooLargeError], () => {
          for (const c of chunks) for (const ev of s.push(c)) d.push(ev.event, ev.data);
          for (const ev of s.flush()) d.push(ev.event, ev.data);
          d.end();
        });
      }),
      { numRuns: runs(5_000) },
    );
  });
});
