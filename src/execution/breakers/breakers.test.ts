import { describe, expect, it } from 'vitest';
import { CircuitBreakers, DEFAULT_BREAKER_POLICY, resolveBreakerPolicy, type BreakerKey, type BreakerPolicy, type BreakerState } from './index.js';

const K: BreakerKey = { provider: 'anthropic', model: 'claude-sonnet-4', key: '0' };
const T0 = 6_000_000; // a multiple of the default bucket (6 s), so bucket edges are easy to reason about

interface Change {
  key: string;
  from: BreakerState;
  to: BreakerState;
  reason: string;
}

function setup(policy?: Partial<BreakerPolicy>) {
  const clock = { t: T0 };
  const changes: Change[] = [];
  const b = new CircuitBreakers(policy, {
    now: () => clock.t,
    onChange: (key, from, to, reason) => changes.push({ key: `${key.provider}/${key.model}/${key.key}`, from, to, reason }),
  });
  return { b, clock, changes };
}

function fail(b: CircuitBreakers, n: number, key = K, kind = 'http_529'): void {
  for (let i = 0; i < n; i++) b.failure(key, false, kind);
}

describe('policy', () => {
  it('defaults', () => {
    expect(resolveBreakerPolicy()).toEqual({
      consecutiveFailures: 5,
      errorRate: 0.5,
      minRequests: 20,
      windowMs: 60_000,
      cooldownMs: 30_000,
      maxCooldownMs: 300_000,
      halfOpenProbes: 1,
    });
    expect(new CircuitBreakers({ halfOpenProbes: 3, cooldownMs: undefined }).policy).toEqual({ ...DEFAULT_BREAKER_POLICY, halfOpenProbes: 3 });
  });

  it.each<Partial<BreakerPolicy>>([
    { consecutiveFailures: 0 },
    { errorRate: 1.5 },
    { errorRate: Number.NaN },
    { minRequests: 0 },
    { windowMs: 0 },
    { cooldownMs: -1 },
    { cooldownMs: 10_000, maxCooldownMs: 5_000 },
    { halfOpenProbes: 0 },
    { halfOpenProbes: 1.5 },
  ])('rejects %o', (p) => {
    expect(() => new CircuitBreakers(p)).toThrow(RangeError);
  });

  it('Infinity disables the consecutive rule', () => {
    const { b } = setup({ consecutiveFailures: Infinity, minRequests: 1000 });
    fail(b, 500);
    expect(b.state(K)).toBe('closed');
  });
});

describe('consecutive failures', () => {
  it('opens after N consecutive failures, with a reason', () => {
    const { b, changes } = setup();
    fail(b, 4);
    expect(b.state(K)).toBe('closed');
    expect(b.acquire(K)).toEqual({ allowed: true, probe: false });
    b.failure(K, false, 'timeout');
    expect(b.state(K)).toBe('open');
    expect(changes).toEqual([{ key: 'anthropic/claude-sonnet-4/0', from: 'closed', to: 'open', reason: '5 consecutive failures (last: timeout)' }]);
  });

  it('interleaved successes keep it closed', () => {
    const { b, changes } = setup({ minRequests: 1000 }); // isolate the consecutive rule
    for (let i = 0; i < 50; i++) {
      fail(b, 4);
      b.success(K, false);
    }
    expect(b.state(K)).toBe('closed');
    expect(b.snapshot()[0]).toMatchObject({ consecutiveFailures: 0, windowRequests: 250, windowFailures: 200 });
    expect(changes).toEqual([]);
  });
});

