import { Buffer } from 'node:buffer';

/**
 * One top-level member of a scanned object. All offsets are byte offsets into the scanned buffer, end-exclusive.
 *
 * - `keyStart`: the key's opening quote.
 * - `valueStart..valueEnd`: exactly the value's bytes (no surrounding whitespace).
 * - `memberStart..memberEnd`: the whole `"key": value` including the whitespace around it, but not the separating
 *   comma. `memberStart` is just after the `{` or the preceding `,`; `memberEnd` is the offset of the following `,`
 *   or `}`.
 */
export interface MemberSpan {
  key: string;
  keyStart: number;
  valueStart: number;
  valueEnd: number;
  memberStart: number;
  memberEnd: number;
}

export interface ScannedObject {
  /** Every top-level member in document order, duplicates included. */
  members: MemberSpan[];
  /** The member with this key; with duplicate keys the last one, which is the one `JSON.parse` keeps. */
  get(key: string): MemberSpan | undefined;
  openBrace: number;
  closeBrace: number;
  /**
   * Whether a `\uXXXX` escape anywhere in the scanned text (keys included, at any depth) names a char at or above
   * U+0080: the text then does not decode as byte strings (canonical/byte-strings.ts).
   */
  nonAsciiEscape: boolean;
  /** With `ScanOptions.longStrings`: the spans found, as a flat start, end list in document order. */
  longStrings?: number[];
}

export interface ScanOptions {
  /** Maximum nesting of objects/arrays, the top-level object counting as 1. Default 512. */
  maxDepth?: number;
  /**
   * Also collect the spans of the string values (not keys) of at least `minBytes` bytes that `wanted` accepts, as
   * `findStringValuesInValid` would find them (`ScannedObject.longStrings`): the same walk, so a translated request
   * need not search its body again.
   */
  longStrings?: LongStringFinder;
}

/** Which long string values to collect: `wanted` sees the path, as in `findStringValuesInValid`. */
export interface LongStringFinder {
  minBytes: number;
  wanted: (b: Buffer, keys: readonly number[], depth: number) => boolean;
}

export class JsonScanError extends Error {
  /** Byte offset of the offending byte (the buffer length for an unexpected end). */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'JsonScanError';
    this.offset = offset;
  }
}

export const DEFAULT_MAX_DEPTH = 512;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const IN_OBJECT = 1;
const IN_ARRAY = 2;

/** 1 for the characters that may follow a backslash (other than `u`). */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

/** 1 for hex digits. */
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
/** Each hex digit's value. */
const HEX_VALUE = new Uint8Array(256);
for (const c of '0123456789abcdef') HEX_VALUE[c.charCodeAt(0)] = HEX_VALUE[c.toUpperCase().charCodeAt(0)] = parseInt(c, 16);

/** A zero-copy `Buffer` view of any `Uint8Array`. */
export function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

class ScannedObjectImpl implements ScannedObject {
  private index: Map<string, MemberSpan> | undefined;
  constructor(
    readonly members: MemberSpan[],
    readonly openBrace: number,
    readonly closeBrace: number,
    readonly nonAsciiEscape: boolean,
    readonly longStrings: number[] | undefined,
  ) {}

  get(key: string): MemberSpan | undefined {
    const members = this.members;
    if (members.length <= 16) {
      for (let i = members.length - 1; i >= 0; i--) if (members[i].key === key) return members[i];
      return undefined;
    }
    if (!this.index) {
      this.index = new Map();
      for (const m of members) this.index.set(m.key, m);
    }
    return this.index.get(key);
  }
}

