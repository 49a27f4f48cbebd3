import { isIP } from 'node:net';
import type { Services } from '../app-types.js';

export interface AuthThrottleOptions {
  /** Failed attempts an address may make in a burst; 0 turns the throttle off. */
  maxFailures: number;
  /** The time in which a full burst is earned back (the bucket refills at maxFailures per window). */
  windowMs: number;
  /** Addresses tracked at most; the least recently seen are forgotten first, so memory stays bounded. */
  maxTracked?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Slows down key guessing: each failed authentication from an address takes a token from that address's bucket, and
 * an address with an empty bucket is answered 429 (with `retry-after`) before its key is even looked at, so a valid
 * key does not tell a guesser it found one. Successes take nothing, and other addresses have their own buckets, so
 * one address guessing never locks out another. IPv6 clients are grouped by /64, the block one host usually has.
 */
export class AuthThrottle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxTracked: number;
  private readonly now: () => number;

  constructor(private readonly opts: AuthThrottleOptions) {
    this.maxTracked = opts.maxTracked ?? 50_000;
    this.now = opts.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.opts.maxFailures > 0;
  }

  /** Entries currently held (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private refill(b: Bucket, now: number): void {
    const rate = this.opts.maxFailures / this.opts.windowMs;
    b.tokens = Math.min(this.opts.maxFailures, b.tokens + (now - b.at) * rate);
    b.at = now;
  }

  /** Milliseconds until this address may try again; 0 when it may now. */
  blockedFor(address: string | undefined): number {
    if (!this.enabled) return 0;
    const key = clientKey(address);
    const b = this.buckets.get(key);
    if (!b) return 0;
    const now = this.now();
    this.refill(b, now);
    if (b.tokens >= 1) return 0;
    return Math.ceil((1 - b.tokens) / (this.opts.maxFailures / this.opts.windowMs));
  }

  /** Notes one failed authentication from this address. */
  fail(address: string | undefined): void {
    if (!this.enabled) return;
    const key = clientKey(address);
    const now = this.now();
    let b = this.buckets.get(key);
    if (b) {
      this.refill(b, now);
      // Re-inserted so the Map's order stays least recently seen first.
      this.buckets.delete(key);
    } else b = { tokens: this.opts.maxFailures, at: now };
    b.tokens = Math.max(0, b.tokens - 1);
    this.buckets.set(key, b);
    while (this.buckets.size > this.maxTracked) this.buckets.delete(this.buckets.keys().next().value!);
  }
}

/** The address a bucket belongs to: IPv4 (also when IPv4-mapped), or an IPv6 address's /64. */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (isIP(address) !== 6) return address;
  const [head, tail = ''] = address.split('%')[0].toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

const throttles = new WeakMap<Services, AuthThrottle>();

/** The router's throttle, made on first use from `auth.failure_throttle`. */
export function authThrottle(svc: Services): AuthThrottle {
  let t = throttles.get(svc);
  if (!t) {
    const cfg = svc.config.auth.failure_throttle;
    t = new AuthThrottle({ maxFailures: cfg.max_failures, windowMs: cfg.window });
    throttles.set(svc, t);
  }
  return t;
}
