/** Record queries of the PostgreSQL store: filtered pages, aggregates and per-key usage. */
import type pg from 'pg';
import { aggregateRowFrom, checkLimit, emptyAggregateRow, type AggregateSumsRow, mergeKeyUsage, sortAggregateRows, toPage, TOKENS_SQL } from '../query/rows.js';
import { checkBucket, groupExpression, POSTGRES_DIALECT, SqlParams, whereClause } from '../query/sql.js';
import type { AggregateOptions, AggregateResult, AggregateRow, KeyUsage, RecordFilter, RecordPage, RecordSummary } from '../query/types.js';
import { SUMMARY_COLUMNS, toRecord, type RequestRow } from './record-row.js';

export async function queryRecordsPostgres(pool: pg.Pool, filter: RecordFilter, page: { limit: number; cursor?: string | null }): Promise<RecordPage> {
  checkLimit(page.limit);
  const p = new SqlParams(POSTGRES_DIALECT);
  const where = whereClause(filter, POSTGRES_DIALECT, p, page.cursor);
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM requests ${where} ORDER BY "time" DESC, id DESC LIMIT ${p.add(page.limit + 1)}`;
  const rows = (await pool.query<RequestRow>(sql, p.values)).rows;
  return toPage(rows.map((r) => toRecord(r) as RecordSummary), page.limit);
}

interface AggregateSqlRow extends AggregateSumsRow {
  d50: number | null;
  d95: number | null;
  t50: number | null;
  t95: number | null;
}

/** Sums come back as BIGINT (numbers through the store's type parser), not NUMERIC (strings). */
async function aggregateQuery(pool: pg.Pool, filter: RecordFilter, bucketMs: number | null, group: string): Promise<AggregateRow[]> {
  const p = new SqlParams(POSTGRES_DIALECT);
  const bucket = bucketMs === null ? '0::bigint' : `("time" - "time" % ${p.add(bucketMs)}::bigint)`;
  const where = whereClause(filter, POSTGRES_DIALECT, p);
  const groupBy = bucketMs === null ? '' : 'GROUP BY 1, 2';
  const sql = `
    SELECT ${bucket} AS b, (${group})::text AS g, COUNT(*) AS requests, COUNT(*) FILTER (WHERE status >= 400) AS errors,
      COALESCE(SUM(input_tokens), 0)::bigint AS input_tokens, COALESCE(SUM(output_tokens), 0)::bigint AS output_tokens,
      COALESCE(SUM(cache_read_tokens), 0)::bigint AS cache_read_tokens, COALESCE(SUM(cache_write_tokens), 0)::bigint AS cache_write_tokens,
      COALESCE(SUM(reasoning_tokens), 0)::bigint AS reasoning_tokens, COALESCE(SUM(cost_usd), 0) AS cost_usd,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS d50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS d95,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ttft_ms) AS t50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY ttft_ms) AS t95
    FROM requests ${where} ${groupBy}`;
  const rows = (await pool.query<AggregateSqlRow>(sql, p.values)).rows;
  return rows
    .filter((r) => r.requests > 0)
    .map((r) => aggregateRowFrom(r, {
      latencyP50Ms: r.d50,
      latencyP95Ms: r.d95,
      ttftP50Ms: r.t50,
      ttftP95Ms: r.t95,
    }));
}

export async function aggregatePostgres(pool: pg.Pool, filter: RecordFilter, opts: AggregateOptions): Promise<AggregateResult> {
  checkBucket(opts.bucketMs);
  const group = groupExpression(opts.groupBy);
  const [rows, totals] = await Promise.all([aggregateQuery(pool, filter, opts.bucketMs, group), aggregateQuery(pool, filter, null, 'NULL')]);
  return { rows: sortAggregateRows(rows), totals: totals[0] ?? emptyAggregateRow() };
}

export async function keyUsagePostgres(pool: pg.Pool, sinceMs: number): Promise<KeyUsage[]> {
  const [windowed, latest] = await Promise.all([
    pool.query<KeyUsage>(
      `SELECT key_id AS "keyId", COUNT(*) AS requests, COALESCE(SUM(${TOKENS_SQL}), 0)::bigint AS tokens,
         COALESCE(SUM(cost_usd), 0) AS "costUsd", MAX("time") AS "lastUsedAt"
       FROM requests WHERE "time" >= $1 AND key_id IS NOT NULL GROUP BY key_id`,
      [Math.ceil(sinceMs)],
    ),
    // One index lookup per stored key (requests_key_id), so a key last used before the window still shows when.
    pool.query<{ keyId: string; lastUsedAt: number | null }>(
      'SELECT id AS "keyId", (SELECT MAX("time") FROM requests WHERE requests.key_id = client_keys.id) AS "lastUsedAt" FROM client_keys',
    ),
  ]);
  return mergeKeyUsage(windowed.rows, latest.rows);
}
