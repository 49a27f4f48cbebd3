import type { AttemptRecord, RequestRecord, RoutingDecision } from '../../telemetry/record.js';
import { recordFromRow, type RequestRowOf, type RowDecoding } from '../query/record-row.js';

/** A `requests` row as better-sqlite3 returns it: 0/1 for booleans, JSON as text. */
export type RequestRow = RequestRowOf<number, string>;

const SQLITE_DECODING: RowDecoding<number, string> = {
  bool: (v) => v === 1,
  attempts: (v) => JSON.parse(v) as AttemptRecord[],
  routing: (v) => JSON.parse(v) as RoutingDecision,
  metadata: (v) => JSON.parse(v) as Record<string, string>,
};

export function toRecord(r: RequestRow): RequestRecord {
  return recordFromRow(r, SQLITE_DECODING);
}
