import { InvalidQueryError } from './types.js';

/** The keyset position after a page's last record: its time and id (records are ordered by both, descending). */
export interface CursorPosition {
  time: number;
  id: string;
}

/** Opaque to callers: base64url JSON of `[time, id]`. */
export function encodeCursor(p: CursorPosition): string {
  return Buffer.from(JSON.stringify([p.time, p.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isSafeInteger(parsed[0]) || typeof parsed[1] !== 'string') {
    throw new InvalidQueryError('cursor', 'not a cursor this server returned (pass next_cursor from the previous page unchanged)');
  }
  return { time: parsed[0] as number, id: parsed[1] };
}
