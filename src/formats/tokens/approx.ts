/**
 * A BPE-free estimate of o200k token counts, for the request path (a translated stream's `message_start`, limit
 * reservations, `auto`'s context filter, router conditions). Loading the real BPE costs ~50 MB of memory and ~130 ms,
 * which a router should not pay for numbers that are estimates anyway; only an exact count asked for
 * (`count_tokens` for an OpenAI model) loads it (docs/token-counting.md, docs/decisions/0007-lazy-optional-modules.md).
 *
 * The text is cut into the pieces o200k's pre-tokeniser cuts it into (words with their leading space or punctuation
 * character, digit groups of up to three, punctuation runs, whitespace runs), by character code only: the piece
 * boundaries match the real pre-tokeniser's on ASCII text (every boundary the real one makes is one here, and the
 * exact BPE counts of these pieces add up to the exact count of the text). Each piece then costs what pieces of its
 * kind cost on average in o200k: a function of its length, its case shape and what precedes it, fitted to ~3 MB of
 * prose, code, JSON, Claude Code prompts and 13 languages (`node scripts/fit-token-approx.mjs` re-fits these numbers
 * and prints its error on held-out text). Held out: English prose, Markdown and code within ~4 %, JSON with hashes
 * ~-8 %, Chinese, Japanese, Korean and Russian within ~11 %, other Latin-script languages 0 to -29 % (their words are
 * outside o200k's English-heavy vocabulary more often than their shape says), random base64 ~-20 %
 * (docs/token-counting.md has the table).
 *
 * ~10 ns a character; estimates of long strings are remembered (below), so a resent prompt costs little.
 */
import { CountMemo } from './memo.js';

/** Piece kinds. */
export const WORD = 0;
export const DIGITS = 1;
export const PUNCT = 2;
export const SPACE = 3;
export const NEWLINE = 4;

// Character classes.
const C_UPPER = 1;
const C_LOWER = 2;
/** A letter without an ASCII case: accented Latin, Greek, Cyrillic, CJK, Hangul, Arabic... (both of o200k's letter classes). */
const C_OTHER = 3;
const C_DIGIT = 4;
const C_SPACE = 5;
const C_NL = 6;
const C_PUNCT = 7;

function asciiClass(c: number): number {
  if (c >= 97 && c <= 122) return C_LOWER;
  if (c >= 65 && c <= 90) return C_UPPER;
  if (c >= 48 && c <= 57) return C_DIGIT;
  if (c === 10 || c === 13) return C_NL;
  if (c === 32 || (c >= 9 && c <= 12)) return C_SPACE;
  return C_PUNCT;
}

const ASCII_CLASS = Uint8Array.from({ length: 128 }, (_, c) => asciiClass(c));

function classOf(c: number): number {
  if (c < 128) return ASCII_CLASS[c];
  if (c === 0xa0 || c === 0x85 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff) return C_SPACE;
  // Astral characters are mostly emoji and symbols.
  if (c >= 0xd800 && c <= 0xdfff) return C_PUNCT;
  if (c < 0x2000) return c === 0xd7 || c === 0xf7 || (c >= 0xa1 && c <= 0xbf) || (c >= 0x2b9 && c <= 0x2ff && c !== 0x2bc) ? C_PUNCT : C_OTHER;
  // General punctuation, arrows, maths, box drawing, dingbats; CJK and fullwidth punctuation; private use.
  if (c <= 0x2bff || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff01 && c <= 0xff20) || (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65) || (c >= 0xe000 && c <= 0xf8ff)) return C_PUNCT;
  return C_OTHER;
}

function isLetter(k: number): boolean {
  return k === C_UPPER || k === C_LOWER || k === C_OTHER;
}

