import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { findStringValuesInValid, type LongStringFinder } from './scan.js';
import { isDeeplyFrozen, SharedValues } from './shared-values.js';

/**
 * Raw strings: the long texts of a translated request (system prompt, messages, tool results, tool descriptions) are
 * never decoded. The body is parsed with each of them replaced by a short stand-in string; the translated body is
 * serialised small, and each stand-in is then replaced by the client's own bytes of that string, escapes and all.
 * A JSON string's escaping is the same in every wire format, so those bytes are the right upstream text, and the
 * ~90 % of a large agent request that is such text costs one copy instead of a decode, a re-encode and the garbage
 * of both (docs/decisions/0012-raw-strings.md).
 *
 * A stand-in is NUL, `sy`, this process's nonce, `:`, the string's number and NUL. JSON.stringify writes NUL as
 * `\u0000`, so a stand-in that ended up nested one JSON level deeper (a text serialised into another string) shows as
 * `\\u0000` and is told apart: `splice` refuses it and the caller serialises the expanded value instead. The nonce is
 * random per process, so no client text can forge a stand-in.
 */

const NONCE = randomBytes(6).toString('hex');
/** The start of a stand-in as a JS string. */
const STAND_IN = `\u0000sy${NONCE}:`;
/** The start of a stand-in as JSON.stringify writes it. */
const STAND_IN_JSON = `\\u0000sy${NONCE}:`;
const NUL_JSON = '\\u0000';
/** A stand-in for a whole value (not a string's text), as JSON.stringify writes it, quotes included (see pieces.ts). */
export const WHOLE_VALUE_STAND_IN = `\u0000sy${NONCE}:whole\u0000`;
export const WHOLE_VALUE_STAND_IN_JSON = `"${STAND_IN_JSON}whole${NUL_JSON}"`;

/** Whether JSON text holds a raw string's stand-in (it is then only valid with that request's raw strings). */
export function hasStandIn(text: string): boolean {
  return text.includes(STAND_IN_JSON);
}
const BACKSLASH = 0x5c;

/** One path to strings that may be raw: member keys, with `[]` for any element of an array. */
export type RawStringPath = readonly string[];

/** Texts at least this long (in bytes, quotes included) are kept raw; shorter ones cost less to decode than to track. */
export const RAW_STRING_MIN_BYTES = 512;

/**
 * The raw strings of one request body: the body they came from and each one's span in it. Lives on the canonical
 * request (`Request.rawStrings`) for as long as it is being translated.
 */
export class RawStrings {
  constructor(
    private readonly buf: Buffer,
    /** start, end pairs (quotes included), by stand-in number. */
    private readonly spans: readonly number[],
    /** Size of the body with stand-ins: about that of the translated text before splicing. */
    readonly skeletonBytes: number,
  ) {}

  /** Left out of a JSON dump of the request (a debug log, a test snapshot): it holds the whole body. */
  toJSON(): undefined {
    return undefined;
  }

  get count(): number {
    return this.spans.length >> 1;
  }

  /** The string value of stand-in `n`, decoded (latin1: a byte string, like the rest of such a request). */
  textOf(n: number): string {
    return decodedTexts.get(this.buf, this.spans[2 * n], this.spans[2 * n + 1]) as string;
  }

  /** `s` with every stand-in in it replaced by the string it stands for. */
  expandString(s: string): string {
    let at = s.indexOf(STAND_IN);
    if (at < 0) return s;
    let out = '';
    let from = 0;
    while (at >= 0) {
      const digitsStart = at + STAND_IN.length;
      const end = s.indexOf('\u0000', digitsStart);
      const n = Number(s.slice(digitsStart, end));
      if (end < 0 || !Number.isInteger(n) || n < 0 || n >= this.count) throw new Error('raw strings: a damaged stand-in');
      out += s.slice(from, at) + this.textOf(n);
      from = end + 1;
      at = s.indexOf(STAND_IN, from);
    }
    return out + s.slice(from);
  }

  /** A deep copy of `value` with every stand-in expanded (parts without any are shared, not copied). */
  expand<T>(value: T): T {
    return this.expandAny(value) as T;
  }

