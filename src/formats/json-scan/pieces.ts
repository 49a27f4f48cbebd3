import { Buffer } from 'node:buffer';
import { JsonScanError, scanArrayElements, scanTopLevel, type ScannedObject } from './scan.js';
import { isAscii } from './utf8.js';
import { hasStandIn, WHOLE_VALUE_STAND_IN, WHOLE_VALUE_STAND_IN_JSON, type RawStrings } from './raw-strings.js';
import { deepFreeze, sameJson } from './shared-values.js';

/**
 * Texts up to this many bytes are parsed in one `JSON.parse`. V8 allocates a string over 128 KiB in its large-object
 * space, on pages of its own that are mapped fresh for each string and unmapped when it dies; on this project's
 * reference VM each of those 4 KiB pages costs a page fault of ~20 µs, so decoding a 200 KB body into one string
 * costs ~1 ms where two 100 KB halves cost 13 µs (docs/decisions/0009-parse-in-pieces.md).
 */
export const PIECE_BYTES = 64 * 1024;

/** A key the pieces cannot stand for exactly: the whole text is parsed at once instead. */
class Unsplittable extends Error {}

/**
 * `JSON.parse(buf.toString(encoding))`, with the same result and the same errors, without ever decoding more than
 * about `PIECE_BYTES` into one string when the text is an object whose large values are objects or arrays: those are
 * split at their members and elements (found by the validating scanner) and each piece is parsed on its own. Splits
 * fall on JSON structure (ASCII bytes), never inside a UTF-8 sequence, so decoding piece by piece gives the same chars.
 * `top` is the body's top-level scan when the caller has it; `pieceBytes` is for tests.
 */
export function parseInPieces(buf: Buffer, encoding: 'latin1' | 'utf8', top?: ScannedObject, pieceBytes = PIECE_BYTES): unknown {
  if (buf.length <= pieceBytes) return JSON.parse(buf.toString(encoding));
  try {
    return objectOf({ buf, encoding, pieceBytes }, top ?? scanTopLevel(buf), 0);
  } catch (e) {
    // Not an object, invalid, or a key to be careful with: the one-string parse decides, and throws its own error
    // (a piece's own SyntaxError would name a position within the piece).
    if (e instanceof JsonScanError || e instanceof Unsplittable || e instanceof SyntaxError) return JSON.parse(buf.toString(encoding));
    throw e;
  }
}

interface Text {
  buf: Buffer;
  encoding: 'latin1' | 'utf8';
  pieceBytes: number;
}

function objectOf(text: Text, scan: ScannedObject, base: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of scan.members) {
    // The scan decodes keys as UTF-8; only an ASCII key reads the same in both encodings.
    if (!isAscii(m.key)) throw new Unsplittable();
    const value = valueOf(text, base + m.valueStart, base + m.valueEnd);
    // As JSON.parse does: an own data property even for `__proto__`; a repeated key keeps its first place and last value.
    if (m.key === '__proto__') Object.defineProperty(out, m.key, { value, writable: true, enumerable: true, configurable: true });
    else out[m.key] = value;
  }
  return out;
}

function valueOf(text: Text, start: number, end: number): unknown {
  const { buf, encoding } = text;
  if (end - start <= text.pieceBytes) return JSON.parse(buf.toString(encoding, start, end));
  const first = buf[start];
  if (first === 0x7b /* { */) return objectOf(text, scanTopLevel(buf.subarray(start, end)), start);
  if (first === 0x5b /* [ */) return scanArrayElements(buf.subarray(start, end)).map(([s, e]) => valueOf(text, start + s, start + e));
  // One long string: it is one JS string whatever is done.
  return JSON.parse(buf.toString(encoding, start, end));
}

/**
 * `Buffer.from(JSON.stringify(value), encoding)`, the same bytes, without one string of the whole text: the top
 * `depth` levels of objects and arrays are written member by member, each member's JSON text from its own
 * `JSON.stringify`, straight into one buffer (see PIECE_BYTES for why one large string is costly). `latin1` is for
 * byte strings (one byte per char, see canonical/byte-strings.ts). `sizeHint`, the caller's estimate of the text's
 * length: below PIECE_BYTES / 2 the text is one `JSON.stringify`, which for a ~2 KB request costs half the pieces.
 */