/** What the scanner reports of a piece; one object reused for every piece (read it inside the callback). */
export interface Piece {
  kind: number;
  start: number;
  end: number;
  /** WORD: 0 none, 1 a space, 2 another character (punctuation, tab) before the letters. PUNCT: 1 led by a space. */
  prefix: number;
  /** WORD: ASCII upper-case letters (they come first in a piece), lower-case letters, letters without case. */
  upper: number;
  lower: number;
  other: number;
  /** PUNCT: the punctuation characters; NEWLINE: the line breaks; PUNCT: trailing line breaks or slashes. */
  core: number;
  breaks: number;
}

/** Cuts `text` into o200k pre-tokeniser pieces (see above) and calls `visit` for each, in order. */
export function scanPieces(text: string, visit: (piece: Readonly<Piece>) => void): void {
  const n = text.length;
  const p: Piece = { kind: WORD, start: 0, end: 0, prefix: 0, upper: 0, lower: 0, other: 0, core: 0, breaks: 0 };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const k = classOf(c);
    const k1 = i + 1 < n ? classOf(text.charCodeAt(i + 1)) : 0;
    p.start = i;
    if (isLetter(k) || ((k === C_SPACE || k === C_PUNCT) && isLetter(k1))) {
      // [^\r\n\p{L}\p{N}]? [upper]* [lower]+ ('s|'t|'re|'ve|'m|'ll|'d)?, or [upper]+ [lower]* ...
      p.prefix = isLetter(k) ? 0 : c === 32 ? 1 : 2;
      if (p.prefix !== 0) i++;
      let upper = 0;
      let lower = 0;
      let other = 0;
      for (; i < n; i++) {
        const d = classOf(text.charCodeAt(i));
        if (d === C_UPPER) upper++;
        else if (d === C_OTHER) other++;
        else break;
      }
      for (; i < n; i++) {
        const d = classOf(text.charCodeAt(i));
        if (d === C_LOWER) lower++;
        else if (d === C_OTHER) other++;
        else break;
      }
      if (i + 1 < n && text.charCodeAt(i) === 39) {
        const a = text.charCodeAt(i + 1) | 32;
        const b = i + 2 < n ? text.charCodeAt(i + 2) | 32 : 0;
        if (a === 115 || a === 116 || a === 109 || a === 100) i += 2;
        else if ((a === 114 && b === 101) || (a === 118 && b === 101) || (a === 108 && b === 108)) i += 3;
      }
      p.kind = WORD;
      p.upper = upper;
      p.lower = lower;
      p.other = other;
    } else if (k === C_DIGIT) {
      while (i < n && i - p.start < 3 && classOf(text.charCodeAt(i)) === C_DIGIT) i++;
      p.kind = DIGITS;
    } else if (k === C_PUNCT || (c === 32 && k1 === C_PUNCT)) {
      // ' '? [^\s\p{L}\p{N}]+ [\r\n/]*
      p.prefix = k === C_PUNCT ? 0 : 1;
      i += p.prefix;
      while (i < n && classOf(text.charCodeAt(i)) === C_PUNCT) i++;
      p.core = i - p.start - p.prefix;
      let breaks = 0;
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 10 || d === 13) breaks++;
        else if (d !== 47) break;
      }
      p.kind = PUNCT;
      p.breaks = breaks;
    } else {
      // \s*[\r\n]+ | \s+(?!\S) | \s+
      let lastBreak = -1;
      for (; i < n; i++) {
        const d = classOf(text.charCodeAt(i));
        if (d === C_NL) lastBreak = i;
        else if (d !== C_SPACE) break;
      }
      if (lastBreak >= 0) {
        i = lastBreak + 1;
        p.kind = NEWLINE;
      } else {
        // The last space before a word or punctuation belongs to it.
        if (i < n && i - p.start >= 2) i--;
        p.kind = SPACE;
      }
    }
    p.end = i;
    visit(p);
  }
}

/** Latin letters with diacritics are counted as letters of their word, plus this much each. */
export const ACCENT_COST = 0.748;

/** `base + slope * max(0, length - knee)` tokens for a piece of `length` letters (or punctuation characters). */
export interface LengthCost {
  base: number;
  slope: number;
  knee: number;
}

