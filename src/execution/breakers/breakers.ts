/**
 * Circuit breakers per (provider, model, key). Pure synchronous state machine on the request path: no timers,
 * no I/O, no allocation per call beyond a key's first-seen entry (and a refusal object when a call is refused).
 * Open → half-open happens lazily, when the breaker is next looked at after its cool-down. See README.md.
 */

export interface BreakerPolicy {
  /** Open after this many consecutive failures (default 5). */
  consecutiveFailures: number;
  /** Or open when the failure ratio in the window exceeds this (default 0.5) ... */
  errorRate: number;
  /** ... and at least this many verdicts (successes + failures) were seen in the window (default 20). */
  minRequests: number;
  /** Sliding window for the error rate, kept as WINDOW_BUCKETS time buckets (default 60_000). */
  windowMs: number;
  /** Open → half-open after this (default 30_000); doubles per consecutive re-open, up to maxCooldownMs. */
  cooldownMs: number;
  /** Default 300_000. */
  maxCooldownMs: number;
  /** Concurrent probe requests allowed while half-open (default 1). */
  halfOpenProbes: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerKey {
  provider: string;
  model: string;
  /** A key id or index, never the secret. */
  key: string;
}

export type AcquireResult = { allowed: true; probe: boolean } | { allowed: false; retryInMs: number; state: 'open' | 'half_open' };

export interface BreakerSnapshot {
  provider: string;
  model: string;
  key: string;
  state: BreakerState;
  consecutiveFailures: number;
  windowRequests: number;
  windowFailures: number;
  /** When the breaker last opened; null while closed. Kept through half-open. */
  openedAt: number | null;
  /** When an open breaker turns half-open; null unless open. */
  retryAt: number | null;
  /** Reason of the last transition (null if it never changed state). */
  lastReason: string | null;
  /** Probe tickets granted and not yet settled. */
  probesInFlight: number;
}

export type BreakerChangeListener = (key: BreakerKey, from: BreakerState, to: BreakerState, reason: string) => void;

export interface CircuitBreakersOptions {
  /** Clock in epoch milliseconds (default Date.now). */
  now?: () => number;
  /** Called once per state transition, after the transition is complete. Exceptions are swallowed. */
  onChange?: BreakerChangeListener;
}

export const DEFAULT_BREAKER_POLICY: Readonly<BreakerPolicy> = Object.freeze({
  consecutiveFailures: 5,
  errorRate: 0.5,
  minRequests: 20,
  windowMs: 60_000,
  cooldownMs: 30_000,
  maxCooldownMs: 300_000,
  halfOpenProbes: 1,
});

/** Number of time buckets the error-rate window is divided into. */
export const WINDOW_BUCKETS = 10;

/** Reason passed to onChange for transitions applied by applyRemote (so a publisher can avoid echoing them). */
export const REMOTE_REASON = 'remote';

/** Merges and validates a partial policy; throws RangeError on a nonsensical value. */
export function resolveBreakerPolicy(policy: Partial<BreakerPolicy> = {}): BreakerPolicy {
  const p: BreakerPolicy = { ...DEFAULT_BREAKER_POLICY };
  for (const k of Object.keys(DEFAULT_BREAKER_POLICY) as Array<keyof BreakerPolicy>) {
    const v = policy[k];
    if (v !== undefined) p[k] = v;
  }
  const bad = (name: keyof BreakerPolicy, why: string): never => {
    throw new RangeError(`breaker policy ${name}=${String(p[name])}: ${why}`);
  };
  // Infinity is allowed where it means "rule disabled".
  if (!(p.consecutiveFailures >= 1)) bad('consecutiveFailures', 'must be >= 1 (Infinity disables the rule)');
  if (!(p.errorRate >= 0 && p.errorRate <= 1)) bad('errorRate', 'must be within [0, 1] (1 disables the rule)');
  if (!(p.minRequests >= 1)) bad('minRequests', 'must be >= 1');
  if (!(p.windowMs > 0 && Number.isFinite(p.windowMs))) bad('windowMs', 'must be a finite number > 0');
  if (!(p.cooldownMs >= 0 && Number.isFinite(p.cooldownMs))) bad('cooldownMs', 'must be a finite number >= 0');
  if (!(p.maxCooldownMs >= p.cooldownMs && Number.isFinite(p.maxCooldownMs))) bad('maxCooldownMs', 'must be finite and >= cooldownMs');
  if (!(Number.isInteger(p.halfOpenProbes) && p.halfOpenProbes >= 1)) bad('halfOpenProbes', 'must be an integer >= 1');
  return p;
}

const ALLOW: AcquireResult = Object.freeze({ allowed: true, probe: false }) as AcquireResult;
const ALLOW_PROBE: AcquireResult = Object.freeze({ allowed: true, probe: true }) as AcquireResult;

class Entry {
  state: BreakerState = 'closed';
  consecutive = 0;
  probes = 0;
  openedAt: number | null = null;
  retryAt = 0;
  /** Cool-down of the current / last open period. */
  cooldown: number;
  lastReason: string | null = null;
  readonly epochs = new Float64Array(WINDOW_BUCKETS).fill(Number.NaN);
  readonly requests = new Uint32Array(WINDOW_BUCKETS);
  readonly failures = new Uint32Array(WINDOW_BUCKETS);

