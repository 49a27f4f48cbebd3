import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiveStats, percentileSorted, type LiveSample } from './index.js';

const MIN = 60_000;

function sample(over: Partial<LiveSample> = {}): LiveSample {
  return { provider: 'p', model: 'm', ttftMs: 100, outputTokens: 100, generationMs: 1000, ok: true, at: 0, ...over };
}

describe('percentileSorted', () => {
  it('interpolates linearly', () => {
    expect(percentileSorted([5], 0.5)).toBe(5);
    expect(percentileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(percentileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileSorted([10, 20, 30, 40, 50], 0.9)).toBe(46);
    expect(percentileSorted([10, 20], 0)).toBe(10);
    expect(percentileSorted([10, 20], 1)).toBe(20);
    expect(percentileSorted([], 0.5)).toBeNaN();
  });
});

describe('LiveStats', () => {
  it('reports nothing until minSamples successful samples', () => {
    const s = new LiveStats({ now: () => 0 });
    expect(s.ttftP50('p', 'm')).toBeNull();
    for (let i = 0; i < 4; i++) s.record(sample({ ttftMs: 100 + i }));
    expect(s.ttftP50('p', 'm')).toBeNull();
    s.record(sample({ ok: false, ttftMs: 5 }));
    expect(s.ttftP50('p', 'm')).toBeNull();
    s.record(sample({ ttftMs: 104 }));
    expect(s.ttftP50('p', 'm')).toEqual({ value: 102, samples: 5 });
    expect(s.ttftP50('p', 'other')).toBeNull();
    expect(s.ttftP50('q', 'm')).toBeNull();
  });

  it('computes the median over the window, mean of the middle two for an even count', () => {
    const s = new LiveStats({ now: () => 0, minSamples: 1 });
    for (const v of [900, 100, 300, 200]) s.record(sample({ ttftMs: v }));
    expect(s.ttftP50('p', 'm')).toEqual({ value: 250, samples: 4 });
    s.record(sample({ ttftMs: 50 }));
    expect(s.ttftP50('p', 'm')).toEqual({ value: 200, samples: 5 });
  });

  it('skips samples without a TTFT', () => {
    const s = new LiveStats({ now: () => 0, minSamples: 2 });
    s.record(sample({ ttftMs: null }));
    s.record(sample({ ttftMs: 10 }));
    expect(s.ttftP50('p', 'm')).toBeNull();
    s.record(sample({ ttftMs: 30 }));
    expect(s.ttftP50('p', 'm')).toEqual({ value: 20, samples: 2 });
  });

  it('measures throughput as output tokens over generation time, only from samples with >= 8 tokens', () => {
    const s = new LiveStats({ now: () => 0 });
    // 100 tokens in 1 s, 200 in 1 s, 300 in 2 s, 50 in 0.25 s, 10 in 0.1 s -> 100, 200, 150, 200, 100 tokens/s
    for (const [out, gen] of [[100, 1000], [200, 1000], [300, 2000], [50, 250], [10, 100]]) s.record(sample({ outputTokens: out, generationMs: gen }));
    // Too short, zero time, failed: not counted.
    s.record(sample({ outputTokens: 7, generationMs: 1 }));
    s.record(sample({ outputTokens: 500, generationMs: 0 }));
    s.record(sample({ outputTokens: 5000, generationMs: 1, ok: false }));
    expect(s.throughputP50('p', 'm')).toEqual({ value: 150, samples: 5 });
  });

  it('evicts the oldest samples when the window is full', () => {
    const s = new LiveStats({ now: () => 0, window: 10, minSamples: 5 });
    for (let i = 0; i < 10; i++) s.record(sample({ ttftMs: 100 }));
    expect(s.ttftP50('p', 'm')).toEqual({ value: 100, samples: 10 });
    for (let i = 0; i < 6; i++) s.record(sample({ ttftMs: 1000 }));
    expect(s.ttftP50('p', 'm')).toEqual({ value: 1000, samples: 10 });
    for (let i = 0; i < 4; i++) s.record(sample({ ttftMs: 1000 }));
    expect(s.ttftP50('p', 'm')).toEqual({ value: 1000, samples: 10 });
    // Failed attempts take slots too: the window is the last N attempts.
    for (let i = 0; i < 6; i++) s.record(sample({ ok: false }));
    expect(s.ttftP50('p', 'm')).toBeNull();
  });

  it('ignores samples older than maxAgeMs, as the clock moves', () => {
    let now = 0;
    const s = new LiveStats({ now: () => now, maxAgeMs: 15 * MIN });
    for (let i = 0; i < 5; i++) s.record(sample({ ttftMs: 1000, at: 0 }));
    for (let i = 0; i < 5; i++) s.record(sample({ ttftMs: 100, at: 10 * MIN }));
    now = 10 * MIN;
    expect(s.ttftP50('p', 'm')).toEqual({ value: 550, samples: 10 });
    now = 15 * MIN;
    expect(s.ttftP50('p', 'm')).toEqual({ value: 550, samples: 10 });
    now = 15 * MIN + 1; // the first five are now too old (the cached value must not survive this)
    expect(s.ttftP50('p', 'm')).toEqual({ value: 100, samples: 5 });
    now = 25 * MIN + 1;
    expect(s.ttftP50('p', 'm')).toBeNull();
  });

  it('invalidates the cached value on record', () => {
    const s = new LiveStats({ now: () => 0, minSamples: 1 });
    s.record(sample({ ttftMs: 10 }));
    expect(s.ttftP50('p', 'm')?.value).toBe(10);
    s.record(sample({ ttftMs: 30 }));
    expect(s.ttftP50('p', 'm')?.value).toBe(20);
    expect(s.throughputP50('p', 'm')?.value).toBe(100);
    s.record(sample({ outputTokens: 400, generationMs: 1000 }));
    expect(s.throughputP50('p', 'm')?.value).toBe(100);
    s.record(sample({ outputTokens: 400, generationMs: 1000 }));
    expect(s.throughputP50('p', 'm')?.value).toBe(250);
  });

  it('drops malformed samples', () => {
    const s = new LiveStats({ now: () => 0, minSamples: 1 });
    s.record(sample({ at: NaN }));
    expect(s.snapshot()).toEqual([]);
    s.record(sample({ ttftMs: -5, outputTokens: NaN, generationMs: Infinity }));
    expect(s.ttftP50('p', 'm')).toBeNull();
    expect(s.throughputP50('p', 'm')).toBeNull();
  });

  it('matches a brute-force median over random samples', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ ttft: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }), ok: fc.boolean(), age: fc.integer({ min: 0, max: 30 }) }), { maxLength: 60 }), (xs) => {
        const now = 30 * MIN;
        const s = new LiveStats({ now: () => now, window: 20, minSamples: 3, maxAgeMs: 15 * MIN });
        for (const x of xs) s.record(sample({ ttftMs: x.ttft, ok: x.ok, at: now - x.age * MIN }));
        const kept = xs.slice(-20).filter((x) => x.ok && x.ttft !== null && x.age <= 15).map((x) => x.ttft as number).sort((a, b) => a - b);
        const got = s.ttftP50('p', 'm');
        if (kept.length < 3) expect(got).toBeNull();
        else expect(got).toEqual({ value: percentileSorted(kept, 0.5), samples: kept.length });
      }),
      { numRuns: 300 },
    );
  });

  it('snapshots every pair', () => {
    const s = new LiveStats({ now: () => 0, minSamples: 2 });
    s.record(sample({ provider: 'b', model: 'x', ttftMs: 100 }));
    s.record(sample({ provider: 'b', model: 'x', ttftMs: 300 }));
    s.record(sample({ provider: 'b', model: 'x', ok: false }));
    s.record(sample({ provider: 'a', model: 'y', ttftMs: 50 }));
    expect(s.snapshot()).toEqual([
      { provider: 'a', model: 'y', ttftP50: null, throughputP50: null, samples: 1, failures: 0 },
      { provider: 'b', model: 'x', ttftP50: 200, throughputP50: 100, samples: 2, failures: 1 },
    ]);
  });

  it('exports and imports raw windows', () => {
    const a = new LiveStats({ now: () => 0, minSamples: 2, window: 4 });
    a.record(sample({ ttftMs: 100, at: 1 }));
    a.record(sample({ ttftMs: null, at: 2, ok: false }));
    a.record(sample({ ttftMs: 300, at: 3 }));
    const exported = JSON.parse(JSON.stringify(a.exportWindows()));
    expect(exported).toEqual({
      version: 1,
      windows: [
        {
          provider: 'p',
          model: 'm',
          samples: [
            [1, 100, 100, 1000, 1],
            [2, null, 100, 1000, 0],
            [3, 300, 100, 1000, 1],
          ],
        },
      ],
    });

    const b = new LiveStats({ now: () => 0, minSamples: 2, window: 4 });
    b.importWindows(exported);
    expect(b.ttftP50('p', 'm')).toEqual({ value: 200, samples: 2 });
    expect(b.exportWindows()).toEqual(exported);

    // Merge: union ordered by time, exact duplicates once, newest `window` kept.
    b.record(sample({ ttftMs: 500, at: 4 }));
    b.record(sample({ ttftMs: 700, at: 0 }));
    b.importWindows(exported);
    expect(b.exportWindows().windows[0].samples.map((t) => t[0])).toEqual([1, 2, 3, 4]);
    expect(b.ttftP50('p', 'm')).toEqual({ value: 300, samples: 3 });

    expect(() => b.importWindows({ version: 2, windows: [] })).toThrow(/invalid live statistics export/);
    expect(() => b.importWindows({ version: 1, windows: [{ provider: 'p', model: 'm', samples: [[1, -1, 0, 0, 1]] }] })).toThrow(/invalid/);
    expect(b.ttftP50('p', 'm')).toEqual({ value: 300, samples: 3 });
  });

  it('records without growing memory per sample', () => {
    const s = new LiveStats({ now: () => 0 });
    const x = sample();
    for (let i = 0; i < 100_000; i++) {
      x.at = i;
      x.ttftMs = i % 500;
      s.record(x);
    }
    expect(s.exportWindows().windows[0].samples).toHaveLength(200);
    expect(s.snapshot()[0].samples).toBe(200);
    expect(s.ttftP50('p', 'm')?.samples).toBe(200);
  });
});