/**
 * Fitted by `scripts/fit-token-approx.mjs` (least squares per group over every piece of the corpus). Words: by what
 * precedes them (0 nothing, 1 a space, 2 other) and case shape (l lower, C Capitalised, U UPPER, M MIXed upper run
 * then lower); punctuation runs: led by a space (1) or not (0), followed by a line break (n) or not.
 */
export const LENGTH_COSTS: Readonly<Record<string, LengthCost>> = {
  p0: { base: 1.021, slope: 0.55, knee: 3 },
  p0n: { base: 0.742, slope: 0.211, knee: 0 },
  p1: { base: 0.995, slope: 0.028, knee: 0 },
  p1n: { base: 1.002, slope: 0.03, knee: 0 },
  w0C: { base: 1.028, slope: 0.036, knee: 4 },
  w0M: { base: 2.07, slope: 0, knee: 3 },
  w0U: { base: 1.105, slope: 0.247, knee: 4 },
  w0l: { base: 1.124, slope: 0.61, knee: 10 },
  w1C: { base: 1.052, slope: 0.109, knee: 5 },
  w1M: { base: 0.609, slope: 0.197, knee: 0 },
  w1U: { base: 1.065, slope: 0.036, knee: 2 },
  w1l: { base: 1.004, slope: 0.028, knee: 5 },
  w2C: { base: 1.123, slope: 0.125, knee: 0 },
  w2M: { base: 2.459, slope: 0.073, knee: 2 },
  w2U: { base: 1.409, slope: 0.273, knee: 5 },
  w2l: { base: 1.017, slope: 0.131, knee: 2 },
};

/**
 * Tokens a letter of a word in another script costs (the word's most frequent script decides), without a leading
 * character (0) or with one (1): k CJK ideographs and kana-less Han, h Hangul, y Cyrillic and Greek, z the rest
 * (kana, Arabic, Hebrew, Indic, Thai...).
 */
export const LETTER_COSTS: Readonly<Record<string, number>> = {
  oh0: 0.822,
  oh1: 0.684,
  ok0: 0.828,
  ok1: 0.957,
  oy0: 0.37,
  oy1: 0.246,
  oz0: 0.692,
  oz1: 0.68,
};

/** A word's script outside ASCII: l Latin with diacritics, or k, h, y, z as in LETTER_COSTS. */
const SCRIPTS = ['l', 'k', 'h', 'y', 'z'] as const;

function scriptOf(text: string, start: number, end: number): number {
  let latin = 0;
  let han = 0;
  let hangul = 0;
  let cyrillic = 0;
  let rest = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) continue;
    if (c < 0x250 || (c >= 0x1e00 && c <= 0x1eff) || (c >= 0x300 && c <= 0x36f)) latin++;
    else if (c >= 0x370 && c <= 0x52f) cyrillic++;
    else if (c >= 0x3040 && c <= 0x30ff) rest++;
    else if ((c >= 0x2e80 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xffef)) han++;
    else if ((c >= 0xac00 && c <= 0xd7af) || (c >= 0x1100 && c <= 0x11ff)) hangul++;
    else rest++;
  }
  const most = Math.max(latin, han, hangul, cyrillic, rest);
  if (most === han) return 1;
  if (most === hangul) return 2;
  if (most === cyrillic) return 3;
  if (most === latin) return 0;
  return 4;
}

const SHAPES = ['l', 'C', 'U', 'M'] as const;

/**
 * Groups by number, so that pricing a piece allocates nothing: 0-11 words (`prefix * 4 + shape`), 12-15 punctuation
 * (`12 + prefix * 2 + breaks`), 16-23 letters of other scripts (`16 + (script - 1) * 2 + prefix`), 24 one token.
 */
const GROUP_NAMES: readonly string[] = [
  ...[0, 1, 2].flatMap((prefix) => SHAPES.map((shape) => `w${prefix}${shape}`)),
  'p0',
  'p0n',
  'p1',
  'p1n',
  ...SCRIPTS.slice(1).flatMap((script) => [`o${script}0`, `o${script}1`]),
  '1',
];
const ONE = GROUP_NAMES.length - 1;
const LENGTH_BY_ID: ReadonlyArray<LengthCost | undefined> = GROUP_NAMES.map((g) => LENGTH_COSTS[g]);
const LETTER_BY_ID: ReadonlyArray<number | undefined> = GROUP_NAMES.map((g) => LETTER_COSTS[g]);

