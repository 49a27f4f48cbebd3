import type { LimitName } from './schema.js';

/** The limits in force for one key, after inheritance; an absent field is no limit. Budgets in USD. */
export interface ResolvedLimits {
  requests_per_minute?: number;
  tokens_per_minute?: number;
  concurrent_requests?: number;
  usd_per_day?: number;
  usd_per_month?: number;
}

/** USD are counted in whole nano-dollars so that reservations and settlements add up exactly. */
export const NANO_PER_USD = 1e9;

export function toNano(usd: number): number {
  return Number.isFinite(usd) && usd > 0 ? Math.round(usd * NANO_PER_USD) : 0;
}

/** The sliding window of the per-minute limits, in one-second buckets. */
export const WINDOW_SECONDS = 60;

/** What one request asks of its key's limits. */
export interface AdmitInput {
  /** The client key's id (stable across instances; never the key itself). */
  subject: string;
  limits: ResolvedLimits;
  /** Estimated tokens (prompt estimate); counted at admission against tokens_per_minute. */
  tokens: number;
  /** Estimated cost in nano-USD (prompt estimate + max output at the priciest candidate); reserved against budgets. */
  costNano: number;
  /** The budget periods of the request (UTC `YYYY-MM-DD` and `YYYY-MM`), fixed at admission. */
  day: string;
  month: string;
}

export type Refusal = {
  ok: false;
  limit: LimitName;
  /** Until when the limit refuses, ms from now; null for budgets (the caller knows the period's end). */
  retryAfterMs: number | null;
  /** The usage that refused it, in the limit's unit (requests, tokens, requests in progress, nano-USD). */
  used: number;
};

export type Admission = { ok: true; ticket: Ticket } | Refusal;

/** An admitted request's hold on its key's limits, released by `settle` exactly once. */
export interface Ticket {
  readonly id: string;
  readonly backend: 'local' | 'redis';
  readonly subject: string;
  readonly limits: ResolvedLimits;
  readonly tokens: number;
  readonly costNano: number;
  readonly day: string;
  readonly month: string;
  /** The window bucket (epoch second) the admission was counted in. */
  readonly bucket: number;
  settled: boolean;
}

/** The real consumption of a finished request. */
export interface Actual {
  tokens: number;
  costNano: number;
}

/**
 * Where the counters live: in this process (one instance, or while Redis is away) or in Redis (shared by every
 * instance). Admission is atomic per key: either every configured limit has room and each counts the request, or
 * nothing is counted and the first limit without room is named. A limit admits while its usage is below it, so a
 * budget can be overspent by at most the last admitted request's estimate (SPEC section 8; docs/configuration.md).
 */
export interface LimitBackend {
  readonly name: 'local' | 'redis';
  admit(input: AdmitInput): Promise<Admission>;
  /** Releases the concurrency slot and replaces the reservation by the real consumption. */
  settle(ticket: Ticket, actual: Actual): Promise<void>;
}

/** UTC day and month of an epoch time. */
export function periodsOf(nowMs: number): { day: string; month: string } {
  const iso = new Date(nowMs).toISOString();
  return { day: iso.slice(0, 10), month: iso.slice(0, 7) };
}

/** Ms from `nowMs` until the UTC day, or month, of `nowMs` ends. */
export function periodEndsIn(limit: 'usd_per_day' | 'usd_per_month', nowMs: number): number {
  const d = new Date(nowMs);
  const end = limit === 'usd_per_day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return end - nowMs;
}

/**
 * Ms until a sliding-window usage drops below `limit` as its oldest buckets leave the window. `buckets` are
 * [epoch second, amount]; `nowMs` the current time.
 */
export function windowWaitMs(buckets: Array<[number, number]>, used: number, limit: number, nowMs: number): number {
  buckets.sort((a, b) => a[0] - b[0]);
  let left = used;
  for (const [sec, n] of buckets) {
    left -= n;
    if (left < limit) return Math.max((sec + WINDOW_SECONDS) * 1000 - nowMs, 1);
  }
  return 1000;
}