export function stringifyToBuffer(value: unknown, encoding: 'latin1' | 'utf8', opts: { depth?: number; sizeHint?: number } = {}): Buffer {
  const { depth = 3 } = opts;
  const pieces = textPieces(value, depth, opts.sizeHint ?? Infinity);
  if (pieces.length === 1) return Buffer.from(pieces[0], encoding);
  let length = 0;
  const sizes = new Array<number>(pieces.length);
  for (let i = 0; i < pieces.length; i++) length += sizes[i] = encoding === 'latin1' ? pieces[i].length : Buffer.byteLength(pieces[i], 'utf8');
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (let i = 0; i < pieces.length; i++) at += out.write(pieces[i], at, sizes[i], encoding);
  return out;
}

/**
 * The bytes of `value`, made from a request decoded with raw strings (raw-strings.ts; byte strings, so latin1), with
 * each stand-in replaced by the client's bytes of its string. The text around them is small. Null when a stand-in was
 * serialised into another string: the caller encodes `raw.expand(request)` instead.
 */
export function stringifyWithRawStrings(value: unknown, raw: RawStrings, depth = 3, reuse?: MemberReuse): Buffer | null {
  const obj = value as Record<string, unknown>;
  const member = reuse && obj !== null && typeof obj === 'object' && Object.hasOwn(obj, reuse.member) ? obj[reuse.member] : undefined;
  const text = member === undefined ? undefined : reuse!.texts.textOf(reuse!.key, member);
  if (text === undefined) return raw.splice(textPieces(value, depth, raw.skeletonBytes));
  // The member's text goes in where its stand-in was serialised (a shallow copy keeps the members' order).
  const pieces = textPieces({ ...obj, [reuse!.member]: WHOLE_VALUE_STAND_IN }, depth, raw.skeletonBytes);
  for (let i = 0; i < pieces.length; i++) {
    const at = pieces[i].indexOf(WHOLE_VALUE_STAND_IN_JSON);
    if (at < 0) continue;
    pieces.splice(i, 1, pieces[i].slice(0, at), text, pieces[i].slice(at + WHOLE_VALUE_STAND_IN_JSON.length));
    return raw.splice(pieces);
  }
  return null;
}

/** Which member of a body to serialise from `texts` when it is the same JSON as last time for `key`. */
export interface MemberReuse {
  texts: MemberTexts;
  key: string;
  member: string;
}

/**
 * The JSON text of one large member of a serialised body (a translated request's tools), kept per key (the upstream)
 * with the value it was made from: the next body whose member is the same JSON (`sameJson`, which is cheap when the
 * member is built from the same deep-frozen parts, as tools from SharedValues are) reuses the text instead of
 * serialising ~60 KB again. Byte strings: the text is latin1, as in `stringifyWithRawStrings`. A text holding a raw
 * string's stand-in belongs to one request and is not kept.
 */
export class MemberTexts {
  private readonly byKey = new Map<string, { value: unknown; text: string }>();

  constructor(private readonly maxKeys = 64) {}

  /** The text kept for `key` if `value` is the same JSON as the value it was made from. */
  take(key: string, value: unknown): string | undefined {
    const kept = this.byKey.get(key);
    return kept && sameJson(value, kept.value) ? kept.text : undefined;
  }

  /** `value`'s JSON text: the kept one, or made now (once: the body is serialised around it) and kept for next time. */
  textOf(key: string, value: unknown): string | undefined {
    const kept = this.take(key, value);
    if (kept !== undefined) return kept;
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined || hasStandIn(text)) return text;
    this.byKey.delete(key);
    if (this.byKey.size >= this.maxKeys) this.byKey.delete(this.byKey.keys().next().value as string);
    // Frozen from here on: it is compared with later bodies' members, and must stay the JSON its text says.
    this.byKey.set(key, { value: deepFreeze(value), text });
    return text;
  }
}

/** The JSON text of `value`: one string when `sizeHint` is small, else pieces (see `writePieces`). */
function textPieces(value: unknown, depth: number, sizeHint: number): string[] {
  if (sizeHint < PIECE_BYTES / 2) {
    const text = JSON.stringify(value) as string | undefined;
    if (text !== undefined) return [text];
  }
  const pieces: string[] = [];
  writePieces(value, depth, pieces);
  return pieces;
}

/** Appends the JSON text of `value` as pieces; false (nothing appended) where JSON.stringify gives undefined. */
function writePieces(value: unknown, depth: number, out: string[]): boolean {
  if (depth <= 0 || value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) return false;
    out.push(text);
    return true;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      if (!writePieces(value[i], depth - 1, out)) out.push('null');
    }
    out.push(']');
    return true;
  }
  out.push('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const mark = out.length;
    out.push(first ? JSON.stringify(key) + ':' : ',' + JSON.stringify(key) + ':');
    if (writePieces((value as Record<string, unknown>)[key], depth - 1, out)) first = false;
    else out.length = mark;
  }
  out.push('}');
  return true;
}
