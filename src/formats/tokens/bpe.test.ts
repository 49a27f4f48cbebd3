import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { countBpe } from './bpe.js';

// The library called directly, without the long-run slicing, as the reference.
const lib = createRequire(import.meta.url)('gpt-tokenizer/cjs/encoding/o200k_base') as { countTokens(t: string, o?: object): number };
const exact = (t: string): number => lib.countTokens(t, { disallowedSpecial: new Set() });

describe('countBpe', () => {
  it('counts with the real o200k and cl100k encodings', () => {
    expect(countBpe('hello world', 'o200k')).toBe(2);
    expect(countBpe("Hello, I'm a developer!", 'o200k')).toBe(6);
    expect(countBpe('Answer in up to 5 words: What\'s in this image?', 'o200k')).toBe(13);
    // cl100k splits this differently from o200k.
    expect(countBpe('  indented\n\tcode();', 'cl100k')).toBe(exactCl100k('  indented\n\tcode();'));
    expect(countBpe('', 'o200k')).toBe(0);
  });

  it('treats special-token text in a prompt as plain text instead of throwing', () => {
    expect(countBpe('before <|endoftext|> after <|im_start|>', 'o200k')).toBeGreaterThan(6);
    expect(countBpe('<|endoftext|>', 'cl100k')).toBeGreaterThan(1);
  });

  it('is exact on ordinary text, code and JSON (no run is long enough to be sliced)', () => {
    const samples = [
      'The quick brown fox jumps over the lazy dog. '.repeat(50),
      'function f(a: number): string {\n  return `${a}`;\n}\n'.repeat(40),
      JSON.stringify({ type: 'object', properties: { path: { type: 'string', description: 'The absolute path' } } }).repeat(30),
      'Ünïcödé façade naïve café — “quotes” ‘single’ … 日本語のテキスト、句読点。'.repeat(20),
    ];
    for (const s of samples) expect(countBpe(s, 'o200k')).toBe(exact(s));
  });

  it('stays fast and close on pathological runs (quadratic in the library)', () => {
    const cases = ['a'.repeat(100_000), ' '.repeat(100_000), '='.repeat(100_000), cjk(50_000), '😀'.repeat(30_000)];
    const t0 = performance.now();
    const counts = cases.map((c) => countBpe(c, 'o200k'));
    // A guard against the quadratic path (unsliced: ~5 s for the letters, ~6 s for the CJK text), with room for a loaded CI machine.
    expect(performance.now() - t0).toBeLessThan(3500);
    // Against the exact count of a prefix short enough for the library, scaled up.
    cases.forEach((c, i) => {
      const prefix = c.slice(0, 4000);
      const ratio = counts[i] / ((exact(prefix) * c.length) / prefix.length);
      expect(ratio).toBeGreaterThan(0.97);
      expect(ratio).toBeLessThan(1.08);
    });
  });

  it('never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(65) + 'x';
    // A cut between the halves of a pair would count two replacement characters instead of the emoji.
    expect(countBpe(emoji, 'o200k')).toBeLessThanOrEqual(exact('😀'.repeat(32)) + exact('😀'.repeat(33) + 'x') + 1);
  });
});

function cjk(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(0x4e00 + ((i * 7919) % 20000));
  return s;
}

function exactCl100k(t: string): number {
  const cl = createRequire(import.meta.url)('gpt-tokenizer/cjs/encoding/cl100k_base') as { countTokens(t: string): number };
  return cl.countTokens(t);
}
