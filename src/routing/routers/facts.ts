/**
 * What a router condition can see about a request (SPEC section 3, "CEL variables"), derived from the canonical
 * request plus ingress facts (headers, key, metadata). Costly facts (`messages`, `input_tokens`) can be given lazily
 * and are only computed when a condition reads them.
 */
import type { ContentBlock, Message, Request } from '../../formats/canonical/types.js';

/** A message as CEL sees it: `role` is `system`, `developer`, `user`, `assistant` or `tool`; `content` is its text. */
export interface CelMessage {
  role: string;
  content: string;
}

export interface RequestFacts {
  api: 'anthropic' | 'openai';
  /** The `model` field as the caller sent it. */
  model: string;
  /** The request's routing `metadata` object (SPEC section 5); each key becomes a top-level CEL variable. */
  metadata: Readonly<Record<string, unknown>>;
  messages: readonly CelMessage[] | (() => readonly CelMessage[]);
  /** Estimated input tokens. */
  inputTokens: number | (() => number);
  hasTools: boolean;
  hasImages: boolean;
  thinking: boolean;
  stream: boolean;
  /** See `clientFromUserAgent`. */
  client: string;
  /** Name of the client key (never the key itself); `''` when unknown. */
  key: string;
  /** Lower-cased header names; credentials already redacted (see `celHeaders`). */
  headers: Readonly<Record<string, string>>;
  /** OpenAI `user` / Anthropic `metadata.user_id`: makes the variant choice sticky. */
  user: string | null;
}

/**
 * The calling program, from `User-Agent`: `claude-code` (`claude-cli/...`, `claude-code/...`), `anthropic-sdk`
 * (`Anthropic/JS 1.2.3`, `AsyncAnthropic/Python ...`), `openai-sdk` (`OpenAI/JS ...`, `AzureOpenAI/Python ...`),
 * `curl`; otherwise the first product token without its version, as sent (`python-requests`, `Mozilla`); `''` when
 * there is no user agent.
 */
export function clientFromUserAgent(userAgent: string | undefined | null): string {
  const ua = (userAgent ?? '').trim();
  if (ua === '') return '';
  const product = ua.split(/[\s/]/, 1)[0];
  const p = product.toLowerCase();
  if (p === 'claude-cli' || p === 'claude-code') return 'claude-code';
  if (p.endsWith('anthropic')) return 'anthropic-sdk';
  if (p.endsWith('openai')) return 'openai-sdk';
  if (p === 'curl') return 'curl';
  return product;
}

/** Headers whose values are credentials: visible to CEL as present, never as their value. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'cookie', 'set-cookie']);
export const REDACTED = '[redacted]';

/** Lower-cased header map; repeated headers joined with `, `; credentials replaced by `[redacted]`. */
export function celHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const name = k.toLowerCase();
    const value = Array.isArray(v) ? v.join(', ') : v;
    out[name] = SECRET_HEADERS.has(name) ? REDACTED : out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

function blockText(b: ContentBlock): string | null {
  if (b.type === 'text') return b.text;
  if (b.type === 'tool_result') {
    const parts = b.content.filter((c) => c.type === 'text').map((c) => (c as { text: string }).text);
    return parts.length > 0 ? parts.join('\n') : null;
  }
  return null;
}

/**
 * The request's messages as CEL sees them, in the OpenAI chat shape whatever the API: the system prompt first as a
 * `system` message (when there is one), then each message with its text blocks joined by `\n`. A user message made
 * only of tool results has role `tool`. Images, tool calls and thinking contribute no text.
 */
export function celMessages(req: Pick<Request, 'system' | 'messages'>): CelMessage[] {
  const out: CelMessage[] = [];
  if (req.system.length > 0) out.push({ role: 'system', content: req.system.map((b) => b.text).join('\n') });
  for (const m of req.messages) out.push({ role: celRole(m), content: messageText(m) });
  return out;
}

function celRole(m: Message): string {
  if (m.role === 'system') return m.systemKind === 'developer' ? 'developer' : 'system';
  if (m.role === 'user' && m.content.length > 0 && m.content.every((b) => b.type === 'tool_result')) return 'tool';
  return m.role;
}

