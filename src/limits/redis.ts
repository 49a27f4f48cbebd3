import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LimitName } from './schema.js';
import { toNano, WINDOW_SECONDS, type Actual, type Admission, type AdmitInput, type LimitBackend, type Ticket } from './types.js';

/**
 * Admission, all limits of one key in one atomic step. Time is Redis's own (TIME), so instances with skewed clocks
 * share one window. Per-minute limits are sliding windows of one-second buckets in a hash (field = epoch second);
 * concurrency is a sorted set of tickets scored by lease expiry; budgets are nano-USD counters per UTC day / month.
 * A limit of 0 is "not configured". Amounts go to Redis as the ARGV strings the caller sent (never through a Lua
 * number), so large integers are not reformatted in exponent notation.
 *
 * KEYS: requests hash, tokens hash, concurrency zset, day counter, month counter
 * ARGV: rpm, tpm, concurrency, day nano, month nano, est tokens, est nano, ticket, lease ms, day ttl s, month ttl s
 * Returns {1, bucket second} or {0, limit name, wait ms (-1: until the period ends), usage}.
 */
const ADMIT = `
local t = redis.call('TIME')
local sec = tonumber(t[1])
local nowms = sec * 1000 + math.floor(tonumber(t[2]) / 1000)
local W = ${WINDOW_SECONDS}

local function window(key)
  local flat = redis.call('HGETALL', key)
  local sum, buckets, stale = 0, {}, {}
  for i = 1, #flat, 2 do
    local s, n = tonumber(flat[i]), tonumber(flat[i + 1])
    if s <= sec - W then stale[#stale + 1] = flat[i] else sum = sum + n; buckets[#buckets + 1] = {s, n} end
  end
  if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
  return sum, buckets
end

local function wait(buckets, used, limit)
  table.sort(buckets, function(a, b) return a[1] < b[1] end)
  local left = used
  for _, b in ipairs(buckets) do
    left = left - b[2]
    if left < limit then return math.max((b[1] + W) * 1000 - nowms, 1) end
  end
  return 1000
end

local rpm, tpm, conc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local day, month = tonumber(ARGV[4]), tonumber(ARGV[5])
local lease = tonumber(ARGV[9])

if rpm > 0 then
  local used, b = window(KEYS[1])
  if used >= rpm then return {0, 'requests_per_minute', wait(b, used, rpm), used} end
end
if tpm > 0 then
  local used, b = window(KEYS[2])
  if used >= tpm then return {0, 'tokens_per_minute', wait(b, used, tpm), used} end
end
if conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowms)
  local n = redis.call('ZCARD', KEYS[3])
  if n >= conc then return {0, 'concurrent_requests', 1000, n} end
end
if day > 0 then
  local used = tonumber(redis.call('GET', KEYS[4]) or '0')
  if used >= day then return {0, 'usd_per_day', -1, used} end
end
if month > 0 then
  local used = tonumber(redis.call('GET', KEYS[5]) or '0')
  if used >= month then return {0, 'usd_per_month', -1, used} end
end

if rpm > 0 then redis.call('HINCRBY', KEYS[1], sec, 1); redis.call('EXPIRE', KEYS[1], W + 5) end
if tpm > 0 then redis.call('HINCRBY', KEYS[2], sec, ARGV[6]); redis.call('EXPIRE', KEYS[2], W + 5) end
if conc > 0 then redis.call('ZADD', KEYS[3], nowms + lease, ARGV[8]); redis.call('PEXPIRE', KEYS[3], lease * 2) end
if day > 0 then redis.call('INCRBY', KEYS[4], ARGV[7]); redis.call('EXPIRE', KEYS[4], ARGV[10]) end
if month > 0 then redis.call('INCRBY', KEYS[5], ARGV[7]); redis.call('EXPIRE', KEYS[5], ARGV[11]) end
return {1, sec}
`;

/**
 * Settlement: frees the concurrency slot and replaces the reservation by the real consumption (counters never go
 * below zero). Tokens beyond the estimate count in the current second; an overestimate is taken back from the
 * admission's bucket while it is still in the window.
 *
 * KEYS: tokens hash, concurrency zset, day counter, month counter
 * ARGV: ticket, admission bucket, token delta, nano delta, flags "TCDM" (1/0 each: tokens, concurrency, day, month),
 *       day ttl s, month ttl s
 */
