/**
 * How the PostgreSQL store writes record rows: `COPY requests (...) FROM STDIN` in the text format, one line per row.
 * The server parses COPY's text with no JSON in between, which costs it about half what unpacking one JSON
 * parameter did (docs/decisions/0010-records-by-copy.md); COPY cannot replace a stored row, so a batch that meets an
 * id already stored is written again through INSERT_ROWS (./insert-rows.ts), which can.
 */
import { ROW_ATTEMPTS, ROW_COLUMNS, ROW_METADATA, ROW_ROUTING, type RecordRow } from '../query/record-values.js';
import { cleanJsonText } from './insert-rows.js';

export const COPY_ROWS = `COPY requests (${ROW_COLUMNS.map((c) => (c === 'time' ? '"time"' : c)).join(', ')}) FROM STDIN`;

/** Columns whose SQL type is an integer: COPY refuses a fractional value there, which the JSON path rounded. */
const INTEGER_COLUMN = ROW_COLUMNS.map((c) => ['time', 'status', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens', 'reasoning_tokens'].includes(c));
const STREAM_COLUMN = ROW_COLUMNS.indexOf('stream');
const JSON_COLUMN = ROW_COLUMNS.map((_c, i) => i === ROW_ATTEMPTS || i === ROW_ROUTING || i === ROW_METADATA);

/** What COPY's text format gives a meaning to (backslash, tab, newline, carriage return) and NUL, which text refuses. */
const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_ALL = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\uFFFD' };

function copyText(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : s;
}

/** How PostgreSQL casts float8 to an integer (rint), which the JSON path's `::float8::bigint` did. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function copyNumber(v: number, integer: boolean): string {
  // JSON.stringify wrote a non-finite number as null; keep that.
  if (!Number.isFinite(v)) return '\\N';
  return integer && !Number.isInteger(v) ? String(roundHalfEven(v)) : String(v);
}

/** Characters of COPY text per piece: each becomes its own small buffer (a fresh megabyte costs page faults). */
const PIECE_CHARS = 32 * 1024;

/**
 * The COPY text of `rows`, in pieces of about PIECE_CHARS. A lone UTF-16 surrogate in a text column becomes U+FFFD
 * when the text is encoded as UTF-8 (what `pg` did with a parameter); in a JSON column JSON.stringify wrote it as an
 * escape, which `cleanJsonText` replaces, as it does `\u0000`.
 */
export function* copyPieces(rows: RecordRow[]): Generator<string> {
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (i > 0) out += '\t';
      if (v === null || v === undefined) out += '\\N';
      else if (typeof v === 'number') out += i === STREAM_COLUMN ? (v ? 't' : 'f') : copyNumber(v, INTEGER_COLUMN[i]!);
      else out += copyText(JSON_COLUMN[i] ? cleanJsonText(v) : v);
    }
    out += '\n';
    if (out.length >= PIECE_CHARS) {
      yield out;
      out = '';
    }
  }
  if (out) yield out;
}
