import type { Logger } from 'pino';
import type { LocalLimits } from './local.js';
import type { RedisLimits } from './redis.js';
import { BudgetSeeder, type RecordedSpend } from './seed.js';
import { LIMIT_NAMES, type KeyLimitsInput, type LimitName } from './schema.js';
import { NANO_PER_USD, periodEndsIn, periodsOf, toNano, type Actual, type Refusal, type ResolvedLimits, type Ticket } from './types.js';

/** What the limiter needs to know of an authenticated client key. */
export interface LimitedKey {
  id: string;
  name: string;
  /** Limits stored with the key (`client_keys.limits`: set through the CLI or API). */
  limits?: KeyLimitsInput | null;
}

export interface KeyLimiterOptions {
  /** `limits.default` of the config. */
  defaults?: KeyLimitsInput;
  /** `auth.keys` of the config: their `limits` apply to the key of that name. */
  configKeys?: ReadonlyArray<{ name: string; limits?: KeyLimitsInput }>;
  local: LocalLimits;
  /** The shared backend and whether Redis is reachable now; without it (or while it is down) limits are local. */
  shared?: { backend: RedisLimits; up: () => boolean; failed?: (err: Error) => void } | null;
  /** The store's record of each key's spend since a time: budget counters start from it (see BudgetSeeder). */
  recordedSpend?: RecordedSpend;
  log?: Logger;
  now?: () => number;
}

export type LimitDecision =
  | { ok: true; ticket: Ticket }
  | { ok: false; limit: LimitName; message: string; retryAfterSeconds: number };

function merge(into: Record<string, number | null | undefined>, from: KeyLimitsInput | null | undefined): void {
  if (!from) return;
  for (const name of LIMIT_NAMES) if (from[name] !== undefined) into[name] = from[name];
}

/**
 * Per-key limits (requests and tokens per minute, concurrent requests, USD per day and month). Resolves each key's
 * limits once (stored limits over the config key's over `limits.default`) and admits requests through the shared
 * Redis backend when it is reachable, the in-process one otherwise. A key without any limit costs one WeakMap lookup.
 */
export class KeyLimiter {
  private readonly defaults: KeyLimitsInput | undefined;
  private readonly byName = new Map<string, KeyLimitsInput>();
  private readonly resolved = new WeakMap<object, ResolvedLimits | null>();
  private readonly now: () => number;
  /** Refusals by limit since start (for /metrics). */
  readonly refusals = new Map<LimitName, number>();
  /** Admissions that fell back to local counters because Redis failed mid-call. */
  fallbacks = 0;

  private readonly seeder: BudgetSeeder | null;

  constructor(private readonly opts: KeyLimiterOptions) {
    this.seeder = opts.recordedSpend
      ? new BudgetSeeder(opts.recordedSpend, (err) => opts.log?.warn({ err: (err as Error).message }, 'could not read the recorded spend to start budget counters from'))
      : null;
    this.defaults = opts.defaults;
    for (const k of opts.configKeys ?? []) if (k.limits) this.byName.set(k.name, k.limits);
    this.now = opts.now ?? Date.now;
  }

  /** True when no key can have a limit unless one is stored with it. */
  get configured(): boolean {
    return this.defaults !== undefined || this.byName.size > 0;
  }

  /** The limits in force for a key; null when it has none (then nothing else is done for its requests). */
  limitsFor(key: LimitedKey): ResolvedLimits | null {
    const cached = this.resolved.get(key);
    if (cached !== undefined) return cached;
    const all: Record<string, number | null | undefined> = {};
    merge(all, this.defaults);
    merge(all, this.byName.get(key.name));
    merge(all, key.limits);
    const out: ResolvedLimits = {};
    let any = false;
    for (const name of LIMIT_NAMES) {
      const v = all[name];
      if (typeof v === 'number') {
        out[name] = v;
        any = true;
      }
    }
    const result = any ? out : null;
    this.resolved.set(key, result);
    return result;
  }

  /** Whether admission needs the request's token and cost estimate (it is not computed otherwise). */
  static needsEstimate(limits: ResolvedLimits): boolean {
    return limits.tokens_per_minute !== undefined || limits.usd_per_day !== undefined || limits.usd_per_month !== undefined;
  }

