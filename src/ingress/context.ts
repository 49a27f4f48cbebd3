import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthenticatedKey } from '../auth/index.js';
import type { AttemptRecord, RequestRecord, TokenUsage } from '../telemetry/record.js';
import { newRequestId } from '../util/ids.js';

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
    return {
      id: this.id,
      time: this.time,
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
      ttftMs: this.ttftMs === null ? null : round(this.ttftMs),
      overheadMs: this.overheadMs === null ? null : round(this.overheadMs),
      durationMs: round(this.elapsed()),
      attempts: this.attempts,
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
