import type { RequestContext } from '../ingress/context.js';
import type { Candidate } from '../routing/resolve.js';

/**
 * What every executor sets up once per request: a signal that fires when the client leaves or the request's
 * deadline passes, the deadline itself, and the attempt chain capped by `max_attempts`.
 */
export function requestScope(ctx: RequestContext, candidates: Candidate[], defaults: { totalTimeoutMs: number; maxAttempts: number }) {
  const clientGone = new AbortController();
  const totalMs = ctx.limits.totalMs ?? defaults.totalTimeoutMs;
  // Not AbortSignal.timeout(): AbortSignal.any() holds its sources weakly, so an otherwise unreferenced timeout signal
  // can be garbage-collected (its timer cleared) and the deadline would never fire. The timer holds this one.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException('The request deadline passed', 'TimeoutError')), totalMs);
  timer.unref();
  ctx.res.once('close', () => {
    clearTimeout(timer);
    if (!ctx.res.writableFinished) clientGone.abort();
  });
  return {
    signal: AbortSignal.any([clientGone.signal, deadline.signal]),
    deadline: performance.now() + totalMs,
    chain: candidates.slice(0, ctx.limits.maxAttempts ?? defaults.maxAttempts),
  };
}

/** The client's message when every candidate's circuit is open. */
export function circuitsOpenMessage(retryInMs: number): string {
  return `every provider for this request is failing right now (circuits open); retry in ${Math.ceil(retryInMs / 1000)} s`;
}