function messageText(m: Message): string {
  const parts: string[] = [];
  for (const b of m.content) {
    const t = blockText(b);
    if (t !== null) parts.push(t);
  }
  return parts.join('\n');
}

function hasImage(blocks: readonly ContentBlock[]): boolean {
  return blocks.some((b) => b.type === 'image' || (b.type === 'tool_result' && b.content.some((c) => c.type === 'image')));
}

export interface FactsInput {
  api: 'anthropic' | 'openai';
  request: Request;
  /** The routing metadata (extensions `metadata`), if any. */
  metadata?: Readonly<Record<string, unknown>> | null;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  keyName?: string | null;
  /** Token estimator; called only if a condition reads `request.input_tokens` (or the tester asks for everything). */
  estimateInputTokens: (req: Request) => number;
}

/** Builds the facts from a decoded canonical request. */
export function factsFromRequest(input: FactsInput): RequestFacts {
  const { request } = input;
  const headers = celHeaders(input.headers);
  return {
    api: input.api,
    model: request.model,
    metadata: input.metadata ?? {},
    messages: () => celMessages(request),
    inputTokens: () => input.estimateInputTokens(request),
    hasTools: (request.tools?.length ?? 0) > 0,
    hasImages: request.messages.some((m) => hasImage(m.content)),
    thinking: isThinking(request),
    stream: request.stream,
    client: clientFromUserAgent(headers['user-agent']),
    key: input.keyName ?? '',
    headers,
    user: request.user && request.user !== '' ? request.user : null,
  };
}

/** Extended thinking / reasoning was asked for: Anthropic `thinking` enabled or adaptive, or a reasoning effort other than `none`. */
export function isThinking(req: Pick<Request, 'thinking' | 'reasoningEffort'>): boolean {
  if (req.thinking && req.thinking.type !== 'disabled') return true;
  return req.reasoningEffort !== undefined && req.reasoningEffort !== 'none';
}

/** Names that are always Switchyard's facts; a metadata key with one of these names is not visible to CEL. */
export const RESERVED_VARIABLES: ReadonlySet<string> = new Set(['messages', 'request']);

export interface CelInputs {
  /** What CEL evaluates against (ints as bigint). */
  activation: Record<string, unknown>;
  /** The same in JSON-safe form, for the dry-run tester and records. */
  inputs: Record<string, unknown>;
}

/**
 * The CEL activation: metadata keys at top level, `messages`, and `request`. `need` says which lazy facts to
 * compute (`messages`, `input_tokens`); facts that are not needed are left out (no condition reads them).
 */
export function celInputs(facts: RequestFacts, need: { messages: boolean; inputTokens: boolean }): CelInputs {
  const activation: Record<string, unknown> = {};
  const inputs: Record<string, unknown> = {};
  for (const k of Object.keys(facts.metadata)) {
    // `__proto__` would set the activation's prototype rather than a variable.
    if (RESERVED_VARIABLES.has(k) || k === '__proto__') continue;
    activation[k] = facts.metadata[k];
    inputs[k] = facts.metadata[k];
  }
  if (need.messages) {
    const messages = typeof facts.messages === 'function' ? facts.messages() : facts.messages;
    activation.messages = messages;
    inputs.messages = messages;
  }
  const request: Record<string, unknown> = {
    api: facts.api,
    model: facts.model,
    has_tools: facts.hasTools,
    has_images: facts.hasImages,
    thinking: facts.thinking,
    stream: facts.stream,
    client: facts.client,
    key: facts.key,
    headers: facts.headers,
  };
  const celRequest: Record<string, unknown> = { ...request };
  if (need.inputTokens) {
    const n = Math.max(0, Math.round(typeof facts.inputTokens === 'function' ? facts.inputTokens() : facts.inputTokens));
    request.input_tokens = n;
    celRequest.input_tokens = BigInt(n);
  }
  activation.request = celRequest;
  inputs.request = request;
  return { activation, inputs };
}