const SETTLE = `
local sec = tonumber(redis.call('TIME')[1])
local f = ARGV[5]
if string.sub(f, 2, 2) == '1' then redis.call('ZREM', KEYS[2], ARGV[1]) end
local dt = tonumber(ARGV[3])
if string.sub(f, 1, 1) == '1' and dt ~= 0 then
  if dt > 0 then
    redis.call('HINCRBY', KEYS[1], sec, ARGV[3])
    redis.call('EXPIRE', KEYS[1], ${WINDOW_SECONDS} + 5)
  elseif tonumber(ARGV[2]) > sec - ${WINDOW_SECONDS} then
    local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
    if cur > 0 then redis.call('HSET', KEYS[1], ARGV[2], math.max(cur + dt, 0)) end
  end
end
local function adjust(key, ttl)
  local v = redis.call('INCRBY', key, ARGV[4])
  if v < 0 then redis.call('SET', key, 0) end
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ttl) end
end
if ARGV[4] ~= '0' then
  if string.sub(f, 3, 3) == '1' then adjust(KEYS[3], ARGV[6]) end
  if string.sub(f, 4, 4) == '1' then adjust(KEYS[4], ARGV[7]) end
end
return 1
`;

/** Extends the leases of tickets still in progress. KEYS: concurrency zset; ARGV: lease ms, tickets... */
const RENEW = `
local t = redis.call('TIME')
local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', expiry, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 1
`;

/** Budget counters outlive their period by a margin, for late settlements and for looking back. */
const DAY_TTL_S = 2 * 86_400;
const MONTH_TTL_S = 32 * 86_400;

type AdmitReply = [1, number] | [0, LimitName, number, number];

interface LimitCommands {
  syLimitAdmit(...args: Array<string | number>): Promise<AdmitReply>;
  syLimitSettle(...args: Array<string | number>): Promise<number>;
  syLimitRenew(...args: Array<string | number>): Promise<number>;
}

export interface RedisLimitsOptions {
  /** A concurrency slot of a crashed instance frees itself after this long (default 60 s); live ones are renewed. */
  leaseMs?: number;
}

/**
 * The limits shared by every instance through Redis. Each admission and settlement is one script call (one round
 * trip). Concurrency slots are leases: the instance renews the leases of its requests in progress every third of the
 * lease, so a crashed instance's slots expire by themselves instead of leaking.
 */