  constructor(readonly id: Readonly<BreakerKey>, baseCooldown: number) {
    this.cooldown = baseCooldown;
  }
}

export class CircuitBreakers {
  readonly policy: Readonly<BreakerPolicy>;
  private readonly now: () => number;
  private readonly onChange: BreakerChangeListener | undefined;
  private readonly bucketMs: number;
  /** provider → model → key → entry: lookups allocate nothing (no composite string key). */
  private readonly entries = new Map<string, Map<string, Map<string, Entry>>>();
  // Scratch outputs of sumWindow (avoids returning a tuple).
  private sumRequests = 0;
  private sumFailures = 0;

  constructor(policy?: Partial<BreakerPolicy>, opts: CircuitBreakersOptions = {}) {
    this.policy = Object.freeze(resolveBreakerPolicy(policy));
    this.now = opts.now ?? Date.now;
    this.onChange = opts.onChange;
    this.bucketMs = this.policy.windowMs / WINDOW_BUCKETS;
  }

  /**
   * May a request be sent now? Closed: yes. Open: no, until the cool-down has elapsed, then it turns half-open.
   * Half-open: grants at most halfOpenProbes concurrent probes (`probe: true`); the caller must settle each with
   * exactly one of success / failure / release, passing the same `probe` flag back.
   */
  acquire(k: BreakerKey): AcquireResult {
    const e = this.find(k);
    if (e === undefined || e.state === 'closed') return ALLOW;
    if (e.state === 'open') {
      const now = this.now();
      if (now < e.retryAt) return { allowed: false, retryInMs: e.retryAt - now, state: 'open' };
      this.toHalfOpen(e, 'cooldown elapsed');
    }
    if (e.probes < this.policy.halfOpenProbes) {
      e.probes++;
      return ALLOW_PROBE;
    }
    // All probe slots taken: the probes' verdicts decide; the cool-down is the best estimate we have.
    return { allowed: false, retryInMs: Math.max(e.cooldown, 1), state: 'half_open' };
  }

  /** A verdict of success. A probe success while half-open closes the breaker; any success resets the consecutive count. */
  success(k: BreakerKey, probe: boolean): void {
    const now = this.now();
    const e = this.obtain(k);
    if (probe && e.probes > 0) e.probes--;
    this.record(e, now, false);
    e.consecutive = 0;
    if (probe && e.state === 'half_open') this.toClosed(e, 'probe succeeded');
  }

  /**
   * A failover-worthy failure (5xx, 429, timeouts, connection errors, upstream 401/403 — not the caller's own 4xx).
   * `kind` is a short label that ends up in the transition reason.
   */
  failure(k: BreakerKey, probe: boolean, kind: string): void {
    const now = this.now();
    const e = this.obtain(k);
    if (probe && e.probes > 0) e.probes--;
    this.record(e, now, true);
    e.consecutive++;
    if (e.state === 'closed') {
      const p = this.policy;
      if (e.consecutive >= p.consecutiveFailures) {
        this.toOpen(e, now, false, `${e.consecutive} consecutive failures (last: ${kind})`);
        return;
      }
      this.sumWindow(e, now);
      if (this.sumRequests >= p.minRequests && this.sumFailures / this.sumRequests > p.errorRate) {
        this.toOpen(e, now, false, `error rate ${this.sumFailures}/${this.sumRequests} in window (last: ${kind})`);
      }
    } else if (probe && e.state === 'half_open') {
      this.toOpen(e, now, true, `probe failed: ${kind}`);
    }
    // Otherwise (open, or a stale non-probe verdict while half-open): counted, no transition.
  }

  /** The attempt was abandoned without a verdict (client closed, hedged loser): frees a probe slot, counts nothing. */
  release(k: BreakerKey, probe: boolean): void {
    if (!probe) return;
    const e = this.find(k);
    if (e !== undefined && e.probes > 0) e.probes--;
  }

  state(k: BreakerKey): BreakerState {
    const e = this.find(k);
    if (e === undefined) return 'closed';
    this.advance(e);
    return e.state;
  }

  /** When an open breaker turns half-open; null unless open. Does not advance the state (safe inside onChange). */
  retryAt(k: BreakerKey): number | null {
    const e = this.find(k);
    return e !== undefined && e.state === 'open' ? e.retryAt : null;
  }

