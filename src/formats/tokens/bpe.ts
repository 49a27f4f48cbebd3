/**
 * OpenAI's byte-pair encodings (o200k_base, cl100k_base) from `gpt-tokenizer`, which ships its rank tables inside the
 * package (no download at run time). Loaded on first use: o200k costs ~130 ms and ~40 MB of heap to load, which
 * router start-up should not pay when no request ever needs a count. `warmBpe()` lets a caller pay it off the
 * request path instead.
 */
import { createRequire } from 'node:module';

export type BpeEncoding = 'o200k' | 'cl100k';

interface Encoder {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
}

const MODULES: Record<BpeEncoding, string> = {
  o200k: 'gpt-tokenizer/cjs/encoding/o200k_base',
  cl100k: 'gpt-tokenizer/cjs/encoding/cl100k_base',
};

// A synchronous require keeps the counting API synchronous while still deferring the load to first use.
const requireCjs = createRequire(import.meta.url);
const loaded: Partial<Record<BpeEncoding, Encoder>> = {};

function encoder(encoding: BpeEncoding): Encoder {
  let enc = loaded[encoding];
  if (!enc) {
    enc = requireCjs(MODULES[encoding]) as Encoder;
    loaded[encoding] = enc;
  }
  return enc;
}

// Text such as `<|endoftext|>` inside a prompt is plain text to the API, never a control token, and must not throw.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Loads the encodings now (e.g. from a timer after the server listens) so the first request does not wait. */
export function warmBpe(encodings: readonly BpeEncoding[] = ['o200k']): void {
  // Counting a little prose, code and JSON also gets the counting path compiled before the first real request.
  for (const e of encodings) encoder(e).countTokens(WARM_UP_TEXT, PLAIN_TEXT);
}

const WARM_UP_TEXT = [
  'You are a helpful assistant. Answer the question below, citing the files you read.',
  'export function add(a: number, b: number): number {\n  return a + b;\n}',
  JSON.stringify({ type: 'object', properties: { path: { type: 'string', description: 'Absolute path' } }, required: ['path'] }),
].join('\n\n');


/**
 * The BPE pre-tokeniser can turn a run of letters, of punctuation or of whitespace into a single piece of unbounded
 * length, and BPE merging is quadratic in the piece length (100 k repeated letters, or 50 k CJK characters without
 * spaces, take seconds). Longer runs are therefore counted in slices (MAX_PIECE characters, MAX_SPACE_PIECE for
 * whitespace); a cut costs at most about one token of accuracy, and ordinary words and indentation are far shorter.
 * The scan classifies by char code only (a Unicode-property regex over 200 KB costs ~20 ms): ASCII letters and every
 * non-ASCII character count as letters, which only decides where long runs are cut.
 */
const MAX_PIECE = 64;
/** Whitespace merges into tokens of up to 128 spaces; slicing it finer would double its count. */
const MAX_SPACE_PIECE = 256;

const LETTER = 0;
const PUNCT = 1;
const SPACE = 2;
const OTHER = 3;

function classify(c: number): number {
  if (c >= 0x80) return LETTER;
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) return LETTER;
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return SPACE;
  if (c >= 0x30 && c <= 0x39) return OTHER; // digits: the pre-tokeniser splits them in threes anyway
  return PUNCT;
}

/** Tokens of `text` under the encoding, robust against pathological inputs. */
export function countBpe(text: string, encoding: BpeEncoding): number {
  if (text.length === 0) return 0;
  const enc = encoder(encoding);
  let total = 0;
  let from = 0; // start of the text not yet counted
  let runStart = 0;
  let runKind = OTHER;
  for (let i = 0; i < text.length; i++) {
    const kind = classify(text.charCodeAt(i));
    if (kind !== runKind || kind === OTHER) {
      runKind = kind;
      runStart = i;
      continue;
    }
    const limit = kind === SPACE ? MAX_SPACE_PIECE : MAX_PIECE;
    if (i - runStart < limit) continue;
    // A run grew past its limit: count everything before its cut point, then go on from there.
    let cut = runStart + limit;
    if (isHighSurrogate(text.charCodeAt(cut - 1))) cut += 1;
    if (cut <= from) continue;
    total += enc.countTokens(text.slice(from, cut), PLAIN_TEXT);
    from = cut;
    runStart = cut;
  }
  if (from === 0) return enc.countTokens(text, PLAIN_TEXT);
  if (from < text.length) total += enc.countTokens(text.slice(from), PLAIN_TEXT);
  return total;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