export class RedisLimits implements LimitBackend {
  readonly name = 'redis' as const;
  private readonly commands: LimitCommands;
  private readonly leaseMs: number;
  /** Tickets holding a concurrency slot, by their zset key. */
  private readonly leases = new Map<string, Set<string>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: RedisLimitsOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 60_000;
    redis.defineCommand('syLimitAdmit', { numberOfKeys: 5, lua: ADMIT });
    redis.defineCommand('syLimitSettle', { numberOfKeys: 4, lua: SETTLE });
    redis.defineCommand('syLimitRenew', { numberOfKeys: 1, lua: RENEW });
    this.commands = redis as unknown as LimitCommands;
    this.timer = setInterval(() => void this.renew(), Math.max(Math.floor(this.leaseMs / 3), 100));
    this.timer.unref();
  }

  /** Keys of one client key share a hash tag, so the scripts also work on a Redis Cluster. */
  keys(subject: string, day: string, month: string): { requests: string; tokens: string; concurrency: string; day: string; month: string } {
    const base = `${this.prefix}:limits:{${subject}}`;
    return { requests: `${base}:rpm`, tokens: `${base}:tpm`, concurrency: `${base}:conc`, day: `${base}:usd:${day}`, month: `${base}:usd:${month}` };
  }

  async admit(input: AdmitInput): Promise<Admission> {
    const k = this.keys(input.subject, input.day, input.month);
    const l = input.limits;
    const id = randomUUID();
    const reply = await this.commands.syLimitAdmit(
      k.requests,
      k.tokens,
      k.concurrency,
      k.day,
      k.month,
      l.requests_per_minute ?? 0,
      l.tokens_per_minute ?? 0,
      l.concurrent_requests ?? 0,
      l.usd_per_day !== undefined ? toNano(l.usd_per_day) : 0,
      l.usd_per_month !== undefined ? toNano(l.usd_per_month) : 0,
      String(Math.max(Math.round(input.tokens), 0)),
      String(Math.max(Math.round(input.costNano), 0)),
      id,
      this.leaseMs,
      DAY_TTL_S,
      MONTH_TTL_S,
    );
    if (reply[0] === 0) {
      const [, limit, wait, used] = reply;
      return { ok: false, limit, retryAfterMs: wait < 0 ? null : wait, used: Number(used) };
    }
    if (l.concurrent_requests !== undefined) {
      let set = this.leases.get(k.concurrency);
      if (!set) this.leases.set(k.concurrency, (set = new Set()));
      set.add(id);
    }
    const ticket: Ticket = { id, backend: 'redis', subject: input.subject, limits: l, tokens: input.tokens, costNano: input.costNano, day: input.day, month: input.month, bucket: Number(reply[1]), settled: false };
    return { ok: true, ticket };
  }

  async settle(ticket: Ticket, actual: Actual): Promise<void> {
    if (ticket.settled) return;
    ticket.settled = true;
    const k = this.keys(ticket.subject, ticket.day, ticket.month);
    const l = ticket.limits;
    if (l.concurrent_requests !== undefined) {
      const set = this.leases.get(k.concurrency);
      set?.delete(ticket.id);
      if (set?.size === 0) this.leases.delete(k.concurrency);
    }
    const flags = [l.tokens_per_minute, l.concurrent_requests, l.usd_per_day, l.usd_per_month].map((v) => (v === undefined ? '0' : '1')).join('');
    const tokenDelta = Math.round(actual.tokens - ticket.tokens);
    const nanoDelta = Math.round(actual.costNano - ticket.costNano);
    if (flags[1] === '0' && (flags[0] === '0' || tokenDelta === 0) && ((flags[2] === '0' && flags[3] === '0') || nanoDelta === 0)) return;
    await this.commands.syLimitSettle(k.tokens, k.concurrency, k.day, k.month, ticket.id, ticket.bucket, String(tokenDelta), String(nanoDelta), flags, DAY_TTL_S, MONTH_TTL_S);
  }

  /**
   * Starts a budget period's counter at the spend already recorded, unless it exists (another instance, or this one
   * earlier, counts there already). Covers a Redis that lost its data (a restart without persistence).
   */
  async seedBudget(subject: string, kind: 'day' | 'month', period: string, nano: number): Promise<void> {
    const base = `${this.prefix}:limits:{${subject}}`;
    await this.redis.set(`${base}:usd:${period}`, String(Math.max(Math.round(nano), 0)), 'EX', kind === 'day' ? DAY_TTL_S : MONTH_TTL_S, 'NX');
  }

  /** Current shared usage of a key: requests and tokens in the window, requests in progress, nano-USD of the periods. */
  async usage(subject: string, day: string, month: string): Promise<{ requests: number; tokens: number; inFlight: number; dayNano: number; monthNano: number }> {
    const k = this.keys(subject, day, month);
    const [time, requests, tokens, inFlight, dayNano, monthNano] = await Promise.all([
      this.redis.time(),
      this.redis.hgetall(k.requests),
      this.redis.hgetall(k.tokens),
      this.redis.zcard(k.concurrency),
      this.redis.get(k.day),
      this.redis.get(k.month),
    ]);
    const sec = Number(time[0]);
    const sum = (h: Record<string, string>) => Object.entries(h).reduce((t, [s, n]) => (Number(s) > sec - WINDOW_SECONDS ? t + Number(n) : t), 0);
    return { requests: sum(requests), tokens: sum(tokens), inFlight, dayNano: Number(dayNano ?? 0), monthNano: Number(monthNano ?? 0) };
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async renew(): Promise<void> {
    for (const [key, ids] of this.leases) {
      if (ids.size === 0) continue;
      await this.commands.syLimitRenew(key, this.leaseMs, ...ids).catch(() => undefined);
    }
  }
}