describe('error rate', () => {
  it('opens when the ratio exceeds errorRate, only once minRequests verdicts were seen', () => {
    const { b, changes } = setup(); // 5 consecutive, 0.5, 20
    // S F F S F F ...: never 3 failures in a row, ratio 2/3
    const seq = 'SFF'.repeat(7).slice(0, 20).split('');
    seq.forEach((c, i) => {
      if (c === 'S') b.success(K, false);
      else b.failure(K, false, 'http_500');
      expect(b.state(K)).toBe(i < 19 ? 'closed' : 'open');
    });
    expect(changes).toEqual([{ key: 'anthropic/claude-sonnet-4/0', from: 'closed', to: 'open', reason: 'error rate 13/20 in window (last: http_500)' }]);
  });

  it('a ratio equal to errorRate does not open', () => {
    const { b } = setup();
    for (let i = 0; i < 100; i++) {
      b.success(K, false);
      b.failure(K, false, 'http_503');
    }
    expect(b.state(K)).toBe('closed');
    expect(b.snapshot()[0]).toMatchObject({ windowRequests: 200, windowFailures: 100 });
  });

  it('old buckets expire from the window', () => {
    const { b, clock } = setup({ consecutiveFailures: Infinity });
    fail(b, 19); // bucket starting at T0
    expect(b.snapshot()[0]).toMatchObject({ windowRequests: 19, windowFailures: 19, state: 'closed' });
    clock.t = T0 + 59_999; // still in the window (current bucket and the 9 before it)
    expect(b.snapshot()[0]).toMatchObject({ windowRequests: 19, windowFailures: 19 });
    clock.t = T0 + 60_000; // T0's bucket is now 10 buckets old
    expect(b.snapshot()[0]).toMatchObject({ windowRequests: 0, windowFailures: 0 });
    b.failure(K, false, 'http_500');
    expect(b.state(K)).toBe('closed');
    expect(b.snapshot()[0]).toMatchObject({ windowRequests: 1, windowFailures: 1 });
  });

  it('expiry is per bucket: a partial slide keeps the newer buckets', () => {
    const { b, clock } = setup({ consecutiveFailures: Infinity });
    fail(b, 10); // bucket T0
    clock.t = T0 + 30_000;
    fail(b, 9); // bucket T0+30s
    clock.t = T0 + 60_000;
    expect(b.snapshot()[0]).toMatchObject({ windowRequests: 9 });
    b.success(K, false);
    b.failure(K, false, 'x'); // 11 verdicts: not enough
    expect(b.state(K)).toBe('closed');
  });

  it('a bucket slot reused after a full lap starts from zero', () => {
    const { b, clock } = setup({ consecutiveFailures: Infinity });
    fail(b, 15);
    clock.t = T0 + 60_000 * 7; // same slot index, 70 buckets later
    fail(b, 5);
    expect(b.snapshot()[0]).toMatchObject({ windowRequests: 5, state: 'closed' });
  });
});

