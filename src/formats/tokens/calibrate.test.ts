/**
 * Calibration report: every recorded request of the shared cassettes, estimated and compared with the prompt token
 * count the provider billed. Prints the table (docs/token-counting.md quotes it) and holds each family to the error
 * it achieves today, so a change that makes estimates worse fails here. The numbers are in-sample: the fitted
 * constants of profiles.ts and openai.ts were fitted to these same recordings.
 */
import { describe, expect, it } from 'vitest';
import { estimateInputTokens } from './index.js';
import { loadSamples, type Sample } from './testing/fixtures.js';

interface Row {
  sample: Sample;
  estimate: number;
  /** (estimate - actual) / actual */
  error: number;
}

const rows: Row[] = loadSamples().map((sample) => {
  const estimate = estimateInputTokens(sample.request, sample.family);
  return { sample, estimate, error: (estimate - sample.actual) / sample.actual };
});

function stats(format: Sample['format']): { n: number; mape: number; max: number } {
  const used = rows.filter((r) => r.sample.format === format && !r.sample.excluded);
  const abs = used.map((r) => Math.abs(r.error));
  return { n: used.length, mape: abs.reduce((a, b) => a + b, 0) / used.length, max: Math.max(...abs) };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function table(): string {
  const lines = ['| format | model | recording | estimate | billed | error |', '|---|---|---|---:|---:|---:|'];
  for (const r of rows) {
    const note = r.sample.excluded ? ` (excluded: ${r.sample.excluded})` : '';
    lines.push(`| ${r.sample.format} | ${r.sample.request.model} | ${r.sample.name}${note} | ${r.estimate} | ${r.sample.actual} | ${pct(r.error)} |`);
  }
  lines.push('', '| format | requests | MAPE | max error |', '|---|---:|---:|---:|');
  for (const f of ['openai', 'anthropic', 'gemini'] as const) {
    const s = stats(f);
    lines.push(`| ${f} | ${s.n} | ${pct(s.mape)} | ${pct(s.max)} |`);
  }
  return lines.join('\n');
}

describe('token estimates against billed prompt tokens of recorded traffic', () => {
  it('has recordings of every format', () => {
    expect(stats('openai').n).toBeGreaterThanOrEqual(12);
    expect(stats('anthropic').n).toBeGreaterThanOrEqual(12);
    expect(stats('gemini').n).toBeGreaterThanOrEqual(18);
    console.log(table());
  });

  it('OpenAI (real o200k BPE): MAPE under 1 %, no request off by more than 7 %', () => {
    const s = stats('openai');
    expect(s.mape).toBeLessThan(0.01);
    expect(s.max).toBeLessThan(0.07);
  });

  it('Anthropic (calibrated o200k): MAPE under 4 %, no request off by more than 13 %', () => {
    const s = stats('anthropic');
    expect(s.mape).toBeLessThan(0.04);
    expect(s.max).toBeLessThan(0.13);
  });

  it('Gemini (calibrated o200k): MAPE under 7 %, no request off by more than 12 %', () => {
    const s = stats('gemini');
    expect(s.mape).toBeLessThan(0.07);
    expect(s.max).toBeLessThan(0.12);
  });

  it('gets the exact OpenAI count for every recording but one', () => {
    // gpt-5-nano bills 3 more for a developer prompt followed by a conversation than for one alone; unexplained.
    const inexact = new Set(['openai--chat-multiturn.yaml#0']);
    const exact = rows.filter((r) => r.sample.format === 'openai' && !r.sample.excluded && !inexact.has(r.sample.name));
    expect(exact.length).toBeGreaterThanOrEqual(13);
    for (const r of exact) expect({ name: r.sample.name, estimate: r.estimate }).toEqual({ name: r.sample.name, estimate: r.sample.actual });
  });
});