  private expandAny(value: unknown): unknown {
    if (typeof value === 'string') return this.expandString(value);
    // Deep-frozen values (SharedValues' tool definitions, MemberTexts' members) hold no stand-in: they were parsed from
    // a body's own bytes, or kept only when their JSON had none. A tool's ~60 KB schema is not walked per request.
    if (value === null || typeof value !== 'object' || isDeeplyFrozen(value)) return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const v = this.expandAny(value[i]);
        if (v !== value[i]) (copy ??= value.slice())[i] = v;
      }
      return copy ?? value;
    }
    // Only the plain objects JSON.parse and the codecs make: never into a Buffer or this class.
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const obj = value as Record<string, unknown>;
    let copy: Record<string, unknown> | null = null;
    for (const k in obj) {
      const v = obj[k];
      const x = this.expandAny(v);
      if (x !== v) (copy ??= { ...obj })[k] = x;
    }
    return copy ?? value;
  }

  /**
   * The bytes of `pieces` (JSON text of byte strings, one char per byte) with every stand-in replaced by the raw
   * bytes of its string, or null when a stand-in is not directly inside a JSON string of the text (nested in a string
   * serialised into another string), where raw bytes would need escaping again.
   */
  splice(pieces: readonly string[]): Buffer | null {
    // Pass 1: where each stand-in is, and the length of the result.
    const hits: number[] = []; // piece, at, end (exclusive, in the piece), stand-in number
    let length = 0;
    for (let p = 0; p < pieces.length; p++) {
      const piece = pieces[p];
      length += piece.length;
      for (let at = piece.indexOf(STAND_IN_JSON); at >= 0; at = piece.indexOf(STAND_IN_JSON, at + 1)) {
        let run = 0;
        while (at - run - 1 >= 0 && piece.charCodeAt(at - run - 1) === BACKSLASH) run++;
        if (run % 2 === 1) return null;
        const digitsStart = at + STAND_IN_JSON.length;
        const end = piece.indexOf(NUL_JSON, digitsStart);
        const n = Number(piece.slice(digitsStart, end));
        if (end < 0 || !Number.isInteger(n) || n < 0 || n >= this.count) return null;
        const stop = end + NUL_JSON.length;
        hits.push(p, at, stop, n);
        // Inner bytes only: the stand-in sits inside a JSON string whose quotes are already in the text.
        length += this.spans[2 * n + 1] - this.spans[2 * n] - 2 - (stop - at);
      }
    }
    // Pass 2: copy.
    const out = Buffer.allocUnsafe(length);
    let w = 0;
    let h = 0;
    for (let p = 0; p < pieces.length; p++) {
      const piece = pieces[p];
      let from = 0;
      for (; h < hits.length && hits[h] === p; h += 4) {
        const at = hits[h + 1];
        if (at > from) w += out.write(piece.slice(from, at), w, 'latin1');
        const n = hits[h + 3];
        w += this.buf.copy(out, w, this.spans[2 * n] + 1, this.spans[2 * n + 1] - 1);
        from = hits[h + 2];
      }
      if (from < piece.length) w += out.write(from === 0 ? piece : piece.slice(from), w, 'latin1');
    }
    return out;
  }
}

/**
 * Texts decoded from raw bytes, by their bytes: an agent resends the same system prompt, tools and history every
 * turn, so `expand` (for a token estimate) decodes only what is new, and hands out the same string objects as last
 * time, whose hashes V8 has already computed for the estimate's own memo. At most 4 MiB of raw text.
 */
const decodedTexts = new SharedValues(4 << 20);

/** Whether the key at `keyStart` (its opening quote) in `b` is exactly `name` (ASCII, written without escapes). */
function keyIs(b: Buffer, keyStart: number, name: string): boolean {
  const n = name.length;
  if (b[keyStart + 1 + n] !== 0x22) return false;
  for (let k = 0; k < n; k++) if (b[keyStart + 1 + k] !== name.charCodeAt(k)) return false;
  return true;
}

function onPath(b: Buffer, keys: readonly number[], depth: number, path: RawStringPath): boolean {
  if (path.length !== depth) return false;
  for (let l = 0; l < depth; l++) {
    const key = keys[l];
    if (path[l] === '[]' ? key !== -1 : key === -1 || !keyIs(b, key, path[l])) return false;
  }
  return true;
}

/**
 * A string the codecs only move. Encoders look at two kinds of text, so those stay decoded: whitespace only (`/\S/`,
 * some drop it) and Claude Code's billing line (`trimStart().startsWith(…)`, dropped on the way to other formats).
 * The text's first char that is not ASCII whitespace decides: a visible ASCII char other than `x` (the billing line's
 * first letter) or an escaped quote, backslash, slash or backspace means neither. Anything that might be Unicode
 * whitespace or an `x` (a byte from 0x80, a `\u` escape) keeps the text decoded, to be safe.
 */
