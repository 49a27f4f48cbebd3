import { parseDuration } from '../util/duration.js';
import type { TimeoutsConfig } from '../config/index.js';
import { Cancellation } from './cancel.js';

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

function durationField(fallback: Record<string, unknown>, name: string, minMs: number): { ms?: number; error?: string } {
  const raw = fallback[name];
  if (raw === undefined) return {};
  try {
    const ms = parseDuration(raw as string | number);
    if (ms < minMs) return { error: `fallback.${name} must be at least ${minMs}ms` };
    return { ms };
  } catch (e) {
    return { error: `fallback.${name}: ${(e as Error).message}` };
  }
}

/**
 * Reads the request's `fallback` object (SPEC sections 5 and 6): `ttft_timeout` (minimum 300 ms), `idle_timeout`,
 * `timeout` (the whole request), `max_attempts` and `hedge_after`. Returns an error message naming the field when
 * one is invalid.
 */
export function requestFallback(fallback: unknown): { limits: { ttftMs?: number; idleMs?: number; totalMs?: number; maxAttempts?: number }; hedgeMs?: number; error?: string } {
  if (!fallback || typeof fallback !== 'object') return { limits: {} };
  const f = fallback as Record<string, unknown>;
  const ttft = durationField(f, 'ttft_timeout', MIN_REQUEST_TTFT_MS);
  const idle = durationField(f, 'idle_timeout', 100);
  const total = durationField(f, 'timeout', 100);
  const hedge = durationField(f, 'hedge_after', 50);
  const error = ttft.error ?? idle.error ?? total.error ?? hedge.error;
  let maxAttempts: number | undefined;
  if (f.max_attempts !== undefined) {
    if (!Number.isInteger(f.max_attempts) || (f.max_attempts as number) < 1 || (f.max_attempts as number) > 20) return { limits: {}, error: 'fallback.max_attempts must be an integer from 1 to 20' };
    maxAttempts = f.max_attempts as number;
  }
  if (error) return { limits: {}, error };
  return { limits: { ttftMs: ttft.ms, idleMs: idle.ms, totalMs: total.ms, maxAttempts }, hedgeMs: hedge.ms };
}

export function resolveTimeouts(global: TimeoutsConfig, provider: TimeoutsConfig, request: { ttftMs?: number; idleMs?: number } = {}): AttemptTimeouts {
  return { ttftMs: request.ttftMs ?? provider.ttft ?? global.ttft, idleMs: request.idleMs ?? provider.idle ?? global.idle, attemptMs: provider.total };
}

/**
 * Per-attempt cancellation: the request's own signal (client gone, overall deadline) plus the attempt's time to
 * first token and idle timers. Timers are armed only for streams, where "first token" is observable.
 */
export class AttemptGuard {
  readonly signal = new Cancellation();
  private readonly unfollow: () => void;
  reason: GuardReason | null = null;
  private ttftTimer: NodeJS.Timeout | undefined;
  private attemptTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private committed = false;

  constructor(
    parents: Cancellation[],
    private readonly timeouts: AttemptTimeouts,
    stream: boolean,
  ) {
    this.unfollow = this.signal.follow(parents);
    if (stream && timeouts.ttftMs) this.ttftTimer = setTimeout(() => this.fire('ttft_timeout'), timeouts.ttftMs);
    if (timeouts.attemptMs) this.attemptTimer = setTimeout(() => this.fire('attempt_timeout'), timeouts.attemptMs);
  }

  private fire(reason: GuardReason): void {
    if (this.reason) return;
    this.reason = reason;
    const what = reason === 'ttft_timeout' ? 'no first token in time' : reason === 'idle_timeout' ? 'the stream went idle' : 'the attempt took too long';
    this.signal.abort(Object.assign(new Error(what), { name: 'TimeoutError' }));
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
    this.unfollow();
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