describe('open and half-open', () => {
  it('while open, acquire refuses with retryInMs and sends nothing', () => {
    const { b, clock } = setup();
    fail(b, 5);
    expect(b.acquire(K)).toEqual({ allowed: false, retryInMs: 30_000, state: 'open' });
    clock.t += 12_345;
    expect(b.acquire(K)).toEqual({ allowed: false, retryInMs: 17_655, state: 'open' });
    clock.t = T0 + 29_999;
    expect(b.acquire(K)).toEqual({ allowed: false, retryInMs: 1, state: 'open' });
    expect(b.state(K)).toBe('open');
  });

  it('after the cool-down exactly halfOpenProbes concurrent probes are granted', () => {
    const { b, clock } = setup({ halfOpenProbes: 2 });
    fail(b, 5);
    clock.t += 30_000;
    expect(b.acquire(K)).toEqual({ allowed: true, probe: true });
    expect(b.acquire(K)).toEqual({ allowed: true, probe: true });
    expect(b.acquire(K)).toEqual({ allowed: false, retryInMs: 30_000, state: 'half_open' });
    expect(b.state(K)).toBe('half_open');
    expect(b.snapshot()[0]).toMatchObject({ probesInFlight: 2, state: 'half_open' });
  });

  it('a probe success closes and resets the counters', () => {
    const { b, clock, changes } = setup();
    fail(b, 5);
    clock.t += 30_000;
    expect(b.acquire(K)).toEqual({ allowed: true, probe: true });
    b.success(K, true);
    expect(b.state(K)).toBe('closed');
    expect(b.acquire(K)).toEqual({ allowed: true, probe: false });
    expect(b.snapshot()[0]).toMatchObject({ consecutiveFailures: 0, windowRequests: 0, windowFailures: 0, openedAt: null, retryAt: null, probesInFlight: 0 });
    expect(changes.map((c) => [c.from, c.to, c.reason])).toEqual([
      ['closed', 'open', '5 consecutive failures (last: http_529)'],
      ['open', 'half_open', 'cooldown elapsed'],
      ['half_open', 'closed', 'probe succeeded'],
    ]);
    // after closing, it takes a full N failures again
    fail(b, 4);
    expect(b.state(K)).toBe('closed');
  });

  it('a probe failure re-opens with a doubled cool-down, capped; closing resets it', () => {
    const { b, clock } = setup({ cooldownMs: 30_000, maxCooldownMs: 100_000 });
    fail(b, 5);
    const cooldowns: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = b.acquire(K);
      if (r.allowed) throw new Error('expected refusal');
      cooldowns.push(r.retryInMs);
      clock.t += r.retryInMs - 1;
      expect(b.acquire(K).allowed).toBe(false);
      clock.t += 1;
      expect(b.acquire(K)).toEqual({ allowed: true, probe: true });
      b.failure(K, true, 'connection_refused');
      expect(b.state(K)).toBe('open');
    }
    expect(cooldowns).toEqual([30_000, 60_000, 100_000, 100_000]);
    expect(b.snapshot()[0].lastReason).toBe('probe failed: connection_refused');
    clock.t += 100_000;
    expect(b.acquire(K)).toEqual({ allowed: true, probe: true });
    b.success(K, true);
    fail(b, 5);
    expect(b.acquire(K)).toEqual({ allowed: false, retryInMs: 30_000, state: 'open' });
  });

  it('release frees a probe slot and counts nothing', () => {
    const { b, clock } = setup();
    fail(b, 5);
    clock.t += 30_000;
    expect(b.acquire(K)).toEqual({ allowed: true, probe: true });
    expect(b.acquire(K).allowed).toBe(false);
    const before = b.snapshot()[0];
    b.release(K, true);
    expect(b.snapshot()[0]).toMatchObject({ state: 'half_open', windowRequests: before.windowRequests, consecutiveFailures: 5, probesInFlight: 0 });
    expect(b.acquire(K)).toEqual({ allowed: true, probe: true });
    b.release(K, false); // a non-probe release frees nothing
    expect(b.acquire(K).allowed).toBe(false);
    b.release({ provider: 'nobody', model: 'm', key: '0' }, true); // unknown key: no-op, nothing created
    expect(b.snapshot()).toHaveLength(1);
  });

  it('stale verdicts do not move the state: only a probe verdict while half-open does', () => {
    const { b, clock } = setup({ halfOpenProbes: 2 });
    fail(b, 5);
    // a request granted before the breaker opened finishes late
    b.success(K, false);
    expect(b.state(K)).toBe('open');
    clock.t += 30_000;
    expect(b.acquire(K)).toEqual({ allowed: true, probe: true });
    b.failure(K, false, 'http_500'); // late non-probe failure while half-open
    b.success(K, false);
    expect(b.state(K)).toBe('half_open');
    expect(b.acquire(K)).toEqual({ allowed: true, probe: true });
    b.failure(K, true, 'http_500'); // re-opens; the other probe is still out
    expect(b.state(K)).toBe('open');
    b.success(K, true); // a probe success while open does not close
    expect(b.state(K)).toBe('open');
    expect(b.snapshot()[0].probesInFlight).toBe(0);
  });

  it('outstanding probes from an earlier half-open period still hold a slot', () => {
    const { b, clock } = setup({ halfOpenProbes: 2 });
    fail(b, 5);
    clock.t += 30_000;
    expect(b.acquire(K).allowed).toBe(true); // probe A
    expect(b.acquire(K).allowed).toBe(true); // probe B
    b.failure(K, true, 'timeout'); // A fails: re-open, B still in flight
    clock.t += 60_000;
    expect(b.acquire(K)).toEqual({ allowed: true, probe: true });
    expect(b.acquire(K)).toEqual({ allowed: false, retryInMs: 60_000, state: 'half_open' });
  });

  it('keys are independent', () => {
    const { b } = setup();
    const others: BreakerKey[] = [
      { ...K, key: '1' },
      { ...K, model: 'claude-haiku' },
      { ...K, provider: 'bedrock' },
    ];
    fail(b, 5);
    for (const o of others) {
      expect(b.state(o)).toBe('closed');
      expect(b.acquire(o)).toEqual({ allowed: true, probe: false });
      fail(b, 4, o);
    }
    expect(b.state(K)).toBe('open');
    for (const o of others) expect(b.state(o)).toBe('closed');
  });

  it('onChange reports each transition exactly once', () => {
    const { b, clock, changes } = setup();
    fail(b, 7); // failures after opening do not re-fire
    clock.t += 30_000;
    b.state(K);
    b.state(K);
    b.snapshot();
    b.acquire(K);
    b.failure(K, true, 'http_529');
    clock.t += 60_000;
    b.snapshot();
    b.acquire(K);
    b.success(K, true);
    b.success(K, false);
    expect(changes.map((c) => `${c.from}>${c.to}: ${c.reason}`)).toEqual([
      'closed>open: 5 consecutive failures (last: http_529)',
      'open>half_open: cooldown elapsed',
      'half_open>open: probe failed: http_529',
      'open>half_open: cooldown elapsed',
      'half_open>closed: probe succeeded',
    ]);
  });

  it('a throwing listener does not break the caller', () => {
    const b = new CircuitBreakers({ consecutiveFailures: 1 }, {
      onChange: () => {
        throw new Error('boom');
      },
    });
    expect(() => b.failure(K, false, 'x')).not.toThrow();
    expect(b.state(K)).toBe('open');
  });
});