  async admit(key: LimitedKey, limits: ResolvedLimits, estimate: { tokens: number; costUsd: number }): Promise<LimitDecision> {
    const nowMs = this.now();
    const { day, month } = periodsOf(nowMs);
    const input = { subject: key.id, limits, tokens: Math.max(Math.round(estimate.tokens), 0), costNano: toNano(estimate.costUsd), day, month };
    let result;
    const shared = this.opts.shared;
    if (this.seeder && (limits.usd_per_day !== undefined || limits.usd_per_month !== undefined)) await this.seed(key.id, day, month, shared?.up() === true);
    if (shared && shared.up()) {
      try {
        result = await shared.backend.admit(input);
      } catch (err) {
        // Redis failed between the health check and the call: this request is counted locally.
        this.fallbacks++;
        shared.failed?.(err as Error);
        this.opts.log?.debug({ err }, 'limit check through Redis failed; counted locally');
        result = this.opts.local.admitSync(input);
      }
    } else {
      result = this.opts.local.admitSync(input);
    }
    if (result.ok) return result;
    this.refusals.set(result.limit, (this.refusals.get(result.limit) ?? 0) + 1);
    return refusal(key.name, limits, result, nowMs);
  }

  /** Redis is reachable again: it may have lost its data meanwhile, so its budget counters are seeded again. */
  sharedReconnected(): void {
    this.seeder?.forget('redis');
  }

  /** Before a key's first budget admission in a period (per backend): start its counters at the recorded spend. */
  private async seed(subject: string, day: string, month: string, useShared: boolean): Promise<void> {
    const seeder = this.seeder!;
    const backend = this.opts.shared?.backend;
    const local = this.opts.local;
    const scope = useShared ? 'redis' : 'local';
    const d = seeder.ensure(scope, subject, day, (nano) => (useShared ? backend!.seedBudget(subject, 'day', day, nano) : local.seedBudget(subject, 'day', day, nano)));
    const m = seeder.ensure(scope, subject, month, (nano) => (useShared ? backend!.seedBudget(subject, 'month', month, nano) : local.seedBudget(subject, 'month', month, nano)));
    if (d) await d;
    if (m) await m;
  }

  /** Settles a ticket with the finished request's real tokens and cost. Never throws: it runs after the response. */
  settle(ticket: Ticket, actual: { tokens: number; costUsd: number | null }): void {
    if (ticket.settled) return;
    // An unknown cost (no usage reported, unpriced model) keeps the reservation: the safe side of a budget.
    const a: Actual = { tokens: Math.max(Math.round(actual.tokens), 0), costNano: actual.costUsd === null ? ticket.costNano : toNano(actual.costUsd) };
    if (ticket.backend === 'local') {
      this.opts.local.settleSync(ticket, a);
      return;
    }
    this.opts.shared?.backend.settle(ticket, a).catch((err: unknown) => {
      // The concurrency lease then expires by itself; the reservation stays counted (the safe side).
      this.opts.log?.debug({ err }, 'could not settle a limit reservation in Redis');
    });
  }
}

function refusal(name: string, limits: ResolvedLimits, r: Refusal, nowMs: number): LimitDecision {
  const value = limits[r.limit] ?? 0;
  const waitMs = r.retryAfterMs ?? periodEndsIn(r.limit === 'usd_per_month' ? 'usd_per_month' : 'usd_per_day', nowMs);
  const retryAfterSeconds = Math.max(Math.ceil(waitMs / 1000), 1);
  let message: string;
  switch (r.limit) {
    case 'requests_per_minute':
      message = `Key '${name}' exceeded its limit of ${value.toLocaleString('en-US')} requests per minute; retry in ${humanDuration(waitMs)}.`;
      break;
    case 'tokens_per_minute':
      message = `Key '${name}' exceeded its limit of ${value.toLocaleString('en-US')} tokens per minute; retry in ${humanDuration(waitMs)}.`;
      break;
    case 'concurrent_requests':
      message = `Key '${name}' already has ${r.used} requests in progress, its limit of ${value} concurrent requests; retry when one finishes.`;
      break;
    case 'usd_per_day':
      message = `Key '${name}' exceeded its budget of ${usd(value)} per day (${usd(r.used / NANO_PER_USD)} spent or reserved); resets in ${humanDuration(waitMs)}.`;
      break;
    case 'usd_per_month':
      message = `Key '${name}' exceeded its budget of ${usd(value)} per month (${usd(r.used / NANO_PER_USD)} spent or reserved); resets in ${humanDuration(waitMs)}.`;
      break;
  }
  return { ok: false, limit: r.limit, message, retryAfterSeconds };
}

/** `$0.50`, `$12.00`, `$0.0042` (small amounts keep two significant digits). */
export function usd(v: number): string {
  if (v !== 0 && Math.abs(v) < 0.01) return `$${v.toPrecision(2)}`;
  return `$${v.toFixed(2)}`;
}

/** `42s`, `5m10s`, `3h12m`, `12d4h`: the two largest units. */
export function humanDuration(ms: number): string {
  let s = Math.max(Math.ceil(ms / 1000), 1);
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [u, size] of units) {
    if (s >= size || (parts.length === 0 && u === 's')) {
      const n = Math.floor(s / size);
      s -= n * size;
      parts.push(`${n}${u}`);
    } else if (parts.length > 0) {
      break;
    }
    if (parts.length === 2) break;
  }
  return parts.join('');
}