function describeByte(c: number): string {
  if (c >= 0x21 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `0x${c.toString(16).padStart(2, '0')}`;
}

/**
 * A single-use structural JSON scanner. String contents are skipped with native `indexOf('"')`; the bytes between
 * quotes are checked for backslashes and raw control characters four at a time through an aligned `Uint32Array`
 * view (no copy).
 */
class Scanner {
  private readonly b: Buffer;
  private readonly len: number;
  private readonly maxDepth: number;
  /** Word view of `b` starting at byte `align` (the first 4-aligned offset), `null` for tiny buffers. */
  private readonly words: Uint32Array | null;
  private readonly align: number;
  private readonly stack: number[] = [];
  /** Set by `skipString`: whether the string just skipped contained a backslash. */
  private escaped = false;
  /** A `\u` escape of a char >= U+0080 was seen (see ScannedObject.nonAsciiEscape). */
  private nonAsciiEscape = false;
  /** With a finder: for each open container, the offset of its current member's key (-1 in an array). */
  private readonly keys: number[] = [];
  private readonly longStrings: number[] | undefined;

  constructor(
    b: Buffer,
    maxDepth: number,
    private readonly finder?: LongStringFinder,
  ) {
    this.longStrings = finder ? [] : undefined;
    this.b = b;
    this.len = b.length;
    this.maxDepth = maxDepth;
    const align = (4 - (b.byteOffset & 3)) & 3;
    this.align = align;
    const nWords = this.len > align ? (this.len - align) >>> 2 : 0;
    this.words = nWords > 0 ? new Uint32Array(b.buffer, b.byteOffset + align, nWords) : null;
  }

  private fail(i: number): never {
    if (i >= this.len) throw new JsonScanError('Unexpected end of JSON input', this.len);
    throw new JsonScanError(`Unexpected token ${describeByte(this.b[i])} at byte ${i}`, i);
  }

  private skipWs(i: number): number {
    const b = this.b;
    const len = this.len;
    while (i < len) {
      const c = b[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    return i;
  }

  /** The first offset in [p, q) holding a byte < 0x20 or a backslash; q when there is none. */
  private findSpecial(p: number, q: number): number {
    const b = this.b;
    const align = this.align;
    // Bytes before the next word boundary.
    while (p < q && ((p - align) & 3) !== 0) {
      const c = b[p];
      if (c < 0x20 || c === BACKSLASH) return p;
      p++;
    }
    const words = this.words;
    if (words !== null && q - p >= 4) {
      // p is word-aligned here (and >= align) because at least 4 bytes remain.
      // SWAR: a byte < 0x20 sets its high bit in (w - 0x20..) & ~w; a 0x5c byte is a zero byte of w ^ 0x5c..
      let wi = (p - align) >> 2;
      const wEnd = (q - align) >> 2;
      while (wi < wEnd) {
        const w = words[wi];
        const x = w ^ 0x5c5c5c5c;
        if ((((w - 0x20202020) & ~w) | ((x - 0x01010101) & ~x)) & 0x80808080) break;
        wi++;
      }
      p = align + (wi << 2);
    }
    for (; p < q; p++) {
      const c = b[p];
      if (c < 0x20 || c === BACKSLASH) return p;
    }
    return q;
  }

  /** `i` is at an opening quote; returns the offset just past the closing quote. */
  private skipString(i: number): number {
    const b = this.b;
    let p = i + 1;
    let q = b.indexOf(QUOTE, p);
    let escaped = false;
    for (;;) {
      if (q < 0) throw new JsonScanError(`Unterminated string starting at byte ${i}`, i);
      const k = p === q ? q : this.findSpecial(p, q);
      if (k === q) break;
      if (b[k] !== BACKSLASH) throw new JsonScanError(`Bad control character in string literal at byte ${k}`, k);
      escaped = true;
      const e = b[k + 1];
      if (e === QUOTE) {
        // An escaped quote: the candidate end was not the end.
        p = k + 2;
        q = b.indexOf(QUOTE, p);
      } else if (e === 0x75 /* u */) {
        for (let h = k + 2; h < k + 6; h++) {
          if (h >= this.len || HEX[b[h]] === 0) {
            if (h >= this.len) throw new JsonScanError(`Unterminated string starting at byte ${i}`, i);
            throw new JsonScanError(`Bad Unicode escape at byte ${k}`, k);
          }
        }
        // >= 0x0080: the first two hex digits are not both 0, or the third is 8-f.
        if (b[k + 2] !== ZERO || b[k + 3] !== ZERO || HEX_VALUE[b[k + 4]] >= 8) this.nonAsciiEscape = true;
        p = k + 6;
      } else if (SIMPLE_ESCAPE[e] === 1) {
        p = k + 2;
      } else {
        throw new JsonScanError(`Bad escaped character at byte ${k}`, k);
      }
    }
    this.escaped = escaped;
    return q + 1;
  }

  private skipNumber(i: number): number {
    const b = this.b;
    let p = i;
    if (b[p] === MINUS) p++;
    let c = b[p];
    if (c === ZERO) p++;
    else if (c > ZERO && c <= NINE) {
      p++;
      for (c = b[p]; c >= ZERO && c <= NINE; c = b[++p]);
    } else this.fail(p);
    if (b[p] === DOT) {
      c = b[++p];
      if (!(c >= ZERO && c <= NINE)) this.fail(p);
      for (c = b[++p]; c >= ZERO && c <= NINE; c = b[++p]);
    }
    c = b[p];
    if (c === 0x65 || c === 0x45) {
      c = b[++p];
      if (c === PLUS || c === MINUS) c = b[++p];
      if (!(c >= ZERO && c <= NINE)) this.fail(p);
      for (c = b[++p]; c >= ZERO && c <= NINE; c = b[++p]);
    }
    return p;
  }

  private skipLiteral(i: number, lit: readonly number[]): number {
    const b = this.b;
    for (let k = 1; k < lit.length; k++) if (b[i + k] !== lit[k]) this.fail(i + k);
    return i + lit.length;
  }

  /** At a key inside a nested object: skips `"key" :` and the whitespace after it; returns the value's offset. */
  private skipKeyColon(i: number): number {
    if (this.b[i] !== QUOTE) this.fail(i);
    i = this.skipWs(this.skipString(i));
    if (this.b[i] !== COLON) this.fail(i);
    return this.skipWs(i + 1);
  }

  private tooDeep(i: number): never {
    throw new JsonScanError(`Maximum nesting depth ${this.maxDepth} exceeded at byte ${i}`, i);
  }

  /**
   * Skips one value starting exactly at `i` (whitespace already skipped), `depth` containers deep. Iterative, so
   * hostile nesting cannot overflow the call stack.
   */
  private skipValue(i: number, depth: number): number {
    const b = this.b;
    const stack = this.stack;
    const finder = this.finder;
    const keys = this.keys;
    let sp = 0;
    for (;;) {
      const c = b[i];
      if (c === QUOTE) {
        const start = i;
        i = this.skipString(i);
        if (finder !== undefined && i - start >= finder.minBytes && finder.wanted(b, keys, depth + sp)) this.longStrings!.push(start, i);
      } else if (c === LBRACE) {
        if (depth + sp + 1 > this.maxDepth) this.tooDeep(i);
        i = this.skipWs(i + 1);
        if (b[i] === RBRACE) i++;
        else {
          stack[sp++] = IN_OBJECT;
          if (finder !== undefined) keys[depth + sp - 1] = i;
          i = this.skipKeyColon(i);
          continue;
        }
      } else if (c === LBRACKET) {
        if (depth + sp + 1 > this.maxDepth) this.tooDeep(i);
        i = this.skipWs(i + 1);
        if (b[i] === RBRACKET) i++;
        else {
          stack[sp++] = IN_ARRAY;
          if (finder !== undefined) keys[depth + sp - 1] = -1;
          continue;
        }
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) i = this.skipNumber(i);
      else if (c === 0x74) i = this.skipLiteral(i, TRUE);
      else if (c === 0x66) i = this.skipLiteral(i, FALSE);
      else if (c === 0x6e) i = this.skipLiteral(i, NULL);
      else this.fail(i);

      // After a value: close containers until one continues with a comma.
      for (;;) {
        if (sp === 0) return i;
        i = this.skipWs(i);
        const d = b[i];
        const top = stack[sp - 1];
        if (d === COMMA) {
          i = this.skipWs(i + 1);
          if (top === IN_OBJECT) {
            if (finder !== undefined) keys[depth + sp - 1] = i;
            i = this.skipKeyColon(i);
          }
          break;
        }
        if (d === (top === IN_OBJECT ? RBRACE : RBRACKET)) {
          sp--;
          i++;
          continue;
        }
        this.fail(i);
      }
    }
  }

  /** The whole buffer is one JSON array (surrounding whitespace allowed): its elements' [start, end) byte spans. */
  elements(): Array<[number, number]> {
    const b = this.b;
    let i = this.skipWs(0);
    if (b[i] !== LBRACKET) this.fail(i);
    if (this.maxDepth < 1) this.tooDeep(i);
    const spans: Array<[number, number]> = [];
    i = this.skipWs(i + 1);
    if (b[i] === RBRACKET) i++;
    else {
      for (;;) {
        if (i >= this.len) this.fail(i);
        const end = this.skipValue(i, 1);
        spans.push([i, end]);
        i = this.skipWs(end);
        if (b[i] === COMMA) i = this.skipWs(i + 1);
        else if (b[i] === RBRACKET) {
          i++;
          break;
        } else this.fail(i);
      }
    }
    i = this.skipWs(i);
    if (i < this.len) this.fail(i);
    return spans;
  }

  scan(): ScannedObject {
    const b = this.b;
    let i = this.skipWs(0);
    if (i >= this.len) throw new JsonScanError('Unexpected end of JSON input', this.len);
    if (b[i] !== LBRACE) throw new JsonScanError(`Unexpected token ${describeByte(b[i])} at byte ${i}: expected a JSON object`, i);
    if (this.maxDepth < 1) this.tooDeep(i);
    const openBrace = i;
    const members: MemberSpan[] = [];
    let memberStart = i + 1;
    i = this.skipWs(i + 1);
    let closeBrace: number;
    if (b[i] === RBRACE) closeBrace = i;
    else {
      for (;;) {
        if (b[i] !== QUOTE) this.fail(i);
        const keyStart = i;
        if (this.finder !== undefined) this.keys[0] = keyStart;
        i = this.skipString(i);
        const key = this.escaped ? (JSON.parse(b.toString('utf8', keyStart, i)) as string) : b.toString('utf8', keyStart + 1, i - 1);
        i = this.skipWs(i);
        if (b[i] !== COLON) this.fail(i);
        const valueStart = this.skipWs(i + 1);
        if (valueStart >= this.len) this.fail(valueStart);
        const valueEnd = this.skipValue(valueStart, 1);
        i = this.skipWs(valueEnd);
        members.push({ key, keyStart, valueStart, valueEnd, memberStart, memberEnd: i });
        const c = b[i];
        if (c === COMMA) {
          memberStart = i + 1;
          i = this.skipWs(i + 1);
        } else if (c === RBRACE) {
          closeBrace = i;
          break;
        } else this.fail(i);
      }
    }
    i = this.skipWs(closeBrace + 1);
    if (i < this.len) this.fail(i);
    return new ScannedObjectImpl(members, openBrace, closeBrace, this.nonAsciiEscape, this.longStrings);
  }
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/**
 * Validates that `buf` is exactly one JSON object (surrounding whitespace allowed) and returns its top-level members'
 * byte spans. Validation is structural and complete (strings, escapes, numbers, literals, separators, nesting) except
 * for UTF-8 well-formedness, which `isValidUtf8` checks separately. Throws `JsonScanError` with a byte offset.
 */
export function scanTopLevel(buf: Uint8Array, options: ScanOptions = {}): ScannedObject {
  return new Scanner(asBuffer(buf), options.maxDepth ?? DEFAULT_MAX_DEPTH, options.longStrings).scan();
}

/**
 * Validates that `buf` is exactly one JSON array (surrounding whitespace allowed), as `scanTopLevel` does an object,
 * and returns each element's byte span [start, end).
 */
export function scanArrayElements(buf: Uint8Array, options: ScanOptions = {}): Array<[number, number]> {
  return new Scanner(asBuffer(buf), options.maxDepth ?? DEFAULT_MAX_DEPTH).elements();
}

/** The offset just past the closing quote of the string opening at `i`, in a buffer known to be valid JSON. */
function stringEndInValid(b: Buffer, i: number): number {
  // Short strings (keys, enums) end within a few bytes: a loop beats the native call there.
  const stop = Math.min(i + 24, b.length);
  let p = i + 1;
  for (; p < stop; p++) {
    const c = b[p];
    if (c === QUOTE) return p + 1;
    if (c === BACKSLASH) p++;
  }
  if (p >= stop && p < b.length) {
    for (let q = b.indexOf(QUOTE, p); q >= 0; q = b.indexOf(QUOTE, q + 1)) {
      let run = 0;
      while (b[q - run - 1] === BACKSLASH) run++;
      if (run % 2 === 0) return q + 1;
    }
  }
  throw new JsonScanError(`Unterminated string starting at byte ${i}`, i);
}

/**
 * The [start, end) spans (quotes included) of the string values of at least `minBytes` bytes that `wanted` accepts,
 * in document order, as a flat list of start, end pairs, in a buffer already validated as JSON (by `scanTopLevel`,
 * say): nothing is checked again, and strings are skipped with native searches for their closing quote. `wanted`
 * sees the path to the string: `keys[l]` is, for each level `l < depth`, the offset of the member's key (its opening
 * quote) when that level is an object, or -1 when it is an array.
 */
export function findStringValuesInValid(buf: Uint8Array, minBytes: number, wanted: (b: Buffer, keys: readonly number[], depth: number) => boolean): number[] {
  const b = asBuffer(buf);
  const len = b.length;
  const out: number[] = [];
  const kinds: number[] = [];
  const keys: number[] = [];
  let sp = 0;
  // Whether the next string is a member's key: after `{` and after a comma inside an object.
  let keyNext = false;
  for (let i = 0; i < len; ) {
    const c = b[i];
    if (c === QUOTE) {
      const start = i;
      i = stringEndInValid(b, i);
      if (keyNext) {
        keys[sp - 1] = start;
        keyNext = false;
      } else if (i - start >= minBytes && wanted(b, keys, sp)) out.push(start, i);
    } else if (c === LBRACE || c === LBRACKET) {
      kinds[sp] = c === LBRACE ? IN_OBJECT : IN_ARRAY;
      keys[sp++] = -1;
      keyNext = c === LBRACE;
      i++;
    } else if (c === RBRACE || c === RBRACKET) {
      sp--;
      keyNext = false;
      i++;
    } else if (c === COMMA) {
      keyNext = kinds[sp - 1] === IN_OBJECT;
      i++;
    } else i++;
  }
  return out;
}

/**
 * `JSON.parse` of just this member's value bytes (which the scan has validated). Literals, numbers and short strings
 * without escapes are read without it: routing reads `model`, `max_tokens` and `stream` of every request.
 */
export function parseValue(buf: Uint8Array, span: MemberSpan): unknown {
  const b = asBuffer(buf);
  const s = span.valueStart;
  const e = span.valueEnd;
  const c = b[s];
  if (c === QUOTE) {
    if (e - s <= 256 && !hasBackslash(b, s + 1, e - 1)) return b.toString('utf8', s + 1, e - 1);
  } else if (c === 0x74) return true;
  else if (c === 0x66) return false;
  else if (c === 0x6e) return null;
  // JSON's number grammar is a subset of Number's, read to the same double.
  else if (c === MINUS || (c >= ZERO && c <= NINE)) return Number(b.toString('latin1', s, e));
  return JSON.parse(b.toString('utf8', s, e));
}

function hasBackslash(b: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] === BACKSLASH) return true;
  return false;
}

export type ValueKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

/** The JSON type of a scanned member's value, from its first byte. */
export function valueKind(buf: Uint8Array, span: MemberSpan): ValueKind {
  const c = buf[span.valueStart];
  switch (c) {
    case LBRACE:
      return 'object';
    case LBRACKET:
      return 'array';
    case QUOTE:
      return 'string';
    case 0x74:
    case 0x66:
      return 'boolean';
    case 0x6e:
      return 'null';
    default:
      if (c === MINUS || (c >= ZERO && c <= NINE)) return 'number';
      throw new JsonScanError(`Not a JSON value at byte ${span.valueStart}`, span.valueStart);
  }
}
