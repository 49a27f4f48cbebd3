/**
 * How the PostgreSQL store writes record rows: a chunk of rows is one JSON array sent as a single parameter and
 * unpacked by the server (`jsonb_array_elements`). The router's share is one native `JSON.stringify` per chunk;
 * 34 array parameters (the previous way) cost several times more in the router, as `pg` escapes every element of
 * every array in JavaScript to build the array literals (docs/decisions/0008-record-write-path.md).
 */
import { ROW_ATTEMPTS, ROW_COLUMNS, ROW_ID, ROW_METADATA, ROW_ROUTING, type RecordRow } from '../query/record-values.js';

/** The SQL type each column's text is cast to. Integers go through float8 so a fractional value is rounded, not refused. */
const CASTS: Record<(typeof ROW_COLUMNS)[number], string> = {
  id: 'text',
  time: 'float8::bigint',
  key_id: 'text',
  key_name: 'text',
  api: 'text',
  endpoint: 'text',
  client: 'text',
  requested_model: 'text',
  model: 'text',
  provider: 'text',
  status: 'float8::integer',
  error_class: 'text',
  error: 'text',
  stream: 'boolean',
  stop_reason: 'text',
  input_tokens: 'float8::bigint',
  output_tokens: 'float8::bigint',
  cache_read_tokens: 'float8::bigint',
  cache_write_tokens: 'float8::bigint',
  cache_write_1h_tokens: 'float8::bigint',
  reasoning_tokens: 'float8::bigint',
  cost_usd: 'float8',
  ttft_ms: 'float8',
  overhead_ms: 'float8',
  generation_ms: 'float8',
  duration_ms: 'float8',
  // JSON, not JSONB: read back with their keys in written order (migrations 3 and 6).
  attempts: 'json',
  router: 'text',
  route_id: 'text',
  variant_id: 'text',
  routing: 'json',
  metadata: 'json',
  request_body: 'text',
  response_body: 'text',
};

const COLUMNS = ROW_COLUMNS.map((c) => (c === 'time' ? '"time"' : c));

/**
 * Inserts the rows of `$1` (a JSON array of `RecordRow`s). `->>` gives each value as text (NULL for JSON null), cast
 * to its column's type. A stored id is replaced, as SQLite's INSERT OR REPLACE does.
 */
export const INSERT_ROWS = `INSERT INTO requests (${COLUMNS.join(', ')})
  SELECT ${ROW_COLUMNS.map((c, i) => `(r->>${i})::${CASTS[c]}`).join(', ')}
  FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;

/** The last row of each id, in order: one statement cannot update a row twice. */
export function lastOfEachId(rows: RecordRow[]): RecordRow[] {
  const byId = new Map<string, RecordRow>();
  for (const row of rows) {
    byId.delete(row[ROW_ID]);
    byId.set(row[ROW_ID], row);
  }
  return byId.size === rows.length ? rows : [...byId.values()];
}

/** How JSON.stringify writes a NUL or a lone surrogate (also matches a NUL inside a nested JSON column's text). */
const REFUSED_ESCAPE = /\\u(?:0000|d[89a-f])/i;

/**
 * The `$1` of INSERT_ROWS. PostgreSQL refuses NUL in text and JSON (`\u0000`) and lone UTF-16 surrogates in JSON,
 * where SQLite stores them; one such character from an upstream error message would fail its whole batch on every
 * retry. JSON.stringify writes both as `\u` escapes, so the rare payload that has one is rebuilt with them replaced by
 * U+FFFD (which is what `pg` wrote for a lone surrogate in a text parameter).
 */
export function rowsPayload(rows: RecordRow[]): string {
  const payload = JSON.stringify(rows);
  // `includes` first: a scan for a fixed string is cheap, and escapes of any kind are rare.
  return payload.includes('\\u') && REFUSED_ESCAPE.test(payload) ? JSON.stringify(rows.map(cleanRow)) : payload;
}

const NUL = /\0/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const JSON_COLUMNS = new Set([ROW_ATTEMPTS, ROW_ROUTING, ROW_METADATA]);

function cleanText(s: string): string {
  return s.replace(NUL, '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
}

/** The text of a JSON value with NUL and lone surrogates in its strings (escapes in the text) replaced by U+FFFD. */
export function cleanJsonText(json: string): string {
  return json.includes('\\u') && REFUSED_ESCAPE.test(json) ? JSON.stringify(JSON.parse(json), (_k, x: unknown) => (typeof x === 'string' ? cleanText(x) : x)) : json;
}

function cleanRow(row: RecordRow): RecordRow {
  return row.map((v, i) => {
    if (typeof v !== 'string') return v;
    // A JSON column holds its value's text, in which those characters are escapes: clean the strings inside it.
    return JSON_COLUMNS.has(i) ? cleanJsonText(v) : cleanText(v);
  }) as RecordRow;
}
