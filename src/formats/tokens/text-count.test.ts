import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countBpe } from './bpe.js';
import { clearTextCountMemo, CountMemo, countText, countTextApprox } from './text-count.js';
import { claudeCodeBody, SHARED } from './testing/fixtures.js';

/** The recorded provider responses of ../shared/fixtures/recorded, pretty-printed as stored, in a fixed order. */
function recordedJson(): string {
  const dir = path.join(SHARED, 'fixtures/recorded');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).sort();
  return files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
}

function corpora(): Record<string, string> {
  const ts = readFileSync(createRequire(import.meta.url).resolve('typescript/lib/typescript.js'), 'utf8');
  let cjk = '';
  const zh = '中文文本的分词与英文不同，每个汉字通常是一个或两个词元。模型的上下文窗口以词元计算，而不是以字符计算。';
  while (cjk.length < 60_000) cjk += zh;
  return {
    'wire-formats.md (prose, tables)': readFileSync(path.join(SHARED, 'reference/wire-formats.md'), 'utf8'),
    'gateways.md (prose)': readFileSync(path.join(SHARED, 'reference/gateways.md'), 'utf8'),
    'Claude Code request JSON': JSON.stringify(claudeCodeBody()),
    'typescript.js (code)': ts.slice(1_000_000, 1_200_000),
    // Inputs that never change with the project's own files (a dependency update once moved a package-lock.json sample).
    'recorded provider responses (JSON)': recordedJson().slice(0, 150_000),
    'Chinese prose': cjk,
    'base64 blob': pseudoRandomBytes(60_000).toString('base64'),
  };
}

describe('countText / countTextApprox', () => {
  it('is exact up to 24,000 characters', () => {
    const s = readFileSync(path.join(SHARED, 'reference/wire-formats.md'), 'utf8').slice(0, 24_000);
    expect(countTextApprox(s)).toBe(countBpe(s, 'o200k'));
    expect(countText(s, 'cl100k')).toBe(countBpe(s, 'cl100k'));
  });

  it('samples longer texts to within 1.5 % of the exact count on prose, code, JSON, CJK and base64', () => {
    const rows: string[] = [];
    for (const [name, text] of Object.entries(corpora())) {
      const exact = countBpe(text, 'o200k');
      const approx = countTextApprox(text);
      const err = (approx - exact) / exact;
      rows.push(`${name}: ${text.length} chars, exact ${exact}, sampled ${approx} (${(100 * err).toFixed(2)} %)`);
      expect.soft(Math.abs(err), name).toBeLessThan(0.015);
    }
    console.log(rows.join('\n'));
  });

  it('is deterministic and remembers counts', () => {
    const text = readFileSync(path.join(SHARED, 'reference/gateways.md'), 'utf8');
    clearTextCountMemo();
    const t0 = performance.now();
    const first = countTextApprox(text);
    const cold = performance.now() - t0;
    const t1 = performance.now();
    expect(countTextApprox(text)).toBe(first);
    expect(countTextApprox(`${text}`.slice(0))).toBe(first);
    expect(performance.now() - t1).toBeLessThan(Math.max(1, cold));
    const mid = text.slice(0, 5_000);
    expect(countText(mid, 'o200k')).toBe(countText(mid, 'o200k'));
  });
});

/** Deterministic noise (a linear congruential generator), so the test measures the same blob every run. */
function pseudoRandomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('CountMemo', () => {
  it('keeps a text looked up in the last generation and drops one that was not', () => {
    const memo = new CountMemo(100); // generations of 50 characters
    memo.set('a'.repeat(20), 1);
    memo.set('b'.repeat(20), 2);
    memo.set('c'.repeat(20), 3); // 60 > 50: a and b become the old generation
    expect(memo.get('a'.repeat(20))).toBe(1); // back into the young one
    memo.set('d'.repeat(20), 4); // young c, a, d would be 60: c and a become old, b is dropped
    expect(memo.get('b'.repeat(20))).toBeUndefined();
    expect(memo.get('a'.repeat(20))).toBe(1);
    expect(memo.get('c'.repeat(20))).toBe(3);
    expect(memo.get('d'.repeat(20))).toBe(4);
  });

  it('never holds more than its character budget', () => {
    const memo = new CountMemo(100);
    const text = (i: number) => String(i).padStart(10, '-');
    for (let i = 0; i < 50; i++) memo.set(text(i), i);
    // The young generation holds the newest 5 (50 characters); hits there change nothing.
    for (let i = 45; i < 50; i++) expect(memo.get(text(i))).toBe(i);
    // The old one at most the 5 before; everything older is gone.
    for (let i = 0; i < 40; i++) expect(memo.get(text(i))).toBeUndefined();
  });

  it('does not take a text larger than a quarter of its budget', () => {
    const memo = new CountMemo(100);
    memo.set('x'.repeat(26), 9);
    expect(memo.get('x'.repeat(26))).toBeUndefined();
  });
});
