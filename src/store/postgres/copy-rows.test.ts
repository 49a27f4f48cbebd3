import { describe, expect, it } from 'vitest';
import { ROW_COLUMNS, type RecordRow } from '../query/record-values.js';
import { COPY_ROWS, copyPieces } from './copy-rows.js';

const col = (name: (typeof ROW_COLUMNS)[number]) => ROW_COLUMNS.indexOf(name);

/** A row with every column null except the ones given. */
function row(values: Partial<Record<(typeof ROW_COLUMNS)[number], string | number | null>>): RecordRow {
  const r = ROW_COLUMNS.map(() => null) as unknown as Array<string | number | null>;
  for (const [k, v] of Object.entries(values)) r[col(k as (typeof ROW_COLUMNS)[number])] = v;
  return r as unknown as RecordRow;
}

/** The fields of each line of COPY text, as COPY's text format reads them back (\N is null). */
function readCopy(text: string): Array<Array<string | null>> {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) =>
      line.split('\t').map((f) =>
        f === '\\N' ? null : f.replace(/\\(.)/g, (_m, c: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[c] ?? `<bad escape ${c}>`),
      ),
    );
}

describe('COPY text of record rows', () => {
  it('names every column in row order', () => {
    expect(COPY_ROWS).toBe(`COPY requests (${ROW_COLUMNS.map((c) => (c === 'time' ? '"time"' : c)).join(', ')}) FROM STDIN`);
  });

  it('escapes what COPY gives a meaning to, so every string reads back as written; null is \\N, a string "\\N" is not', () => {
    const awkward = ['tab\there', 'line\nbreak', 'cr\rlf\r\n', 'back\\slash \\N \\t', '\\N', '', 'plain ünïcode \u{1F680}'];
    const rows = awkward.map((s, i) => row({ id: `req_${i}`, error: s, client: null }));
    const back = readCopy([...copyPieces(rows)].join(''));
    expect(back).toHaveLength(awkward.length);
    back.forEach((fields, i) => {
      expect(fields).toHaveLength(ROW_COLUMNS.length);
      expect(fields[col('error')]).toBe(awkward[i]);
      expect(fields[col('client')]).toBeNull();
    });
  });

  it('writes NUL, which text columns refuse, as U+FFFD; JSON columns get their refused escapes replaced', () => {
    const attempts = JSON.stringify([{ error: 'nul \0 and lone \ud800' }]);
    const [fields] = readCopy([...copyPieces([row({ id: 'req_1', error: 'a\0b', attempts, routing: '{"x":"C:\\\\u"}' })])].join(''));
    expect(fields[col('error')]).toBe('a\uFFFDb');
    expect(JSON.parse(fields[col('attempts')]!)).toEqual([{ error: 'nul \uFFFD and lone \uFFFD' }]);
    // A backslash before a `u` that is not an escape is left alone.
    expect(fields[col('routing')]).toBe('{"x":"C:\\\\u"}');
  });

  it('writes stream as a boolean, rounds fractions in integer columns and writes a non-finite number as null, as the JSON path did', () => {
    const [fields] = readCopy(
      [...copyPieces([row({ id: 'req_1', stream: 1, time: 1767261600000.6, input_tokens: 12.5, output_tokens: 13.5, cache_read_tokens: -2.5, reasoning_tokens: 4, cost_usd: 0.0125, ttft_ms: Number.NaN, duration_ms: Number.POSITIVE_INFINITY })])].join(''),
    );
    expect(fields[col('stream')]).toBe('t');
    expect(fields[col('time')]).toBe('1767261600001');
    // Half to even, as PostgreSQL's float8-to-integer cast rounds.
    expect(fields[col('input_tokens')]).toBe('12');
    expect(fields[col('output_tokens')]).toBe('14');
    expect(fields[col('cache_read_tokens')]).toBe('-2');
    expect(fields[col('reasoning_tokens')]).toBe('4');
    expect(fields[col('cost_usd')]).toBe('0.0125');
    expect(fields[col('ttft_ms')]).toBeNull();
    expect(fields[col('duration_ms')]).toBeNull();
    const [off] = readCopy([...copyPieces([row({ id: 'req_2', stream: 0 })])].join(''));
    expect(off[col('stream')]).toBe('f');
  });

  it('comes in pieces of whole lines, none much over 32 KiB, that together are every row in order', () => {
    const rows = Array.from({ length: 400 }, (_v, i) => row({ id: `req_${i}`, error: 'x'.repeat(300 + (i % 7) * 50) }));
    const pieces = [...copyPieces(rows)];
    expect(pieces.length).toBeGreaterThan(3);
    for (const p of pieces) {
      expect(p.endsWith('\n')).toBe(true);
      expect(p.length).toBeLessThan(32 * 1024 + 1024);
    }
    expect(readCopy(pieces.join('')).map((f) => f[col('id')])).toEqual(rows.map((r) => r[0]));
    expect([...copyPieces([])]).toEqual([]);
  });
});
