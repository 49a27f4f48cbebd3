/**
 * SQL for record queries, shared by both backends so a filter means the same in SQLite and PostgreSQL. Every value
 * is a bound parameter; only the fixed column and group expressions below are spliced into the statement.
 */
import { decodeCursor } from './cursor.js';
import { InvalidQueryError, type GroupBy, type RecordFilter, type StatusFilter } from './types.js';

export interface Dialect {
  /** The placeholder of the n-th (1-based) parameter. */
  placeholder(n: number): string;
  /** Case-insensitive LIKE. SQLite's LIKE folds ASCII letters only; PostgreSQL's ILIKE folds every letter. */
  ilike: 'LIKE' | 'ILIKE';
  /** The metadata column as text, for free-text search. */
  metadataText: string;
}

export const SQLITE_DIALECT: Dialect = { placeholder: () => '?', ilike: 'LIKE', metadataText: 'metadata' };
export const POSTGRES_DIALECT: Dialect = { placeholder: (n) => `$${n}`, ilike: 'ILIKE', metadataText: 'metadata::text' };

/** Collects bound values and hands out their placeholders. */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: Dialect) {}

  add(v: unknown): string {
    this.values.push(v);
    return this.dialect.placeholder(this.values.length);
  }
}

const ROUTER_PREFIX = /^(?:routers?|inworld)\//;

/** Columns the free-text `q` searches. */
const TEXT_COLUMNS = ['id', 'requested_model', 'model', 'provider', 'key_name', 'key_id', 'router', 'route_id', 'variant_id', 'client', 'error'];

function likePattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * The condition the partial index of errors (`requests_errors`, migration 5) is defined with. A filter that only
 * matches errors states it literally: neither SQLite nor PostgreSQL can use a partial index unless the query's
 * conditions imply the index's, and SQLite proves that only from an identical term (not from `status = $1`).
 */
export const ERRORS_ONLY = 'status >= 400';

function statusCondition(status: StatusFilter, p: SqlParams): string {
  if (status === 'ok') return 'status < 400';
  if (status === 'error') return ERRORS_ONLY;
  if (typeof status === 'number') {
    if (!Number.isInteger(status) || status < 0 || status > 999) throw new InvalidQueryError('status', `${status} is not an HTTP status`);
    return status >= 400 ? `(${ERRORS_ONLY} AND status = ${p.add(status)})` : `status = ${p.add(status)}`;
  }
  const m = /^([1-5])xx$/.exec(status);
  if (!m) throw new InvalidQueryError('status', `"${String(status)}" is not one of a status code, 1xx to 5xx, ok, error`);
  const low = Number(m[1]) * 100;
  const range = `status >= ${p.add(low)} AND status < ${p.add(low + 100)}`;
  return low >= 400 ? `(${ERRORS_ONLY} AND ${range})` : `(${range})`;
}

/** The conditions of `filter`, to be joined with AND. */
export function filterConditions(filter: RecordFilter, dialect: Dialect, p: SqlParams): string[] {
  const out: string[] = [];
  if (filter.from !== undefined) out.push(`"time" >= ${p.add(Math.ceil(filter.from))}`);
  if (filter.to !== undefined) out.push(`"time" < ${p.add(Math.ceil(filter.to))}`);
  if (filter.model !== undefined) {
    // The served model is stored as `provider/model`: a bare model id matches it from any provider.
    const m = filter.model;
    out.push(`(model = ${p.add(m)} OR requested_model = ${p.add(m)} OR model = provider || '/' || ${p.add(m)})`);
  }
  if (filter.provider !== undefined) out.push(`provider = ${p.add(filter.provider)}`);
  if (filter.key !== undefined) out.push(`(key_name = ${p.add(filter.key)} OR key_id = ${p.add(filter.key)})`);
  if (filter.router !== undefined) out.push(`router = ${p.add(filter.router.trim().replace(ROUTER_PREFIX, ''))}`);
  if (filter.status !== undefined) out.push(statusCondition(filter.status, p));
  if (filter.endpoints !== undefined) {
    out.push(filter.endpoints.length === 0 ? 'FALSE' : `endpoint IN (${filter.endpoints.map((e) => p.add(e)).join(', ')})`);
  }
  if (filter.client !== undefined) out.push(`client ${dialect.ilike} ${p.add(likePattern(filter.client))} ESCAPE '\\'`);
  if (filter.q !== undefined && filter.q !== '') {
    const pattern = likePattern(filter.q);
    const cols = [...TEXT_COLUMNS, dialect.metadataText].map((c) => `${c} ${dialect.ilike} ${p.add(pattern)} ESCAPE '\\'`);
    out.push(`(${cols.join(' OR ')})`);
  }
  return out;
}

/** `WHERE ...` for the filter and, when a cursor is given, the keyset condition (records before the cursor). */
export function whereClause(filter: RecordFilter, dialect: Dialect, p: SqlParams, cursor?: string | null): string {
  const conds = filterConditions(filter, dialect, p);
  if (cursor) {
    const c = decodeCursor(cursor);
    conds.push(`("time", id) < (${p.add(c.time)}, ${p.add(c.id)})`);
  }
  return conds.length ? `WHERE ${conds.join(' AND ')}` : '';
}

/** The SQL value each `group_by` groups on (text or NULL). */
export const GROUP_EXPRESSIONS: Record<GroupBy, string> = {
  none: 'NULL',
  model: 'model',
  provider: 'provider',
  key: 'COALESCE(key_name, key_id)',
  router: 'router',
  route: `CASE WHEN router IS NULL OR route_id IS NULL THEN NULL ELSE router || '/' || route_id END`,
  variant: `CASE WHEN router IS NULL OR route_id IS NULL OR variant_id IS NULL THEN NULL ELSE router || '/' || route_id || '/' || variant_id END`,
  status: 'CAST(status AS TEXT)',
  api: 'api',
};

export function groupExpression(groupBy: GroupBy): string {
  const expr = GROUP_EXPRESSIONS[groupBy] as string | undefined;
  if (expr === undefined) throw new InvalidQueryError('group_by', `"${String(groupBy)}" is not one of ${Object.keys(GROUP_EXPRESSIONS).join(', ')}`);
  return expr;
}

export function checkBucket(bucketMs: number): void {
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0) throw new InvalidQueryError('bucket', `${bucketMs} ms is not a positive whole number of milliseconds`);
}