describe('snapshot', () => {
  it('lists every seen key with its counters', () => {
    const { b, clock } = setup({ halfOpenProbes: 1 });
    const K2 = { ...K, key: '1' };
    const K3 = { provider: 'openai', model: 'gpt-5', key: 'prod' };
    b.success(K2, false);
    b.failure(K2, false, 'http_500');
    fail(b, 5);
    b.acquire(K3); // acquire alone does not create an entry
    expect(b.snapshot()).toHaveLength(2);
    b.success(K3, false);
    clock.t += 1000;
    expect(b.snapshot()).toEqual([
      {
        provider: 'anthropic', model: 'claude-sonnet-4', key: '1', state: 'closed', consecutiveFailures: 1, windowRequests: 2, windowFailures: 1,
        openedAt: null, retryAt: null, lastReason: null, probesInFlight: 0,
      },
      {
        provider: 'anthropic', model: 'claude-sonnet-4', key: '0', state: 'open', consecutiveFailures: 5, windowRequests: 5, windowFailures: 5,
        openedAt: T0, retryAt: T0 + 30_000, lastReason: '5 consecutive failures (last: http_529)', probesInFlight: 0,
      },
      {
        provider: 'openai', model: 'gpt-5', key: 'prod', state: 'closed', consecutiveFailures: 0, windowRequests: 1, windowFailures: 0,
        openedAt: null, retryAt: null, lastReason: null, probesInFlight: 0,
      },
    ]);
    clock.t = T0 + 30_000;
    b.acquire(K);
    expect(b.snapshot()[1]).toMatchObject({ state: 'half_open', openedAt: T0, retryAt: null, lastReason: 'cooldown elapsed', probesInFlight: 1 });
  });

  it('the key passed to onChange is a stable copy, not the caller object', () => {
    const keys: BreakerKey[] = [];
    const b = new CircuitBreakers({ consecutiveFailures: 1 }, { onChange: (k) => keys.push(k) });
    const mine = { ...K };
    b.failure(mine, false, 'x');
    mine.key = 'mutated';
    expect(keys[0]).toEqual(K);
    expect(Object.isFrozen(keys[0])).toBe(true);
  });

  it('the allowed path returns shared objects (no allocation per call)', () => {
    const { b } = setup();
    b.success(K, false);
    expect(b.acquire(K)).toBe(b.acquire(K));
    expect(b.acquire({ ...K, key: 'unseen' })).toBe(b.acquire(K));
  });
});

describe('applyRemote', () => {
  it('applies open / half_open / closed made elsewhere, reported with reason "remote"', () => {
    const { b, clock, changes } = setup();
    b.applyRemote(K, 'open', T0 + 5_000);
    expect(b.acquire(K)).toEqual({ allowed: false, retryInMs: 5_000, state: 'open' });
    b.applyRemote(K, 'open', T0 + 8_000); // same state: retryAt moves, no event
    expect(b.acquire(K)).toEqual({ allowed: false, retryInMs: 8_000, state: 'open' });
    b.applyRemote(K, 'half_open', null);
    expect(b.acquire(K)).toEqual({ allowed: true, probe: true });
    b.applyRemote(K, 'closed', null);
    expect(b.state(K)).toBe('closed');
    b.release(K, true);
    b.applyRemote(K, 'open', null); // default retryAt: now + the local cool-down
    clock.t += 1;
    expect(b.acquire(K)).toEqual({ allowed: false, retryInMs: 29_999, state: 'open' });
    expect(changes.map((c) => `${c.from}>${c.to}: ${c.reason}`)).toEqual([
      'closed>open: remote',
      'open>half_open: remote',
      'half_open>closed: remote',
      'closed>open: remote',
    ]);
  });

  it('a remote open after half-open counts as a re-open for the cool-down', () => {
    const { b, clock } = setup();
    fail(b, 5);
    clock.t += 30_000;
    expect(b.state(K)).toBe('half_open');
    b.applyRemote(K, 'open', null);
    expect(b.acquire(K)).toEqual({ allowed: false, retryInMs: 60_000, state: 'open' });
  });

  it('a remote close resets the window', () => {
    const { b } = setup({ consecutiveFailures: 3 });
    fail(b, 3);
    b.applyRemote(K, 'closed', null);
    expect(b.snapshot()[0]).toMatchObject({ state: 'closed', consecutiveFailures: 0, windowRequests: 0, openedAt: null });
  });
});
