import type { Attributes } from '@opentelemetry/api';
import type { AttemptRecord, RequestRecord, TokenUsage } from '../record.js';
import { GEN_AI, SWITCHYARD, genAiProviderName } from './attributes.js';

/** One span to emit, decided from a finished record alone (no SDK types, so the mapping is testable on its own). */
export interface SpanPlan {
  name: string;
  kind: 'server' | 'client';
  /** Unix epoch milliseconds. */
  startMs: number;
  endMs: number;
  attributes: Attributes;
  /** Set when the span failed: the span status is ERROR with this description. */
  error: string | null;
}

export interface TracePlan {
  request: SpanPlan;
  attempts: SpanPlan[];
}

const CHAT_ENDPOINTS = new Set(['messages', 'chat_completions']);
/** Upstream error text can be long (whole provider error bodies); a span status needs only the gist. */
const MAX_STATUS_MESSAGE = 500;

export function planTrace(record: RequestRecord): TracePlan {
  const chat = CHAT_ENDPOINTS.has(record.endpoint);
  const operation = chat ? 'chat' : record.endpoint;
  const startMs = record.time;
  const endMs = record.time + record.durationMs;
  return {
    request: requestSpan(record, chat, startMs, endMs),
    attempts: attemptTimes(record).map(([from, to], i) => attemptSpan(record, record.attempts[i], i, operation, clamp(from, startMs, endMs), clamp(to, startMs, endMs))),
  };
}

function requestSpan(r: RequestRecord, chat: boolean, startMs: number, endMs: number): SpanPlan {
  const a: Attributes = {
    [SWITCHYARD.requestId]: r.id,
    [SWITCHYARD.api]: r.api,
    [SWITCHYARD.endpoint]: r.endpoint,
    [SWITCHYARD.attemptCount]: r.attempts.length,
  };
  if (chat) a[GEN_AI.operationName] = 'chat';
  if (r.provider) Object.assign(a, providerAttributes(r.provider));
  if (r.requestedModel) a[GEN_AI.requestModel] = r.requestedModel;
  if (r.model) a[GEN_AI.responseModel] = r.model;
  if (chat) a[GEN_AI.requestStream] = r.stream;
  if (r.stopReason) a[GEN_AI.finishReasons] = [r.stopReason];
  if (r.usage) Object.assign(a, usageAttributes(r.usage));
  if (r.status > 0) a['http.response.status_code'] = r.status;
  if (r.client) a['user_agent.original'] = r.client;
  if (r.keyId) a[SWITCHYARD.keyId] = r.keyId;
  if (r.keyName) a[SWITCHYARD.keyName] = r.keyName;
  if (r.routing) {
    a[SWITCHYARD.routingKind] = r.routing.kind;
    if (r.routing.router) a[SWITCHYARD.router] = r.routing.router;
    if (r.routing.routeId) a[SWITCHYARD.route] = r.routing.routeId;
    if (r.routing.variantId) a[SWITCHYARD.variant] = r.routing.variantId;
  }
  if (r.costUsd !== null) a[SWITCHYARD.costUsd] = r.costUsd;
  if (r.overheadMs !== null) a[SWITCHYARD.overheadMs] = r.overheadMs;
  if (r.ttftMs !== null) a[SWITCHYARD.ttftMs] = r.ttftMs;
  if (r.generationMs !== null) a[SWITCHYARD.generationMs] = r.generationMs;
  const failed = r.errorClass !== null || r.status >= 400;
  if (failed) a['error.type'] = r.errorClass ?? String(r.status);
  const name = chat ? (r.requestedModel ? `chat ${r.requestedModel}` : 'chat') : r.endpoint;
  return { name, kind: 'server', startMs, endMs, attributes: a, error: failed ? statusMessage(r.error ?? r.errorClass ?? `HTTP ${r.status}`) : null };
}

