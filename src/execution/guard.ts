import { parseDuration } from '../util/duration.js';
import type { TimeoutsConfig } from '../config/index.js';

export type GuardReason = 'ttft_timeout' | 'idle_timeout' | 'attempt_timeout';

/** The timeouts that apply to one attempt: request > provider > global. */
export interface AttemptTimeouts {
  /** No first content event within this many ms (streams): the attempt fails over. */
  ttftMs?: number;
  /** No bytes from the upstream for this many ms during a stream. */
  idleMs?: number;
  /** The provider's own `timeouts.total`: the longest one attempt on it may take. */
  attemptMs?: number;
}

export const MIN_REQUEST_TTFT_MS = 300;

/** Reads `fallback.ttft_timeout` (SPEC section 5: minimum 300 ms); returns an error message when it is invalid. */
export function requestTtft(fallback: unknown): { ms?: number; error?: string } {
  if (!fallback || typeof fallback !== 'object') return {};
  const raw = (fallback as { ttft_timeout?: unknown }).ttft_timeout;
  if (raw === undefined) return {};
  try {
    const ms = parseDuration(raw as string | number);
    if (ms < MIN_REQUEST_TTFT_MS) return { error: `fallback.ttft_timeout must be at least ${MIN_REQUEST_TTFT_MS}ms` };
    return { ms };
  } catch (e) {
    return { error: `fallback.ttft_timeout: ${(e as Error).message}` };
  }
}

export function resolveTimeouts(global: TimeoutsConfig, provider: TimeoutsConfig, requestTtftMs?: number): AttemptTimeouts {
  return { ttftMs: requestTtftMs ?? provider.ttft ?? global.ttft, idleMs: provider.idle ?? global.idle, attemptMs: provider.total };
}

/**
 * Per-attempt cancellation: the request's own signal (client gone, overall deadline) plus the attempt's time to
 * first token and idle timers. Timers are armed only for streams, where "first token" is observable.
 */
export class AttemptGuard {
  private readonly controller = new AbortController();
  readonly signal: AbortSignal;
  reason: GuardReason | null = null;
  private ttftTimer: NodeJS.Timeout | undefined;
  private attemptTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private committed = false;

  constructor(
    parent: AbortSignal,
    private readonly timeouts: AttemptTimeouts,
    stream: boolean,
  ) {
    this.signal = AbortSignal.any([parent, this.controller.signal]);
    if (stream && timeouts.ttftMs) this.ttftTimer = setTimeout(() => this.fire('ttft_timeout'), timeouts.ttftMs);
    if (timeouts.attemptMs) this.attemptTimer = setTimeout(() => this.fire('attempt_timeout'), timeouts.attemptMs);
  }

  private fire(reason: GuardReason): void {
    if (this.reason) return;
    this.reason = reason;
    const what = reason === 'ttft_timeout' ? 'no first token in time' : reason === 'idle_timeout' ? 'the stream went idle' : 'the attempt took too long';
    this.controller.abort(Object.assign(new Error(what), { name: 'TimeoutError' }));
  }

  /** Bytes arrived from the upstream stream. */
  activity(): void {
    if (!this.timeouts.idleMs) return;
    if (this.idleTimer) this.idleTimer.refresh();
    else this.idleTimer = setTimeout(() => this.fire('idle_timeout'), this.timeouts.idleMs);
  }

  /** The first content event arrived: the time-to-first-token deadline no longer applies. */
  firstContent(): void {
    if (this.committed) return;
    this.committed = true;
    clearTimeout(this.ttftTimer);
  }

  dispose(): void {
    clearTimeout(this.ttftTimer);
    clearTimeout(this.attemptTimer);
    clearTimeout(this.idleTimer);
  }

  /** A message for a timeout this guard fired, naming the provider. */
  describe(provider: string): string | null {
    if (this.reason === 'ttft_timeout') return `provider ${provider} sent no first token within ${this.timeouts.ttftMs} ms`;
    if (this.reason === 'idle_timeout') return `provider ${provider} sent nothing for ${this.timeouts.idleMs} ms`;
    if (this.reason === 'attempt_timeout') return `provider ${provider} did not finish within its ${this.timeouts.attemptMs} ms limit`;
    return null;
  }
}

/** Reads `fallback.hedge_after` (e.g. "800ms"); returns an error message when it is invalid. */
export function requestHedge(fallback: unknown): { ms?: number; error?: string } {
  if (!fallback || typeof fallback !== 'object') return {};
  const raw = (fallback as { hedge_after?: unknown }).hedge_after;
  if (raw === undefined) return {};
  try {
    const ms = parseDuration(raw as string | number);
    if (ms < 50) return { error: 'fallback.hedge_after must be at least 50ms' };
    return { ms };
  } catch (e) {
    return { error: `fallback.hedge_after: ${(e as Error).message}` };
  }
}
