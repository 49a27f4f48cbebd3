import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreakers, type BreakerKey, type BreakerPolicy, type BreakerState } from './index.js';

const KEYS: BreakerKey[] = [
  { provider: 'p1', model: 'm', key: '0' },
  { provider: 'p1', model: 'm', key: '1' },
  { provider: 'p2', model: 'm', key: '0' },
];

type Op =
  | { op: 'acquire'; k: number; n: number } // n acquisitions in a row (bursts are what stress the probe limit)
  | { op: 'settle'; ticket: number; verdict: 'success' | 'failure' | 'release' }
  | { op: 'verdict'; k: number; ok: boolean } // a non-probe verdict out of the blue (e.g. granted before a restart)
  | { op: 'tick'; ms: number }
  | { op: 'remote'; k: number; state: BreakerState; retryIn: number | null }
  | { op: 'state'; k: number };

const keyArb = fc.nat({ max: KEYS.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('acquire' as const), k: keyArb, n: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 5 })) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('settle' as const), ticket: fc.nat(), verdict: fc.constantFrom('success' as const, 'failure' as const, 'release' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('verdict' as const), k: keyArb, ok: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.oneof(fc.nat({ max: 50 }), fc.nat({ max: 5_000 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remote' as const), k: keyArb, state: fc.constantFrom<BreakerState>('closed', 'open', 'half_open'), retryIn: fc.option(fc.nat({ max: 3_000 }), { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('state' as const), k: keyArb }) },
);

const policyArb: fc.Arbitrary<Partial<BreakerPolicy>> = fc.record({
  consecutiveFailures: fc.integer({ min: 1, max: 4 }),
  errorRate: fc.constantFrom(0, 0.25, 0.5, 1),
  minRequests: fc.integer({ min: 1, max: 6 }),
  windowMs: fc.constantFrom(100, 1_000, 10_000),
  cooldownMs: fc.constantFrom(0, 10, 500, 2_000),
  maxCooldownMs: fc.constantFrom(2_000, 8_000),
  halfOpenProbes: fc.integer({ min: 1, max: 3 }),
});

describe('breaker state machine (property)', () => {
  it('never grants more concurrent probes than allowed; state() agrees with snapshot(); transitions chain', () => {
    fc.assert(
      fc.property(policyArb, fc.array(opArb, { maxLength: 200 }), (policy, ops) => {
        let t = 1_000_000;
        const seen = KEYS.map((): BreakerState => 'closed');
        const violations: string[] = [];
        const b = new CircuitBreakers(policy, {
          now: () => t,
          onChange: (key, from, to, reason) => {
            const i = KEYS.findIndex((k) => k.provider === key.provider && k.model === key.model && k.key === key.key);
            // (the breaker swallows listener exceptions, so collect violations instead of throwing here)
            if (from === to) violations.push(`${from}>${to} is not a transition`);
            if (from !== seen[i]) violations.push(`event from ${from} but last reported state was ${seen[i]}`); // none lost, none repeated
            if (reason.length === 0) violations.push('empty reason');
            seen[i] = to;
          },
        });
        const limit = b.policy.halfOpenProbes;
        const tickets: Array<{ k: number; probe: boolean }> = [];
        const outstandingProbes = (k: number) => tickets.filter((x) => x.k === k && x.probe).length;

        for (const o of ops) {
          switch (o.op) {
            case 'acquire':
              for (let i = 0; i < o.n; i++) {
                const before = b.state(KEYS[o.k]);
                const r = b.acquire(KEYS[o.k]);
                if (before === 'closed') expect(r).toEqual({ allowed: true, probe: false });
                if (r.allowed) {
                  expect(r.probe).toBe(before === 'half_open');
                  tickets.push({ k: o.k, probe: r.probe });
                  expect(outstandingProbes(o.k)).toBeLessThanOrEqual(limit);
                } else {
                  expect(r.state).toBe(before);
                  expect(r.retryInMs).toBeGreaterThan(0);
                  if (before === 'half_open') expect(outstandingProbes(o.k)).toBe(limit);
                }
              }
              break;
            case 'settle': {
              if (tickets.length === 0) break;
              const [x] = tickets.splice(o.ticket % tickets.length, 1);
              if (o.verdict === 'success') b.success(KEYS[x.k], x.probe);
              else if (o.verdict === 'failure') b.failure(KEYS[x.k], x.probe, 'http_500');
              else b.release(KEYS[x.k], x.probe);
              break;
            }
            case 'verdict':
              if (o.ok) b.success(KEYS[o.k], false);
              else b.failure(KEYS[o.k], false, 'timeout');
              break;
            case 'tick':
              t += o.ms;
              break;
            case 'remote':
              b.applyRemote(KEYS[o.k], o.state, o.retryIn === null ? null : t + o.retryIn);
              break;
            case 'state':
              b.state(KEYS[o.k]);
              break;
          }

          const snap = b.snapshot();
          expect(violations).toEqual([]);
          for (let k = 0; k < KEYS.length; k++) {
            const probes = outstandingProbes(k);
            expect(probes).toBeLessThanOrEqual(limit);
            const s = snap.find((x) => x.provider === KEYS[k].provider && x.model === KEYS[k].model && x.key === KEYS[k].key);
            const st = b.state(KEYS[k]);
            expect(st).toBe(seen[k]);
            if (s === undefined) {
              expect(st).toBe('closed');
              expect(probes).toBe(0);
              continue;
            }
            expect(s.state).toBe(st);
            expect(s.probesInFlight).toBe(probes);
            expect(s.windowFailures).toBeLessThanOrEqual(s.windowRequests);
            expect(s.retryAt !== null).toBe(st === 'open');
            if (st === 'open') expect(s.retryAt).toBeGreaterThan(t);
            if (st === 'closed') expect(s.openedAt).toBeNull();
            else expect(s.openedAt).not.toBeNull();
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
