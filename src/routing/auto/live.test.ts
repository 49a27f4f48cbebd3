import { describe, expect, it } from 'vitest';
import { Catalog } from '../catalog/index.js';
import { LiveStats } from '../stats/index.js';
import { expandPool, selectAuto } from './index.js';
import { entry, model, names, needs } from './test-helpers.js';

describe('auto reacts to live statistics', () => {
  const catalog = Catalog.builtin();
  const { pool } = expandPool(catalog, ['groq', 'cerebras']);
  const MIN = 60_000;

  it('moves away from the prior-fastest model when it turns slow, and back when the samples age out or improve', () => {
    let now = 1_000_000;
    const stats = new LiveStats({ now: () => now, maxAgeMs: 15 * MIN });
    const pick = () => selectAuto({ pool, sort: [{ metric: 'latency' }], needs: needs(), stats });
    const first = pick();
    const fastest = `${first.ranked[0].provider}/${first.ranked[0].model}`;
    expect(fastest).toBe('cerebras/zai-glm-4.7');
    expect(first.ranked[0]).toMatchObject({ ttftMs: 300, ttftSource: 'prior' });

    // Four slow samples are not enough (minSamples 5): still the prior.
    const slow = (at: number) => stats.record({ provider: 'cerebras', model: 'zai-glm-4.7', ttftMs: 2500, outputTokens: 200, generationMs: 1000, ok: true, at });
    for (let i = 0; i < 4; i++) slow(now);
    expect(names(pick())[0]).toBe(fastest);

    slow(now);
    const moved = pick();
    expect(names(moved)[0]).not.toBe(fastest);
    expect(names(moved)[0]).toBe('groq/meta-llama/llama-4-scout-17b-16e-instruct');
    const demoted = moved.ranked.find((r) => r.model === 'zai-glm-4.7')!;
    expect(demoted).toMatchObject({ ttftMs: 2500, ttftSource: 'live' });
    expect(moved.reasoning).toContain('330 ms catalog prior');

    // Sixteen minutes later the samples have aged out: back to the prior.
    now += 16 * MIN;
    expect(names(pick())[0]).toBe(fastest);

    // Slow again, then it improves: the median follows the newer fast samples.
    for (let i = 0; i < 5; i++) slow(now);
    expect(names(pick())[0]).not.toBe(fastest);
    for (let i = 0; i < 6; i++) stats.record({ provider: 'cerebras', model: 'zai-glm-4.7', ttftMs: 120, outputTokens: 200, generationMs: 1000, ok: true, at: now });
    const back = pick();
    expect(names(back)[0]).toBe(fastest);
    expect(back.ranked[0]).toMatchObject({ ttftMs: 120, ttftSource: 'live' });
    expect(back.reasoning).toContain('(120 ms live p50)');
  });

  it('measures a model the prior underrates', () => {
    let now = 0;
    const stats = new LiveStats({ now: () => now });
    const a = model('x', 'a', { ttft: 500 });
    const b = model('y', 'b', { ttft: 900 });
    expect(names(selectAuto({ pool: [a, b].map(entry), sort: [{ metric: 'latency' }], needs: needs(), stats }))[0]).toBe('x/a');
    for (let i = 0; i < 5; i++) stats.record({ provider: 'y', model: 'b', ttftMs: 200 + i, outputTokens: 10, generationMs: 100, ok: true, at: now++ });
    expect(names(selectAuto({ pool: [a, b].map(entry), sort: [{ metric: 'latency' }], needs: needs(), stats }))[0]).toBe('y/b');
  });

  it('ranks throughput by live tokens/s once there are enough samples', () => {
    const stats = new LiveStats({ now: () => 0 });
    const a = model('x', 'a', { tps: 300 });
    const b = model('y', 'b', { tps: 100 });
    const pick = () => selectAuto({ pool: [a, b].map(entry), sort: [{ metric: 'throughput' }], needs: needs(), stats });
    expect(names(pick())[0]).toBe('x/a');
    // x/a actually delivers 50 tokens/s.
    for (let i = 0; i < 5; i++) stats.record({ provider: 'x', model: 'a', ttftMs: 100, outputTokens: 100, generationMs: 2000, ok: true, at: 0 });
    const r = pick();
    expect(names(r)).toEqual(['y/b', 'x/a']);
    expect(r.ranked[1]).toMatchObject({ throughput: 50, throughputSource: 'live' });
  });

  it('ignores failed attempts', () => {
    const stats = new LiveStats({ now: () => 0 });
    for (let i = 0; i < 10; i++) stats.record({ provider: 'cerebras', model: 'zai-glm-4.7', ttftMs: 9000, outputTokens: 0, generationMs: 0, ok: false, at: 0 });
    expect(names(selectAuto({ pool, sort: [{ metric: 'latency' }], needs: needs(), stats }))[0]).toBe('cerebras/zai-glm-4.7');
  });
});
