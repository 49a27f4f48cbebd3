/**
 * Calibration report: every recorded request of the shared cassettes, estimated and compared with the prompt token
 * count the provider billed. Prints the table (docs/token-counting.md quotes it) and holds each family to the error
 * it achieves today, so a change that makes estimates worse fails here. The numbers are in-sample: the fitted
 * constants of profiles.ts and openai.ts were fitted to these same recordings.
 *
 * Two tiers: `estimateInputTokens` (the request path, BPE-free, every family) and `countInputTokens`
 * (`count_tokens`: the real BPE for OpenAI families, the same estimate for the others).
 */
import { describe, expect, it } from 'vitest';
import { countInputTokens, estimateInputTokens, isOpenAiFamily } from './index.js';
import { loadSamples, type Sample } from './testing/fixtures.js';

interface Row {
  sample: Sample;
  /** The request path's estimate. */
  estimate: number;
  /** What `count_tokens` answers. */
  count: number;
}

const rows: Row[] = loadSamples().map((sample) => ({
  sample,
  estimate: estimateInputTokens(sample.request, sample.family),
  count: countInputTokens(sample.request, sample.family),
}));

const errorOf = (r: Row, tier: 'estimate' | 'count'): number => (r[tier] - r.sample.actual) / r.sample.actual;

function stats(format: Sample['format'], tier: 'estimate' | 'count'): { n: number; mape: number; max: number } {
  const used = rows.filter((r) => r.sample.format === format && !r.sample.excluded);
  const abs = used.map((r) => Math.abs(errorOf(r, tier)));
  return { n: used.length, mape: abs.reduce((a, b) => a + b, 0) / used.length, max: Math.max(...abs) };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function table(): string {
  const lines = ['| format | model | recording | estimate | error | count_tokens | error | billed |', '|---|---|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const note = r.sample.excluded ? ` (excluded: ${r.sample.excluded})` : '';
    const exact = isOpenAiFamily(r.sample.family);
    lines.push(`| ${r.sample.format} | ${r.sample.request.model} | ${r.sample.name}${note} | ${r.estimate} | ${pct(errorOf(r, 'estimate'))} | ${exact ? r.count : 'same'} | ${exact ? pct(errorOf(r, 'count')) : ''} | ${r.sample.actual} |`);
  }
  lines.push('', '| format | requests | request-path estimate: MAPE | max error | count_tokens: MAPE | max error |', '|---|---:|---:|---:|---:|---:|');
  for (const f of ['openai', 'anthropic', 'gemini'] as const) {
    const e = stats(f, 'estimate');
    const c = stats(f, 'count');
    lines.push(`| ${f} | ${e.n} | ${pct(e.mape)} | ${pct(e.max)} | ${pct(c.mape)} | ${pct(c.max)} |`);
  }
  return lines.join('\n');
}

describe('token estimates against billed prompt tokens of recorded traffic', () => {
  it('has recordings of every format', () => {
    expect(stats('openai', 'estimate').n).toBeGreaterThanOrEqual(12);
    expect(stats('anthropic', 'estimate').n).toBeGreaterThanOrEqual(12);
    expect(stats('gemini', 'estimate').n).toBeGreaterThanOrEqual(18);
    console.log(table());
  });

  it('OpenAI request path (BPE-free): MAPE under 2 %, no request off by more than 7 %', () => {
    const s = stats('openai', 'estimate');
    expect(s.mape).toBeLessThan(0.02);
    expect(s.max).toBeLessThan(0.07);
  });

  it('OpenAI count_tokens (real o200k BPE): MAPE under 1 %, no request off by more than 7 %', () => {
    const s = stats('openai', 'count');
    expect(s.mape).toBeLessThan(0.01);
    expect(s.max).toBeLessThan(0.07);
  });

  it('Anthropic (calibrated estimate): MAPE under 4 %, no request off by more than 14 %', () => {
    const s = stats('anthropic', 'estimate');
    expect(s.mape).toBeLessThan(0.04);
    expect(s.max).toBeLessThan(0.14);
  });

  it('Gemini (calibrated estimate): MAPE under 5 %, no request off by more than 12 %', () => {
    const s = stats('gemini', 'estimate');
    expect(s.mape).toBeLessThan(0.05);
    expect(s.max).toBeLessThan(0.12);
  });

  it('count_tokens gets the exact OpenAI count for every recording but one', () => {
    // gpt-5-nano bills 3 more for a developer prompt followed by a conversation than for one alone; unexplained.
    const inexact = new Set(['openai--chat-multiturn.yaml#0']);
    const exact = rows.filter((r) => r.sample.format === 'openai' && !r.sample.excluded && !inexact.has(r.sample.name));
    expect(exact.length).toBeGreaterThanOrEqual(13);
    for (const r of exact) expect({ name: r.sample.name, count: r.count }).toEqual({ name: r.sample.name, count: r.sample.actual });
  });

  it('non-OpenAI families answer count_tokens with the request-path estimate', () => {
    for (const r of rows.filter((x) => !isOpenAiFamily(x.sample.family))) expect(r.count).toBe(r.estimate);
  });
});
