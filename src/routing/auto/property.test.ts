import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SortCriterion, SortMetric } from '../routers/index.js';
import { selectAuto, TIE_TOLERANCE, type AutoRanked } from './index.js';
import { entry, model, needs } from './test-helpers.js';

const METRICS: SortMetric[] = ['price', 'latency', 'throughput', 'intelligence', 'coding', 'math'];
const DEFAULT_ASC = new Set<SortMetric>(['price', 'latency']);

// Small value sets make ties frequent; the doubles cover the rest.
const positive = (set: number[], min: number, max: number) => fc.oneof(fc.constantFrom(...set), fc.double({ min, max, noNaN: true, noDefaultInfinity: true }));
const score = fc.option(fc.oneof(fc.constantFrom(10, 20, 41.8, 60), fc.double({ min: 0, max: 100, noNaN: true })), { nil: null, freq: 3 });

const modelArb = fc.record({
  provider: fc.constantFrom('p1', 'p2', 'p3'),
  id: fc.constantFrom('m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'),
  input: positive([0, 0.1, 1, 1.04, 3], 0, 20),
  output: positive([0, 0.4, 4, 4.1, 15], 0, 80),
  ttft: positive([300, 310, 400, 1000], 50, 5000),
  tps: positive([50, 52, 100, 1000], 5, 3000),
  intelligence: score,
  coding: score,
  math: score,
  context: fc.constantFrom(32_000, 128_000, 1_000_000),
  maxOutput: fc.constantFrom(4096, 65_536),
  tools: fc.boolean(),
  vision: fc.boolean(),
});

const critArb = fc.record({ metric: fc.constantFrom(...METRICS), direction: fc.constantFrom<SortCriterion['direction']>(undefined, 'ascending', 'descending') }).map((c): SortCriterion => (c.direction ? c : { metric: c.metric }));

const needsArb = fc.record({
  inputTokens: fc.constantFrom(100, 50_000, 200_000),
  maxTokens: fc.option(fc.constantFrom(1000, 8000), { nil: undefined }),
  tools: fc.boolean(),
  images: fc.boolean(),
});

function value(r: AutoRanked, metric: SortMetric): number | null {
  if (metric === 'price') return r.price;
  if (metric === 'latency') return r.ttftMs;
  if (metric === 'throughput') return r.throughput;
  return r.scores[metric];
}

describe('selectAuto properties', () => {
  it('ranks a permutation of the non-excluded pool in the order of the first criterion', () => {
    fc.assert(
      fc.property(
        // Distinct (provider, id): a real pool never holds two different entries under one name.
        fc.uniqueArray(modelArb, { maxLength: 16, selector: (m) => `${m.provider}/${m.id}` }),
        fc.array(critArb, { maxLength: 3 }),
        needsArb,
        fc.subarray(['p1', 'p2/m1', 'm3', 'p3/m8']),
        (specs, sort, n, ignore) => {
          const pool = specs.map((s) =>
            entry(model(s.provider, s.id, { price: [s.input, s.output], ttft: s.ttft, tps: s.tps, intelligence: s.intelligence, coding: s.coding, math: s.math, context: s.context, maxOutput: s.maxOutput, tools: s.tools, vision: s.vision })),
          );
          const r = selectAuto({ pool, sort, ignore, needs: needs(n) });

          // Every (provider, model) of the pool (duplicates dropped) is either ranked or excluded, exactly once.
          const withDup = pool.length > 0 ? [...pool, pool[0]] : pool;
          expect(selectAuto({ pool: withDup, sort, ignore, needs: needs(n) }).ranked).toEqual(r.ranked);
          const distinct = pool.map((e) => `${e.provider}/${e.model.id}`).sort();
          const seen = [...r.ranked.map((x) => `${x.provider}/${x.model}`), ...r.excluded.map((x) => `${x.provider}/${x.model}`)].sort();
          expect(seen).toEqual(distinct);
          expect(r.ranked.map((x) => x.rank)).toEqual(r.ranked.map((_, i) => i + 1));
          expect(typeof r.reasoning).toBe('string');
          if (r.ranked.length > 0) expect(r.reasoning).toContain(`Picked ${r.ranked[0].provider}/${r.ranked[0].model}`);

          // The first criterion: never a strictly better value after a worse one, except inside the 5% margin.
          const first = r.sort[0];
          const asc = first.direction === 'ascending';
          expect(first.direction).toBe(sort[0]?.direction ?? (DEFAULT_ASC.has(first.metric) ? 'ascending' : 'descending'));
          const continuous = first.metric === 'price' || first.metric === 'latency' || first.metric === 'throughput';
          for (let i = 0; i < r.ranked.length; i++) {
            for (let j = i + 1; j < r.ranked.length; j++) {
              const a = value(r.ranked[i], first.metric);
              const b = value(r.ranked[j], first.metric);
              if (a === null) expect(b).toBeNull();
              if (a === null || b === null) continue;
              const bBetter = asc ? b < a : b > a;
              if (!bBetter) continue;
              expect(continuous).toBe(true);
              // Both lie within 5% of their group's anchor, so within 5/95 of each other.
              expect(Math.abs(a - b)).toBeLessThanOrEqual((TIE_TOLERANCE / (1 - TIE_TOLERANCE)) * Math.max(Math.abs(a), Math.abs(b)) + 1e-12);
            }
          }

          // The ranking does not depend on the order of the pool.
          const again = selectAuto({ pool: [...pool].reverse(), sort, ignore, needs: needs(n) });
          expect(again.ranked).toEqual(r.ranked);
        },
      ),
      { numRuns: 400 },
    );
  });
});
