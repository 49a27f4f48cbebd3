import type { RequestContext } from '../ingress/context.js';
import type { Candidate } from '../routing/resolve.js';
import { Cancellation } from './cancel.js';

/**
 * What every executor sets up once per request: a signal that fires when the client leaves or the request's
 * deadline passes, the deadline itself, and the attempt chain capped by `max_attempts`.
 */
export function requestScope(ctx: RequestContext, candidates: Candidate[], defaults: { totalTimeoutMs: number; maxAttempts: number }) {
  const signal = new Cancellation();
  const totalMs = ctx.limits.totalMs ?? defaults.totalTimeoutMs;
  const timer = setTimeout(() => signal.abort(new DOMException('The request deadline passed', 'TimeoutError')), totalMs);
  timer.unref();
  ctx.res.once('close', () => {
    clearTimeout(timer);
    if (!ctx.res.writableFinished) signal.abort();
  });
  return {
    signal,
    deadline: performance.now() + totalMs,
    chain: candidates.slice(0, ctx.limits.maxAttempts ?? defaults.maxAttempts),
  };
}

/** The client's message when every candidate's circuit is open. */
export function circuitsOpenMessage(retryInMs: number): string {
  return `every provider for this request is failing right now (circuits open); retry in ${Math.ceil(retryInMs / 1000)} s`;
}
