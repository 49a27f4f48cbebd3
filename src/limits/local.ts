import { randomUUID } from 'node:crypto';
import { WINDOW_SECONDS, windowWaitMs, type Actual, type Admission, type AdmitInput, type LimitBackend, type Ticket } from './types.js';

/** A 60-second sliding window in one-second slots, reused as time goes round. */
class Window {
  private readonly secs = new Float64Array(WINDOW_SECONDS).fill(-1);
  private readonly amounts = new Float64Array(WINDOW_SECONDS);

  sum(sec: number): number {
    let total = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) if (this.secs[i] > sec - WINDOW_SECONDS) total += this.amounts[i];
    return total;
  }

  buckets(sec: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < WINDOW_SECONDS; i++) if (this.secs[i] > sec - WINDOW_SECONDS && this.amounts[i] !== 0) out.push([this.secs[i], this.amounts[i]]);
    return out;
  }

  add(sec: number, n: number): void {
    const i = sec % WINDOW_SECONDS;
    if (this.secs[i] !== sec) {
      this.secs[i] = sec;
      this.amounts[i] = 0;
    }
    this.amounts[i] += n;
  }

  /** Takes `n` back from a bucket still in the window (a reservation that turned out too large). */
  subtract(sec: number, n: number, now: number): void {
    const i = sec % WINDOW_SECONDS;
    if (this.secs[i] !== sec || sec <= now - WINDOW_SECONDS) return;
    this.amounts[i] = Math.max(this.amounts[i] - n, 0);
  }
}

interface Period {
  name: string;
  nano: number;
}

class Subject {
  readonly requests = new Window();
  readonly tokens = new Window();
  inFlight = 0;
  day: Period = { name: '', nano: 0 };
  month: Period = { name: '', nano: 0 };
  /** The period before the current one: a request admitted just before midnight settles against its own day. */
  prevDay: Period | null = null;
  prevMonth: Period | null = null;
}

/**
 * The limits in this process: one instance's own counters (`storage: sqlite`, no Redis), and every instance's
 * fallback while Redis is away. Admission runs synchronously, so it is atomic within the process.
 */
export class LocalLimits implements LimitBackend {
  readonly name = 'local' as const;
  private readonly subjects = new Map<string, Subject>();

  constructor(private readonly now: () => number = Date.now) {}

  admit(input: AdmitInput): Promise<Admission> {
    return Promise.resolve(this.admitSync(input));
  }

  admitSync(input: AdmitInput): Admission {
    const nowMs = this.now();
    const sec = Math.floor(nowMs / 1000);
    const s = this.subject(input.subject);
    const l = input.limits;
    if (l.requests_per_minute !== undefined) {
      const used = s.requests.sum(sec);
      if (used >= l.requests_per_minute) return { ok: false, limit: 'requests_per_minute', retryAfterMs: windowWaitMs(s.requests.buckets(sec), used, l.requests_per_minute, nowMs), used };
    }
    if (l.tokens_per_minute !== undefined) {
      const used = s.tokens.sum(sec);
      if (used >= l.tokens_per_minute) return { ok: false, limit: 'tokens_per_minute', retryAfterMs: windowWaitMs(s.tokens.buckets(sec), used, l.tokens_per_minute, nowMs), used };
    }
    if (l.concurrent_requests !== undefined && s.inFlight >= l.concurrent_requests) {
      return { ok: false, limit: 'concurrent_requests', retryAfterMs: 1000, used: s.inFlight };
    }
    const day = this.period(s, 'day', input.day);
    const month = this.period(s, 'month', input.month);
    if (l.usd_per_day !== undefined && day.nano >= Math.round(l.usd_per_day * 1e9)) return { ok: false, limit: 'usd_per_day', retryAfterMs: null, used: day.nano };
    if (l.usd_per_month !== undefined && month.nano >= Math.round(l.usd_per_month * 1e9)) return { ok: false, limit: 'usd_per_month', retryAfterMs: null, used: month.nano };
    if (l.requests_per_minute !== undefined) s.requests.add(sec, 1);
    if (l.tokens_per_minute !== undefined) s.tokens.add(sec, input.tokens);
    if (l.concurrent_requests !== undefined) s.inFlight++;
    if (l.usd_per_day !== undefined) day.nano += input.costNano;
    if (l.usd_per_month !== undefined) month.nano += input.costNano;
    const ticket: Ticket = { id: randomUUID(), backend: 'local', subject: input.subject, limits: l, tokens: input.tokens, costNano: input.costNano, day: input.day, month: input.month, bucket: sec, settled: false };
    return { ok: true, ticket };
  }