function attemptSpan(r: RequestRecord, at: AttemptRecord, index: number, operation: string, startMs: number, endMs: number): SpanPlan {
  const a: Attributes = {
    [SWITCHYARD.requestId]: r.id,
    [SWITCHYARD.attemptIndex]: index,
    ...providerAttributes(at.provider),
    [GEN_AI.requestModel]: at.model,
    [SWITCHYARD.durationMs]: at.durationMs,
  };
  if (operation === 'chat') {
    a[GEN_AI.operationName] = 'chat';
    a[GEN_AI.requestStream] = r.stream;
  }
  if (at.success) a[GEN_AI.responseModel] = at.model;
  if (at.status !== null) a['http.response.status_code'] = at.status;
  if (at.ttftMs !== null) {
    a[SWITCHYARD.ttftMs] = at.ttftMs;
    // The convention defines it for streamed responses only, in seconds.
    if (r.stream) a[GEN_AI.timeToFirstChunk] = at.ttftMs / 1000;
  }
  if (at.keyId) a[SWITCHYARD.providerKeyId] = at.keyId;
  if (at.usage) Object.assign(a, usageAttributes(at.usage));
  if (at.costUsd !== undefined && at.costUsd !== null) a[SWITCHYARD.costUsd] = at.costUsd;
  if (!at.success) a['error.type'] = at.errorClass ?? (at.status !== null ? String(at.status) : '_OTHER');
  return {
    name: `${operation} ${at.model}`,
    kind: 'client',
    startMs,
    endMs,
    attributes: a,
    error: at.success ? null : statusMessage(at.error ?? at.errorClass ?? (at.status !== null ? `HTTP ${at.status}` : 'failed')),
  };
}

function providerAttributes(provider: string): Attributes {
  const name = genAiProviderName(provider);
  return { [GEN_AI.providerName]: name, [GEN_AI.system]: name, [SWITCHYARD.provider]: provider };
}

/**
 * `gen_ai.usage.input_tokens` counts every input token, cached ones included, as the GenAI convention asks; the
 * record's `input` is only the part billed at the plain input price, so cache reads and writes are added back. The
 * cache parts have their own GenAI attributes, and the plain part is kept as `switchyard.usage.input_uncached_tokens`.
 * `output_tokens` already includes reasoning (as the convention's reasoning attribute expects).
 */
function usageAttributes(u: TokenUsage): Attributes {
  const a: Attributes = {
    [GEN_AI.inputTokens]: u.input + u.cacheRead + u.cacheWrite,
    [GEN_AI.outputTokens]: u.output,
    [GEN_AI.cacheReadTokens]: u.cacheRead,
    [GEN_AI.cacheCreationTokens]: u.cacheWrite,
    [GEN_AI.reasoningTokens]: u.reasoning,
    [SWITCHYARD.inputUncachedTokens]: u.input,
  };
  if (u.cacheWrite1h) a[SWITCHYARD.cacheWrite1hTokens] = u.cacheWrite1h;
  return a;
}

/**
 * Each attempt's [start, end] in epoch ms. Records normally carry `startMs` (hedged attempts overlap); an attempt
 * without one is laid out right after the previous attempt, the first one after the router's overhead.
 */
function attemptTimes(r: RequestRecord): Array<[number, number]> {
  let previousEnd = r.overheadMs ?? 0;
  return r.attempts.map((at) => {
    const offset = at.startMs ?? previousEnd;
    previousEnd = offset + at.durationMs;
    return [r.time + offset, r.time + offset + at.durationMs];
  });
}

/**
 * Durations are measured and rounded separately for the request and each attempt, so an attempt can overshoot its
 * request by a fraction of a millisecond; a child span outside its parent confuses trace viewers.
 */
function clamp(ms: number, min: number, max: number): number {
  return Math.min(Math.max(ms, min), max);
}

function statusMessage(message: string): string {
  return message.length > MAX_STATUS_MESSAGE ? message.slice(0, MAX_STATUS_MESSAGE) + '…' : message;
}
