import { encodeCursor } from './cursor.js';
import { InvalidQueryError, type AggregateRow, type KeyUsage, type RecordPage, type RecordSummary } from './types.js';

/** Largest page `queryRecords` serves. */
export const MAX_PAGE = 1000;

export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new InvalidQueryError('limit', `${limit} is not a whole number from 1 to ${MAX_PAGE}`);
}

/** A page from up to `limit + 1` rows fetched newest first: the extra row only says that there is more. */
export function toPage(records: RecordSummary[], limit: number): RecordPage {
  if (records.length <= limit) return { records, nextCursor: null };
  const page = records.slice(0, limit);
  const last = page[page.length - 1];
  return { records: page, nextCursor: encodeCursor({ time: last.time, id: last.id }) };
}

function compareGroup(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** By bucket, then group (null first, then code-unit order), identically for both backends whatever their collation. */
export function sortAggregateRows(rows: AggregateRow[]): AggregateRow[] {
  return rows.sort((x, y) => x.time - y.time || compareGroup(x.group, y.group));
}

/** The columns both backends' aggregate queries return besides their percentile material. */
export interface AggregateSumsRow {
  b: number;
  g: string | null;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
}

type Percentiles = Pick<AggregateRow, 'latencyP50Ms' | 'latencyP95Ms' | 'ttftP50Ms' | 'ttftP95Ms'>;

export function aggregateRowFrom(r: AggregateSumsRow, percentiles: Percentiles): AggregateRow {
  return {
    time: r.b,
    group: r.g,
    requests: r.requests,
    errors: r.errors,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cacheReadTokens: r.cache_read_tokens,
    cacheWriteTokens: r.cache_write_tokens,
    reasoningTokens: r.reasoning_tokens,
    costUsd: r.cost_usd,
    ...percentiles,
  };
}

export function emptyAggregateRow(): AggregateRow {
  return {
    time: 0,
    group: null,
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    latencyP50Ms: null,
    latencyP95Ms: null,
    ttftP50Ms: null,
    ttftP95Ms: null,
  };
}

/** Windowed usage per key merged with each key's latest record time (from a query over every stored record). */
export function mergeKeyUsage(windowed: KeyUsage[], latest: Array<{ keyId: string; lastUsedAt: number | null }>): KeyUsage[] {
  const byId = new Map(windowed.map((u) => [u.keyId, u]));
  for (const l of latest) {
    const u = byId.get(l.keyId);
    if (u) u.lastUsedAt = Math.max(u.lastUsedAt ?? -Infinity, l.lastUsedAt ?? -Infinity);
    else if (l.lastUsedAt !== null) byId.set(l.keyId, { keyId: l.keyId, requests: 0, tokens: 0, costUsd: 0, lastUsedAt: l.lastUsedAt });
  }
  return [...byId.values()].sort((a, b) => compareGroup(a.keyId, b.keyId));
}

/** SQL of the token total `keyUsage` reports per record (every billed token; reasoning is part of output). */
export const TOKENS_SQL = 'COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) + COALESCE(cache_read_tokens, 0) + COALESCE(cache_write_tokens, 0)';
