import { isValidUtf8, parseValue, RAW_STRING_FINDERS, scanTopLevel, spliceMembers, valueKind, JsonScanError, type Edit, type MemberSpan, type ScannedObject } from '../json-scan/index.js';

/** Switchyard's own request fields (SPEC section 5); removed before the request goes upstream. */
export const EXTENSION_FIELDS = ['extra_body', 'models', 'ignore', 'sort', 'provider', 'fallback', 'prompt_variables', 'reasoning'] as const;

export type Extensions = Partial<Record<(typeof EXTENSION_FIELDS)[number] | 'metadata', unknown>>;

/** An Anthropic Messages request read without parsing the large parts (messages, system, tools). */
export interface AnthropicRequestView {
  buf: Buffer;
  scan: ScannedObject;
  model: string;
  stream: boolean;
  maxTokens: number | null;
  userId: string | null;
  /** Routing extensions, `extra_body` entries winning over top-level ones. */
  extensions: Extensions;
  /** Upstream edits that do not depend on the chosen model (extension removal, metadata trimming). */
  baseEdits: Edit[];
}

export class RequestValidationError extends Error {}

/** Model names longer than this are refused: they are echoed in errors and stored in records. */
export const MAX_MODEL_LENGTH = 256;

/**
 * What every request body must be beyond valid JSON: well-formed UTF-8 (the bytes go upstream as they are, so a
 * provider must not see what the router decoded differently), and no top-level key twice (parsers disagree on which
 * one counts: the router would route on one `model` and the provider serve the other).
 */
export function checkRequestBody(buf: Buffer, scan: ScannedObject): void {
  if (!isValidUtf8(buf)) throw new RequestValidationError('Request body is not valid UTF-8.');
  const seen = new Set<string>();
  for (const m of scan.members) {
    if (seen.has(m.key)) throw new RequestValidationError(`${m.key}: the key appears more than once in the request body`);
    seen.add(m.key);
  }
}

/** Request header values that are forwarded upstream must be visible ASCII (no control bytes, no obs-text). */
export function checkForwardedHeader(name: string, value: string | string[] | undefined): void {
  if (value === undefined) return;
  for (const v of Array.isArray(value) ? value : [value]) {
    if (!/^[\x20-\x7e\t]*$/.test(v)) throw new RequestValidationError(`${name} header: only visible ASCII characters may be forwarded to the provider`);
  }
}

type Kind = ReturnType<typeof valueKind>;

const FIELD_KINDS: Record<string, readonly Kind[]> = {
  model: ['string'],
  max_tokens: ['number'],
  messages: ['array'],
  stream: ['boolean'],
  system: ['string', 'array'],
  metadata: ['object'],
  tools: ['array'],
  tool_choice: ['object'],
  temperature: ['number'],
  top_p: ['number'],
  top_k: ['number'],
  stop_sequences: ['array'],
  thinking: ['object'],
  output_config: ['object'],
  context_management: ['object'],
  service_tier: ['string'],
  extra_body: ['object'],
};

const KIND_NAMES: Record<Kind, string> = { object: 'an object', array: 'an array', string: 'a string', number: 'a number', boolean: 'a boolean', null: 'null' };

function expectKinds(buf: Buffer, span: MemberSpan): void {
  // Own keys only: a member named "valueOf" or "__proto__" must not find Object.prototype's.
  const allowed = Object.hasOwn(FIELD_KINDS, span.key) ? FIELD_KINDS[span.key] : undefined;
  if (!allowed) return;
  const kind = valueKind(buf, span);
  if (!allowed.includes(kind)) {
    throw new RequestValidationError(`${span.key}: expected ${allowed.map((k) => KIND_NAMES[k]).join(' or ')}, got ${KIND_NAMES[kind]}`);
  }
}

/**
 * Checks the request is one JSON object with the required fields of the right types, and collects what routing needs.
 * `forCount` is the count_tokens variant, where `max_tokens` is not required.
 */
export function readAnthropicRequest(buf: Buffer, opts: { forCount?: boolean } = {}): AnthropicRequestView {
  let scan: ScannedObject;
  try {
    // Raw-string candidates are collected on the way, for when the request is translated (byte-strings.ts).
    scan = scanTopLevel(buf, { longStrings: RAW_STRING_FINDERS.anthropic });
  } catch (e) {
    if (e instanceof JsonScanError) throw new RequestValidationError(`Request body is not valid JSON: ${e.message}`);
    throw e;
  }
  checkRequestBody(buf, scan);
  for (const m of scan.members) expectKinds(buf, m);
  const modelSpan = scan.get('model');
  if (!modelSpan) throw new RequestValidationError('model: field required');
  const model = parseValue(buf, modelSpan) as string;
  if (!model) throw new RequestValidationError('model: must not be empty');
  if (model.length > MAX_MODEL_LENGTH) throw new RequestValidationError(`model: longer than ${MAX_MODEL_LENGTH} characters`);
  if (!scan.get('messages')) throw new RequestValidationError('messages: field required');
  let maxTokens: number | null = null;
  const maxSpan = scan.get('max_tokens');
  if (maxSpan) {
    maxTokens = parseValue(buf, maxSpan) as number;
    if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new RequestValidationError('max_tokens: expected a non-negative integer');
  } else if (!opts.forCount) {
    throw new RequestValidationError('max_tokens: field required');
  }
  const streamSpan = scan.get('stream');
  const stream = streamSpan ? parseValue(buf, streamSpan) === true : false;

  const extensions: Extensions = {};
  const baseEdits: Edit[] = [];
  for (const m of scan.members) {
    if ((EXTENSION_FIELDS as readonly string[]).includes(m.key)) {
      baseEdits.push({ span: m, remove: true });
      if (m.key !== 'extra_body') extensions[m.key as keyof Extensions] = parseValue(buf, m);
    }
  }
  const extra = scan.get('extra_body');
  if (extra) Object.assign(extensions, parseValue(buf, extra) as Record<string, unknown>);

  let userId: string | null = null;
  const metaSpan = scan.get('metadata');
  if (metaSpan) {
    const metadata = parseValue(buf, metaSpan) as Record<string, unknown>;
    if (typeof metadata.user_id === 'string') userId = metadata.user_id;
    const { user_id, ...routingVars } = metadata;
    if (Object.keys(routingVars).length > 0) {
      // Anthropic accepts only user_id in metadata; the rest are Switchyard's routing variables.
      extensions.metadata = { ...(extensions.metadata as object | undefined), ...routingVars };
      baseEdits.push(user_id === undefined ? { span: metaSpan, remove: true } : { span: metaSpan, replaceValue: JSON.stringify({ user_id }) });
    }
  }
  return { buf, scan, model, stream, maxTokens, userId, extensions, baseEdits };
}

/** The body to send upstream: the caller's bytes with only `model` replaced and Switchyard's fields removed. */
export function upstreamBody(view: AnthropicRequestView, upstreamModel: string): { chunks: Buffer[]; length: number } {
  const edits = view.baseEdits.slice();
  if (upstreamModel !== view.model) edits.push({ span: view.scan.get('model')!, replaceValue: JSON.stringify(upstreamModel) });
  if (edits.length === 0) return { chunks: [view.buf], length: view.buf.length };
  return spliceMembers(view.buf, view.scan, edits);
}