/** Out-parameters of `classify` (one object, reused). */
const scratch = { group: 0, length: 0, accents: 0 };

function classify(text: string, p: Readonly<Piece>): void {
  if (p.kind === WORD) {
    // Letters, and a contraction (`'s`, `'ll`) when there is one.
    const length = p.end - p.start - (p.prefix === 0 ? 0 : 1);
    const script = p.other > 0 ? scriptOf(text, p.end - length, p.end) : 0;
    scratch.length = length;
    if (script !== 0) {
      scratch.group = 16 + (script - 1) * 2 + (p.prefix === 0 ? 0 : 1);
      scratch.accents = 0;
      return;
    }
    const shape = p.upper === 0 ? 0 : p.lower === 0 && p.upper > 1 ? 2 : p.upper === 1 ? 1 : 3;
    scratch.group = p.prefix * 4 + shape;
    scratch.accents = p.other;
  } else if (p.kind === PUNCT) {
    scratch.group = 12 + p.prefix * 2 + (p.breaks > 0 ? 1 : 0);
    scratch.length = p.core;
    scratch.accents = 0;
  } else {
    scratch.group = ONE;
    scratch.length = 1;
    scratch.accents = 0;
  }
}

/**
 * How a piece is priced: `group` names a LENGTH_COSTS entry (priced by `length`, plus ACCENT_COST per `accents`)
 * or a LETTER_COSTS entry (priced per `length` letter); digit groups and whitespace cost one token (`group` "1").
 * For the fitting script.
 */
export function pieceGroup(text: string, p: Readonly<Piece>): { group: string; length: number; accents: number } {
  classify(text, p);
  return { group: GROUP_NAMES[scratch.group], length: scratch.length, accents: scratch.accents };
}

function pieceCost(text: string, p: Readonly<Piece>): number {
  classify(text, p);
  const lc = LENGTH_BY_ID[scratch.group];
  if (lc) return lc.base + lc.slope * Math.max(0, scratch.length - lc.knee) + scratch.accents * ACCENT_COST;
  const letter = LETTER_BY_ID[scratch.group];
  return letter !== undefined ? letter * scratch.length : 1;
}

/**
 * Estimates of strings of this many characters or more are remembered, up to MEMO_BUDGET_CHARS characters of them
 * (CountMemo's two generations): an agent resends its tool definitions, system prompt and history every turn, and
 * looking a 100 KB string up costs a tenth of scanning it. From 16 characters a lookup already costs less than a
 * scan: the short texts of a large agent request (its assistant turns' lead-ins, tool calls' JSON: ~50 of 20-80
 * characters in the bench's body) were a fifth of its estimate when scanned every time. The budget bounds the
 * request text the memo keeps alive (~2 MB; one request's texts up to half of it stay remembered in full).
 */
const MEMO_MIN_CHARS = 16;
const MEMO_BUDGET_CHARS = 2_000_000;
const memo = new CountMemo(MEMO_BUDGET_CHARS);

/** Estimated o200k tokens of `text` (never loads a BPE table). 0 for an empty text, at least 1 otherwise. */
export function approxTokens(text: string): number {
  if (text.length === 0) return 0;
  const remembered = text.length >= MEMO_MIN_CHARS ? memo.get(text) : undefined;
  if (remembered !== undefined) return remembered;
  let total = 0;
  scanPieces(text, (p) => {
    total += pieceCost(text, p);
  });
  const n = Math.max(1, Math.round(total));
  if (text.length >= MEMO_MIN_CHARS) memo.set(text, n);
  return n;
}

/** Forgets every remembered estimate (tests measure cold timings with it). */
export function clearApproxMemo(): void {
  memo.clear();
}