function movable(b: Buffer, start: number, end: number): boolean {
  for (let i = start + 1; i < end - 1; i++) {
    const c = b[i];
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) continue;
    if (c === BACKSLASH) {
      const e = b[++i];
      // \n \r \t \f: whitespace.
      if (e === 0x6e || e === 0x72 || e === 0x74 || e === 0x66) continue;
      // \" \\ \/ \b: a visible char, or a control char JS does not count as whitespace.
      return e !== 0x75;
    }
    return c < 0x80 && c !== 0x78;
  }
  return false;
}

/**
 * Replaces the strings at `paths` of at least `minBytes` bytes with stand-ins: the body to parse (`skeleton`), and the
 * strings to put back when the translated body is serialised. Null when no string qualifies and nothing is cut. `buf`
 * must be valid JSON, as the ingress's scan has made sure: it is only searched, not checked again. `cut`: a value's
 * span replaced by `text` in the skeleton (the caller puts the value back after parsing); no raw string is taken
 * from inside it. `found`: the spans `RAW_STRING_FINDERS` had the ingress's scan collect for these paths and the
 * default `minBytes`, so the body is not searched again.
 */
export function extractRawStrings(
  buf: Buffer,
  paths: readonly RawStringPath[],
  minBytes = RAW_STRING_MIN_BYTES,
  cut?: { start: number; end: number; text: string },
  found?: readonly number[],
): { skeleton: Buffer; raw: RawStrings } | null {
  const spans = found ?? findStringValuesInValid(buf, minBytes, (b, keys, depth) => paths.some((p) => onPath(b, keys, depth, p)));
  const kept: number[] = [];
  for (let i = 0; i < spans.length; i += 2) {
    if (cut && spans[i] >= cut.start && spans[i + 1] <= cut.end) continue;
    if (movable(buf, spans[i], spans[i + 1])) kept.push(spans[i], spans[i + 1]);
  }
  if (kept.length === 0 && !cut) return null;
  // Every replaced span in document order: the stand-ins, and the cut (which no kept span is inside).
  const replaced: Array<{ start: number; end: number; text: string }> = [];
  for (let i = 0; i < kept.length; i += 2) replaced.push({ start: kept[i], end: kept[i + 1], text: `"${STAND_IN_JSON}${i >> 1}${NUL_JSON}"` });
  if (cut) {
    const at = replaced.findIndex((r) => r.start > cut.start);
    replaced.splice(at < 0 ? replaced.length : at, 0, cut);
  }
  const chunks: Buffer[] = [];
  let from = 0;
  for (const r of replaced) {
    chunks.push(buf.subarray(from, r.start), Buffer.from(r.text, 'latin1'));
    from = r.end;
  }
  chunks.push(buf.subarray(from));
  const skeleton = Buffer.concat(chunks);
  return { skeleton, raw: new RawStrings(buf, kept, skeleton.length) };
}

/** Where a request's long texts are, per client format. */
export const RAW_STRING_PATHS: Record<'anthropic' | 'openai', readonly RawStringPath[]> = {
  anthropic: [
    ['system'],
    ['system', '[]', 'text'],
    ['messages', '[]', 'content'],
    ['messages', '[]', 'content', '[]', 'text'],
    ['messages', '[]', 'content', '[]', 'content'],
    ['messages', '[]', 'content', '[]', 'content', '[]', 'text'],
    ['tools', '[]', 'description'],
  ],
  openai: [
    ['messages', '[]', 'content'],
    ['messages', '[]', 'content', '[]', 'text'],
    ['tools', '[]', 'function', 'description'],
  ],
};

/** The ingress's scan collects the raw-string candidates of a body as it validates it (ScanOptions.longStrings). */
export const RAW_STRING_FINDERS: Record<'anthropic' | 'openai', LongStringFinder> = {
  anthropic: { minBytes: RAW_STRING_MIN_BYTES, wanted: (b, keys, depth) => RAW_STRING_PATHS.anthropic.some((p) => onPath(b, keys, depth, p)) },
  openai: { minBytes: RAW_STRING_MIN_BYTES, wanted: (b, keys, depth) => RAW_STRING_PATHS.openai.some((p) => onPath(b, keys, depth, p)) },
};
