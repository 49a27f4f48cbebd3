import { describe, expect, it } from 'vitest';
import type { CatalogPrice } from '../../routing/catalog/index.js';
import type { TokenUsage } from '../record.js';
import { costUsd } from './index.js';

const usage = (u: Partial<TokenUsage>): TokenUsage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, ...u });

/** Claude Sonnet 4.5's shape: every cache price, and a long-context tier above 200k prompt tokens. */
const SONNET: CatalogPrice = {
  input: 3,
  output: 15,
  cacheRead: 0.3,
  cacheWrite: 3.75,
  cacheWrite1h: 6,
  tiers: [{ threshold: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5, cacheWrite1h: 12 }],
};

describe('costUsd', () => {
  it('bills input and output per million tokens', () => {
    // 1200 in × $3/M + 300 out × $15/M = (3600 + 4500) / 1e6 = 0.0081
    expect(costUsd(usage({ input: 1200, output: 300 }), SONNET)).toBe(0.0081);
  });

  it('bills every cache kind at its own price, 1-hour writes as a part of cacheWrite', () => {
    // 1000 in × $3/M + 10000 cache read × $0.3/M + (4000 − 1500) 5m writes × $3.75/M + 1500 1h writes × $6/M
    // + 2000 out × $15/M = (3000 + 3000 + 9375 + 9000 + 30000) / 1e6 = 0.054375
    expect(costUsd(usage({ input: 1000, cacheRead: 10_000, cacheWrite: 4000, cacheWrite1h: 1500, output: 2000 }), SONNET)).toBe(0.054375);
  });

  it('does not bill reasoning tokens again: they are inside output', () => {
    // 100 in × $3/M + 5000 out × $15/M = (300 + 75000) / 1e6 = 0.0753, with or without 4000 of them being reasoning
    expect(costUsd(usage({ input: 100, output: 5000, reasoning: 4000 }), SONNET)).toBe(0.0753);
    expect(costUsd(usage({ input: 100, output: 5000 }), SONNET)).toBe(0.0753);
  });

  it('bills cache reads and writes at the input price when the catalog has no cache price', () => {
    const plain: CatalogPrice = { input: 0.59, output: 0.79 };
    // 1000 cache read × $0.59/M = 0.00059
    expect(costUsd(usage({ cacheRead: 1000 }), plain)).toBe(0.00059);
    // 1000 cache write × $0.59/M, 1h writes included = 0.00059
    expect(costUsd(usage({ cacheWrite: 1000, cacheWrite1h: 400 }), plain)).toBe(0.00059);
    // A cache-read discount alone leaves writes at the input price: 1000 × $2/M = 0.002
    expect(costUsd(usage({ cacheWrite: 1000 }), { input: 2, output: 8, cacheRead: 0.5 })).toBe(0.002);
  });

  it('bills 1-hour writes at the 5-minute price when the catalog lists no separate 1-hour price', () => {
    // 3000 cache write (2000 of them 1h) × $3.75/M = 0.01125
    expect(costUsd(usage({ cacheWrite: 3000, cacheWrite1h: 2000 }), { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 })).toBe(0.01125);
  });

  it('never bills more 1-hour writes than writes in all', () => {
    // cacheWrite1h 5000 > cacheWrite 1000: 1000 × $6/M = 0.006
    expect(costUsd(usage({ cacheWrite: 1000, cacheWrite1h: 5000 }), SONNET)).toBe(0.006);
  });

  describe('long-context tiers', () => {
    it('apply only above the threshold', () => {
      // exactly 200000: 200000 in × $3/M + 1000 out × $15/M = (600000 + 15000) / 1e6 = 0.615
      expect(costUsd(usage({ input: 200_000, output: 1000 }), SONNET)).toBe(0.615);
      // 200001: 200001 in × $6/M + 1000 out × $22.5/M = (1200006 + 22500) / 1e6 = 1.222506
      expect(costUsd(usage({ input: 200_001, output: 1000 }), SONNET)).toBe(1.222506);
    });

    it('measure the prompt with cache reads and writes, and then price every kind at the tier', () => {
      // prompt 100000 + 60000 + 50000 = 210000 > 200000:
      // 100000 in × $6/M + 60000 cache read × $0.6/M + 30000 5m writes × $7.5/M + 20000 1h writes × $12/M
      // + 1000 out × $22.5/M = (600000 + 36000 + 225000 + 240000 + 22500) / 1e6 = 1.1235
      expect(costUsd(usage({ input: 100_000, cacheRead: 60_000, cacheWrite: 50_000, cacheWrite1h: 20_000, output: 1000 }), SONNET)).toBe(1.1235);
    });

    it('take the highest tier exceeded, whatever the order they are listed in', () => {
      const price: CatalogPrice = { input: 1, output: 2, tiers: [{ threshold: 256_000, input: 8 }, { threshold: 128_000, input: 4 }] };
      // 300000 in × $8/M = 2.4
      expect(costUsd(usage({ input: 300_000 }), price)).toBe(2.4);
      // 200000 in × $4/M = 0.8
      expect(costUsd(usage({ input: 200_000 }), price)).toBe(0.8);
    });

    it("keep the base price of a field the tier does not set; a missing cache price follows the tier's input", () => {
      const price: CatalogPrice = { input: 1, output: 2, tiers: [{ threshold: 100, input: 5 }] };
      // 100 in + 200 cache read = 300 > 100: 100 in × $5/M + 200 cache read × $5/M + 10 out × $2/M = 1520 / 1e6
      expect(costUsd(usage({ input: 100, cacheRead: 200, output: 10 }), price)).toBe(0.00152);
    });
  });

  it('rounds to 1e-10 USD, so float noise does not show and a single cheap token is not lost', () => {
    // 1 in × $0.1/M + 1 cache read × $0.2/M = 0.3 micro-USD (in floats 0.1 + 0.2 = 0.30000000000000004)
    expect(costUsd(usage({ input: 1, cacheRead: 1 }), { input: 0.1, output: 0, cacheRead: 0.2 })).toBe(3e-7);
    // 1 in × $0.0028/M = 2.8e-9
    expect(costUsd(usage({ input: 1 }), { input: 0.0028, output: 0 })).toBe(2.8e-9);
  });

  it('costs 0 at zero prices, and counts that are negative or not numbers as 0', () => {
    expect(costUsd(usage({ input: 5000, output: 5000, cacheRead: 5000 }), { input: 0, output: 0 })).toBe(0);
    // only the 10 output tokens count: 10 × $15/M = 0.00015
    expect(costUsd(usage({ input: -5, cacheRead: Number.NaN, cacheWrite: Number.POSITIVE_INFINITY, output: 10 }), SONNET)).toBe(0.00015);
  });
});
