import type { Cancellation } from './cancel.js';

/** Longest `Retry-After` the router will wait out itself before retrying the same provider. */
export const MAX_RETRY_AFTER_MS = 30_000;

/** Seconds or an HTTP date → milliseconds from now; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | number | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : null;
  const v = (Array.isArray(value) ? value[0] : value).trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(at - now, 0);
}

/**
 * Whether to wait out a `Retry-After` and retry the same provider: only when no other candidate is left (moving on
 * is faster), the wait is short, and it fits in what remains of the request's deadline.
 */
export function shouldWait(waitMs: number | null, otherCandidatesLeft: boolean, deadlineLeftMs: number, alreadyWaited: boolean): boolean {
  return waitMs !== null && !otherCandidatesLeft && !alreadyWaited && waitMs <= MAX_RETRY_AFTER_MS && waitMs < deadlineLeftMs - 1000;
}

/** Waits `ms`, or less if `signal` aborts (at once if it already has); leaves no listener on the signal behind. */
export function sleep(ms: number, signal: Cancellation): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal.removeListener('abort', onAbort);
      resolve();
    }, ms);
    signal.once('abort', onAbort);
  });
}
