/** Record queries of the SQLite store: filtered pages, aggregates and per-key usage. */
import type Database from 'better-sqlite3';
import { interpolatePercentile, sqliteOrderStatistics } from '../query/percentile.js';
import { aggregateRowFrom, checkLimit, emptyAggregateRow, type AggregateSumsRow, mergeKeyUsage, sortAggregateRows, toPage, TOKENS_SQL } from '../query/rows.js';
import { checkBucket, groupExpression, SQLITE_DIALECT, SqlParams, whereClause } from '../query/sql.js';
import type { AggregateOptions, AggregateResult, AggregateRow, KeyUsage, RecordFilter, RecordPage, RecordSummary } from '../query/types.js';
import { SUMMARY_COLUMNS } from '../query/record-row.js';
import { toRecord, type RequestRow } from './record-row.js';

export function queryRecordsSqlite(db: Database.Database, filter: RecordFilter, page: { limit: number; cursor?: string | null }): RecordPage {
  checkLimit(page.limit);
  const p = new SqlParams(SQLITE_DIALECT);
  const where = whereClause(filter, SQLITE_DIALECT, p, page.cursor);
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM requests ${where} ORDER BY time DESC, id DESC LIMIT ${p.add(page.limit + 1)}`;
  const rows = db.prepare(sql).all(...p.values) as RequestRow[];
  return toPage(rows.map((r) => toRecord(r) as RecordSummary), page.limit);
}

interface AggregateSqlRow extends AggregateSumsRow {
  d_n: number;
  t_n: number;
  d50_lo: number | null;
  d50_hi: number | null;
  d95_lo: number | null;
  d95_hi: number | null;
  t50_lo: number | null;
  t50_hi: number | null;
  t95_lo: number | null;
  t95_hi: number | null;
}

/**
 * One pass: a window ranks each cell's durations and TTFTs (nulls last), the grouping sums and picks the order
 * statistics around each percentile's position, and `interpolatePercentile` finishes as percentile_cont would.
 */
function aggregateQuery(db: Database.Database, filter: RecordFilter, bucketMs: number | null, group: string): AggregateRow[] {
  const p = new SqlParams(SQLITE_DIALECT);
  const bucket = bucketMs === null ? '0' : `(time - time % ${p.add(bucketMs)})`;
  const where = whereClause(filter, SQLITE_DIALECT, p);
  const sql = `
    WITH base AS (
      SELECT ${bucket} AS b, ${group} AS g, status, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
        reasoning_tokens, cost_usd, duration_ms, ttft_ms
      FROM requests ${where}
    ), ranked AS (
      SELECT *,
        ROW_NUMBER() OVER (PARTITION BY b, g ORDER BY duration_ms) - 1 AS d_rn,
        COUNT(duration_ms) OVER (PARTITION BY b, g) AS d_n,
        ROW_NUMBER() OVER (PARTITION BY b, g ORDER BY ttft_ms IS NULL, ttft_ms) - 1 AS t_rn,
        COUNT(ttft_ms) OVER (PARTITION BY b, g) AS t_n
      FROM base
    )
    SELECT b, g, COUNT(*) AS requests, SUM(status >= 400) AS errors,
      COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens,
      COALESCE(SUM(cache_read_tokens), 0) AS cache_read_tokens, COALESCE(SUM(cache_write_tokens), 0) AS cache_write_tokens,
      COALESCE(SUM(reasoning_tokens), 0) AS reasoning_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd,
      MAX(d_n) AS d_n, MAX(t_n) AS t_n,
      ${sqliteOrderStatistics(0.5, 'duration_ms', 'd_rn', 'd_n', 'd50')},
      ${sqliteOrderStatistics(0.95, 'duration_ms', 'd_rn', 'd_n', 'd95')},
      ${sqliteOrderStatistics(0.5, 'ttft_ms', 't_rn', 't_n', 't50')},
      ${sqliteOrderStatistics(0.95, 'ttft_ms', 't_rn', 't_n', 't95')}
    FROM ranked GROUP BY b, g`;
  const rows = db.prepare(sql).all(...p.values) as AggregateSqlRow[];
  return rows.map((r) => aggregateRowFrom(r, {
    latencyP50Ms: interpolatePercentile(0.5, r.d_n, r.d50_lo, r.d50_hi),
    latencyP95Ms: interpolatePercentile(0.95, r.d_n, r.d95_lo, r.d95_hi),
    ttftP50Ms: interpolatePercentile(0.5, r.t_n, r.t50_lo, r.t50_hi),
    ttftP95Ms: interpolatePercentile(0.95, r.t_n, r.t95_lo, r.t95_hi),
  }));
}

export function aggregateSqlite(db: Database.Database, filter: RecordFilter, opts: AggregateOptions): AggregateResult {
  checkBucket(opts.bucketMs);
  const group = groupExpression(opts.groupBy);
  const rows = sortAggregateRows(aggregateQuery(db, filter, opts.bucketMs, group));
  const totals = aggregateQuery(db, filter, null, 'NULL')[0] ?? emptyAggregateRow();
  return { rows, totals };
}

export function keyUsageSqlite(db: Database.Database, sinceMs: number): KeyUsage[] {
  const windowed = db
    .prepare(
      `SELECT key_id AS keyId, COUNT(*) AS requests, COALESCE(SUM(${TOKENS_SQL}), 0) AS tokens, COALESCE(SUM(cost_usd), 0) AS costUsd,
         MAX(time) AS lastUsedAt
       FROM requests WHERE time >= ? AND key_id IS NOT NULL GROUP BY key_id`,
    )
    .all(sinceMs) as KeyUsage[];
  // One index lookup per stored key (requests_key_id), so a key last used before the window still shows when.
  const latest = db
    .prepare('SELECT id AS keyId, (SELECT MAX(time) FROM requests WHERE requests.key_id = client_keys.id) AS lastUsedAt FROM client_keys')
    .all() as Array<{ keyId: string; lastUsedAt: number | null }>;
  return mergeKeyUsage(windowed, latest);
}
