/** Query parameters of `/admin/v1/requests` and `/admin/v1/usage`, validated (see docs/api.md, "Filters"). */
import { z } from 'zod';
import type { GroupBy, RecordFilter, StatusFilter } from '../../store/index.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
export const BUCKETS = { minute: MINUTE, hour: HOUR, day: DAY } as const;
export type Bucket = keyof typeof BUCKETS;
/** The default bucket is the smallest that keeps the range within this many buckets. */
const TARGET_BUCKETS = 200;
const DEFAULT_USAGE_RANGE = DAY;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** ISO 8601 or Unix epoch milliseconds. */
const time = z.string().transform((v, ctx) => {
  const ms = /^\d+$/.test(v) ? Number(v) : ISO_DATE.test(v) ? Date.parse(v) : NaN;
  if (!Number.isSafeInteger(ms)) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not an ISO 8601 time or Unix epoch milliseconds` });
    return z.NEVER;
  }
  return ms;
});

const status = z.string().transform((v, ctx): StatusFilter => {
  if (/^\d{3}$/.test(v)) return Number(v);
  const lower = v.toLowerCase();
  if (/^[1-5]xx$/.test(lower) || lower === 'ok' || lower === 'error') return lower as StatusFilter;
  ctx.addIssue({ code: 'custom', message: `"${v}" is not a status code, 1xx to 5xx, ok or error` });
  return z.NEVER;
});

const text = (max: number) => z.string().max(max);

const filterShape = {
  from: time.optional(),
  to: time.optional(),
  model: text(256).optional(),
  provider: text(256).optional(),
  key: text(256).optional(),
  router: text(256).optional(),
  status: status.optional(),
  client: text(256).optional(),
  q: text(256).optional(),
  endpoint: text(64).optional(),
};

/**
 * `endpoint`: `llm` (the default: model traffic, so the portal's own polling does not crowd it out), `all`, or one
 * endpoint name (`messages`, `chat_completions`, `count_tokens`, `models`, `admin.requests`, ...).
 */
export const LLM_ENDPOINTS = ['messages', 'chat_completions', 'count_tokens'];

const GROUPS = ['none', 'model', 'provider', 'key', 'router', 'route', 'variant', 'status', 'api'] as const satisfies readonly GroupBy[];

const listSchema = z.strictObject({
  ...filterShape,
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: text(1024).optional(),
});

const usageSchema = z.strictObject({
  ...filterShape,
  bucket: z.enum(['minute', 'hour', 'day']).optional(),
  group_by: z.enum(GROUPS).default('none'),
});

export type QueryResult<T> = { ok: true; value: T } | { ok: false; message: string; param?: string };

/** The parameters as an object: empty values count as absent (an empty form field), a repeated name is an error. */
function params(url: URL): QueryResult<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k in out) return { ok: false, message: `Query parameter "${k}" is given more than once.`, param: k };
    if (v !== '') out[k] = v;
  }
  return { ok: true, value: out };
}

function firstIssue(error: z.ZodError, allowed: readonly string[]): { ok: false; message: string; param?: string } {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    return { ok: false, message: `Unknown query parameter ${issue.keys.map((k) => `"${k}"`).join(', ')}; this endpoint takes ${allowed.join(', ')}.`, param: issue.keys[0] };
  }
  const param = issue.path.map(String).join('.');
  return { ok: false, message: `Invalid query parameter "${param}": ${issue.message}`, param };
}

function parse<S extends z.ZodObject>(schema: S, url: URL): QueryResult<z.output<S>> {
  const raw = params(url);
  if (!raw.ok) return raw;
  const parsed = schema.safeParse(raw.value);
  if (!parsed.success) return firstIssue(parsed.error, Object.keys(schema.shape));
  return { ok: true, value: parsed.data };
}

function filterOf(v: z.output<typeof listSchema> | z.output<typeof usageSchema>): QueryResult<RecordFilter> {
  if (v.from !== undefined && v.to !== undefined && v.from > v.to) return { ok: false, message: '"from" is after "to".', param: 'from' };
  const filter: RecordFilter = {};
  for (const k of ['from', 'to', 'model', 'provider', 'key', 'router', 'status', 'client', 'q'] as const) {
    if (v[k] !== undefined) (filter as Record<string, unknown>)[k] = v[k];
  }
  const endpoint = v.endpoint ?? 'llm';
  if (endpoint === 'llm') filter.endpoints = LLM_ENDPOINTS;
  else if (endpoint !== 'all') filter.endpoints = [endpoint];
  return { ok: true, value: filter };
}

export interface ListQuery {
  filter: RecordFilter;
  limit: number;
  cursor: string | null;
}

export function parseListQuery(url: URL): QueryResult<ListQuery> {
  const p = parse(listSchema, url);
  if (!p.ok) return p;
  const filter = filterOf(p.value);
  if (!filter.ok) return filter;
  return { ok: true, value: { filter: filter.value, limit: p.value.limit, cursor: p.value.cursor ?? null } };
}

export interface UsageQuery {
  /** With `from` and `to` always set (default: the 24 hours before now). */
  filter: RecordFilter & { from: number; to: number };
  bucket: Bucket;
  groupBy: GroupBy;
}

export function parseUsageQuery(url: URL, now: number): QueryResult<UsageQuery> {
  const p = parse(usageSchema, url);
  if (!p.ok) return p;
  const to = p.value.to ?? now;
  const from = p.value.from ?? to - DEFAULT_USAGE_RANGE;
  const filter = filterOf({ ...p.value, from, to });
  if (!filter.ok) return filter;
  const span = to - from;
  const bucket = p.value.bucket ?? (span <= TARGET_BUCKETS * MINUTE ? 'minute' : span <= TARGET_BUCKETS * HOUR ? 'hour' : 'day');
  return { ok: true, value: { filter: { ...filter.value, from, to }, bucket, groupBy: p.value.group_by } };
}