  settle(ticket: Ticket, actual: Actual): Promise<void> {
    this.settleSync(ticket, actual);
    return Promise.resolve();
  }

  settleSync(ticket: Ticket, actual: Actual): void {
    if (ticket.settled) return;
    ticket.settled = true;
    const nowMs = this.now();
    const sec = Math.floor(nowMs / 1000);
    const s = this.subject(ticket.subject);
    const l = ticket.limits;
    if (l.concurrent_requests !== undefined && s.inFlight > 0) s.inFlight--;
    if (l.tokens_per_minute !== undefined) {
      const delta = actual.tokens - ticket.tokens;
      // Tokens beyond the estimate were consumed now; an overestimate is handed back where it was counted.
      if (delta > 0) s.tokens.add(sec, delta);
      else if (delta < 0) s.tokens.subtract(ticket.bucket, -delta, sec);
    }
    const delta = actual.costNano - ticket.costNano;
    if (delta !== 0) {
      if (l.usd_per_day !== undefined) {
        const p = this.period(s, 'day', ticket.day);
        p.nano = Math.max(p.nano + delta, 0);
      }
      if (l.usd_per_month !== undefined) {
        const p = this.period(s, 'month', ticket.month);
        p.nano = Math.max(p.nano + delta, 0);
      }
    }
  }

  /** Starts a budget period's counter at the spend already recorded (before this process counted anything in it). */
  seedBudget(subject: string, kind: 'day' | 'month', period: string, nano: number): void {
    const p = this.period(this.subject(subject), kind, period);
    p.nano += Math.max(Math.round(nano), 0);
  }

  /** Current usage of a key (for tests and the portal): requests and tokens in the window, in flight, nano-USD spent. */
  usage(subject: string, day: string, month: string): { requests: number; tokens: number; inFlight: number; dayNano: number; monthNano: number } {
    const s = this.subjects.get(subject);
    const sec = Math.floor(this.now() / 1000);
    if (!s) return { requests: 0, tokens: 0, inFlight: 0, dayNano: 0, monthNano: 0 };
    return {
      requests: s.requests.sum(sec),
      tokens: s.tokens.sum(sec),
      inFlight: s.inFlight,
      dayNano: s.day.name === day ? s.day.nano : 0,
      monthNano: s.month.name === month ? s.month.nano : 0,
    };
  }

  /** Keys come from the store, so the map is bounded by the number of keys. */
  private subject(id: string): Subject {
    let s = this.subjects.get(id);
    if (!s) this.subjects.set(id, (s = new Subject()));
    return s;
  }

  /** The counter of a budget period; a new period starts at 0 and the one before it is kept for late settlements. */
  private period(s: Subject, kind: 'day' | 'month', name: string): Period {
    const current = kind === 'day' ? s.day : s.month;
    if (current.name === name) return current;
    const previous = kind === 'day' ? s.prevDay : s.prevMonth;
    if (previous && previous.name === name) return previous;
    const fresh = { name, nano: 0 };
    // Only a later period replaces the current one; a settlement for an older, forgotten one no longer matters.
    if (name < current.name) return fresh;
    if (kind === 'day') {
      s.prevDay = current.name === '' ? null : current;
      s.day = fresh;
    } else {
      s.prevMonth = current.name === '' ? null : current;
      s.month = fresh;
    }
    return fresh;
  }
}
