import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthenticatedKey } from '../auth/index.js';
import type { RoutingPlan } from '../routing/plan.js';
import type { Candidate } from '../routing/resolve.js';
import type { AttemptRecord, RequestRecord, TokenUsage } from '../telemetry/record.js';
import { newRequestId } from '../util/ids.js';
import type { Ticket } from '../limits/index.js';
import { decisionFromCandidates, decisionFromPlan } from './decision.js';
import { recordMetadata } from './record-metadata.js';

export type ApiSurface = 'anthropic' | 'openai';

/** Per-request overrides of the failover settings, from the request's `fallback` object. */
export interface RequestLimits {
  ttftMs?: number;
  idleMs?: number;
  totalMs?: number;
  maxAttempts?: number;
}

/** Per-request state shared by ingress, routing and execution; becomes the request's record at the end. */
export class RequestContext {
  readonly id = newRequestId();
  readonly time = Date.now();
  readonly start = performance.now();
  key: AuthenticatedKey | null = null;
  requestedModel: string | null = null;
  model: string | null = null;
  provider: string | null = null;
  stream = false;
  status = 0;
  errorClass: string | null = null;
  error: string | null = null;
  stopReason: string | null = null;
  usage: TokenUsage | null = null;
  ttftMs: number | null = null;
  /** Router time before the first upstream request was sent. */
  overheadMs: number | null = null;
  attempts: AttemptRecord[] = [];
  /** The request's own limits from `fallback` (SPEC section 6: configurable per request). */
  limits: RequestLimits = {};
  /** Start the next candidate in parallel when the first has no first token after this many ms (`fallback.hedge_after`). */
  hedgeAfterMs: number | null = null;
  /** The routing decision, when a router or `auto` chose the model (for `metadata` and the record). */
  routing: { router: string | null; routeId: string | null; variantId: string | null; reasoning: string | null } | null = null;
  /**
   * What routing decided, kept by reference and turned into the record's decision only in `finish()`, after the
   * response, so the passthrough path allocates nothing for it.
   */
  plan: RoutingPlan | null = null;
  candidates: Candidate[] | null = null;
  hasFallbackModels = false;
  /** The request's `metadata` / `extra_body.metadata` value, read into the record in `finish()`. */
  metadataSource: unknown = undefined;
  /** Anthropic `metadata.user_id` / OpenAI `user`. */
  userId: string | null = null;
  /** The caller's body and, when bodies are captured, the response bytes (see telemetry.records.bodies). */
  requestBody: Buffer | null = null;
  /** This request's hold on its key's limits (src/limits), settled with the real cost when it is recorded. */
  limitTicket: Ticket | null = null;
  responseChunks: Buffer[] | null = null;
  private finished = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly api: ApiSurface,
    readonly endpoint: string,
  ) {}

  elapsed(): number {
    return performance.now() - this.start;
  }

  fail(status: number, errorClass: string, message: string): void {
    this.status = status;
    this.errorClass = errorClass;
    this.error = message;
  }

  /** Returns the record once; later calls return null so a request is never recorded twice. */
  finish(): RequestRecord | null {
    if (this.finished) return null;
    this.finished = true;
    const ua = this.req.headers['user-agent'];
    const durationMs = round(this.elapsed());
    let previousEnd = this.overheadMs ?? 0;
    for (const a of this.attempts) {
      if (a.success && a.usage === undefined) a.usage = this.usage;
      // Attempts that never opened a gate (circuit open) happened right after the one before them.
      a.startMs ??= round(previousEnd);
      a.keyId ??= null;
      previousEnd = a.startMs + a.durationMs;
    }
    const answered = this.attempts.findLast((a) => a.success);
    const firstTokenAt = answered && answered.startMs !== undefined && answered.ttftMs !== null ? answered.startMs + answered.ttftMs : null;
    return {
      id: this.id,
      time: this.time,
      keyId: this.key?.id ?? null,
      keyName: this.key?.name ?? null,
      api: this.api,
      endpoint: this.endpoint,
      client: typeof ua === 'string' ? ua.slice(0, 200) : null,
      requestedModel: this.requestedModel,
      model: this.model,
      provider: this.provider,
      status: this.status,
      errorClass: this.errorClass,
      error: this.error,
      stream: this.stream,
      stopReason: this.stopReason,
      usage: this.usage,
      costUsd: null,
      ttftMs: this.ttftMs === null ? null : round(this.ttftMs),
      overheadMs: this.overheadMs === null ? null : round(this.overheadMs),
      generationMs: firstTokenAt === null ? null : round(Math.max(durationMs - firstTokenAt, 0)),
      durationMs,
      attempts: this.attempts,
      routing: this.plan ? decisionFromPlan(this.plan, this.hasFallbackModels) : this.candidates ? decisionFromCandidates(this.candidates) : null,
      metadata: recordMetadata(this.req.headers, this.metadataSource, this.userId),
      bodies: null,
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
