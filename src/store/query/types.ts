import type { RequestRecord } from '../../telemetry/record.js';

/** `200` (exact), `4xx`-style classes, `ok` (below 400) or `error` (400 and above); `ok` and `error` split every record. */
export type StatusFilter = number | '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'ok' | 'error';

/** What `queryRecords` and `aggregateRecords` match; every field narrows, absent fields match everything. */
export interface RecordFilter {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  /**
   * The requested model, or the served one (stored as `provider/model`): `anthropic/claude-sonnet-4-5` matches that
   * provider's, a bare `claude-sonnet-4-5` any provider's.
   */
  model?: string;
  provider?: string;
  /** Key name or key id. */
  key?: string;
  /** Router id; `router/<id>`, `routers/<id>` and `inworld/<id>` name the same router. */
  router?: string;
  status?: StatusFilter;
  /** Substring of the client (user agent), case-insensitive. */
  client?: string;
  /** Only these endpoints (`messages`, `chat_completions`, `count_tokens`, `admin.requests`, ...). */
  endpoints?: string[];
  /** Case-insensitive substring of the id, models, provider, key, router, route, variant, client, error or metadata. */
  q?: string;
}

/** A record as listed: everything but the bodies, which can be large. */
export type RecordSummary = Omit<RequestRecord, 'bodies'>;

export interface RecordPage {
  records: RecordSummary[];
  /** Pass back as `cursor` for the next (older) page; null when this page is the last. */
  nextCursor: string | null;
}

export type GroupBy = 'none' | 'model' | 'provider' | 'key' | 'router' | 'route' | 'variant' | 'status' | 'api';

export interface AggregateOptions {
  /** Bucket width in ms; buckets start at multiples of it since the epoch (UTC). */
  bucketMs: number;
  groupBy: GroupBy;
}

export interface AggregateRow {
  /** Bucket start, epoch ms (0 in totals). */
  time: number;
  /** The group's value (key name, `router/route`, status as text, ...); null for records without one and in totals. */
  group: string | null;
  requests: number;
  /** Records with status 400 or above. */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Percentiles (linear interpolation between order statistics, as PostgreSQL's percentile_cont). */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** Over the records that have a time to first token; null when none has. */
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
}

export interface AggregateResult {
  /** Non-empty bucket x group cells, by bucket then group. */
  rows: AggregateRow[];
  totals: AggregateRow;
}

export interface KeyUsage {
  keyId: string;
  /** Since the `sinceMs` given to `keyUsage`. */
  requests: number;
  /** Input, cache read, cache write and output tokens. */
  tokens: number;
  costUsd: number;
  /** Epoch ms of the key's newest stored record (any age); null when there is none. */
  lastUsedAt: number | null;
}

/** A filter or cursor the store cannot use (the HTTP layer answers 400). */
export class InvalidQueryError extends Error {
  override readonly name = 'InvalidQueryError';
  constructor(
    /** The filter or option at fault (`status`, `cursor`, `limit`, ...). */
    readonly param: string,
    message: string,
  ) {
    super(`${param}: ${message}`);
  }
}