  snapshot(): BreakerSnapshot[] {
    const out: BreakerSnapshot[] = [];
    const now = this.now();
    for (const models of this.entries.values()) {
      for (const keys of models.values()) {
        for (const e of keys.values()) {
          this.advance(e, now);
          this.sumWindow(e, now);
          out.push({
            provider: e.id.provider,
            model: e.id.model,
            key: e.id.key,
            state: e.state,
            consecutiveFailures: e.consecutive,
            windowRequests: this.sumRequests,
            windowFailures: this.sumFailures,
            openedAt: e.openedAt,
            retryAt: e.state === 'open' ? e.retryAt : null,
            lastReason: e.lastReason,
            probesInFlight: e.probes,
          });
        }
      }
    }
    return out;
  }

  /**
   * Apply a state change made elsewhere (another instance, via Redis later). onChange fires with reason 'remote'.
   * open: retryAt (default now + the local cool-down); a remote open from half-open counts as a re-open for the
   * local cool-down growth. closed: resets counters and the window. half_open: probes are granted from now on.
   * Outstanding probe tickets stay counted whatever the state.
   */
  applyRemote(k: BreakerKey, state: BreakerState, retryAt: number | null): void {
    const now = this.now();
    const e = this.obtain(k);
    if (state === 'closed') {
      this.toClosed(e, REMOTE_REASON);
    } else if (state === 'open') {
      if (e.state === 'open') {
        if (retryAt !== null) e.retryAt = retryAt;
        return;
      }
      this.toOpen(e, now, e.state === 'half_open', REMOTE_REASON, retryAt);
    } else {
      if (e.openedAt === null) e.openedAt = now;
      this.toHalfOpen(e, REMOTE_REASON);
    }
  }

  // ---- internals ----

  private find(k: BreakerKey): Entry | undefined {
    return this.entries.get(k.provider)?.get(k.model)?.get(k.key);
  }

  private obtain(k: BreakerKey): Entry {
    let models = this.entries.get(k.provider);
    if (models === undefined) this.entries.set(k.provider, (models = new Map()));
    let keys = models.get(k.model);
    if (keys === undefined) models.set(k.model, (keys = new Map()));
    let e = keys.get(k.key);
    if (e === undefined) {
      e = new Entry(Object.freeze({ provider: k.provider, model: k.model, key: k.key }), this.policy.cooldownMs);
      keys.set(k.key, e);
    }
    return e;
  }

  /** Lazy open → half-open once the cool-down has elapsed. */
  private advance(e: Entry, now?: number): void {
    if (e.state === 'open' && (now ?? this.now()) >= e.retryAt) this.toHalfOpen(e, 'cooldown elapsed');
  }

  private record(e: Entry, now: number, failed: boolean): void {
    const epoch = Math.floor(now / this.bucketMs);
    const i = ((epoch % WINDOW_BUCKETS) + WINDOW_BUCKETS) % WINDOW_BUCKETS;
    if (e.epochs[i] !== epoch) {
      e.epochs[i] = epoch;
      e.requests[i] = 0;
      e.failures[i] = 0;
    }
    e.requests[i]++;
    if (failed) e.failures[i]++;
  }

  /** Totals over the buckets of the current window (the current bucket and the WINDOW_BUCKETS - 1 before it). */
  private sumWindow(e: Entry, now: number): void {
    const epoch = Math.floor(now / this.bucketMs);
    let req = 0;
    let fail = 0;
    for (let i = 0; i < WINDOW_BUCKETS; i++) {
      const age = epoch - e.epochs[i];
      if (age >= 0 && age < WINDOW_BUCKETS) {
        req += e.requests[i];
        fail += e.failures[i];
      }
    }
    this.sumRequests = req;
    this.sumFailures = fail;
  }

  private toOpen(e: Entry, now: number, reopen: boolean, reason: string, retryAt: number | null = null): void {
    e.cooldown = reopen ? Math.min(e.cooldown * 2, this.policy.maxCooldownMs) : this.policy.cooldownMs;
    e.openedAt = now;
    e.retryAt = retryAt ?? now + e.cooldown;
    this.transition(e, 'open', reason);
  }

  private toHalfOpen(e: Entry, reason: string): void {
    if (e.state === 'half_open') return;
    this.transition(e, 'half_open', reason);
  }

  private toClosed(e: Entry, reason: string): void {
    if (e.state === 'closed') return;
    e.consecutive = 0;
    e.cooldown = this.policy.cooldownMs;
    e.openedAt = null;
    e.epochs.fill(Number.NaN);
    this.transition(e, 'closed', reason);
  }

  private transition(e: Entry, to: BreakerState, reason: string): void {
    const from = e.state;
    e.state = to;
    e.lastReason = reason;
    if (this.onChange === undefined) return;
    try {
      this.onChange(e.id, from, to, reason);
    } catch {
      // A telemetry listener must never fail the request path.
    }
  }
}
