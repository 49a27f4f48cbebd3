import { Buffer } from 'node:buffer';

/**
 * One block of an event stream: the lines up to and including a blank line (WHATWG "event-stream" interpretation).
 *
 * Every block is returned, including blocks a browser `EventSource` would not dispatch (comment-only keep-alives such
 * as `: ping`, stray blank lines, blocks with `event:`/`id:` but no `data:`), so that the `raw` of all blocks plus the
 * `flush()` tail reproduce the input byte for byte. `hasData` tells them apart.
 */
export interface SseEvent {
  /** Value of the last `event:` field; `undefined` when absent or empty (the "message" type). */
  event?: string;
  /** The `data:` field values joined with `\n` ('' when there were none). */
  data: string;
  /** Value of the last `id:` field of this block (not sticky across blocks, see `SseSplitter.lastEventId`). */
  id?: string;
  /** Value of the last valid `retry:` field (ASCII digits only) of this block. */
  retry?: number;
  /** The exact input bytes of this block, including its terminating blank line. */
  raw: Buffer;
  /** Whether the block had at least one `data` field, i.e. whether `EventSource` would dispatch it. */
  hasData: boolean;
  /** True only for the trailing block returned by `flush()` that had no terminating blank line. */
  unterminated?: boolean;
}

export class SseTooLargeError extends Error {
  constructor(
    readonly limit: number,
    readonly size: number,
  ) {
    super(`SSE event exceeds ${limit} bytes (at least ${size} bytes buffered)`);
    this.name = 'SseTooLargeError';
  }
}

export interface SseSplitterOptions {
  /** Largest allowed event (raw bytes). Default 16 MiB. */
  maxEventBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Incremental SSE splitter for reading a stream on the side while its bytes are forwarded.
 *
 * Line endings `\n`, `\r\n` and `\r` are all handled, with chunk boundaries anywhere (also between the `\r` and `\n`
 * of a CRLF). An event that lies within one chunk gets `raw` as a view (`subarray`) of that chunk; bytes are copied
 * only for an event spanning chunks (one `Buffer.concat` of its pieces when it completes). Consequently the chunks
 * passed to `push` must not be modified afterwards. When a blank line ends with a lone `\r` at the very end of a
 * chunk, its event is held until the next chunk (or `flush`) shows whether a `\n` follows, so `raw` stays exact.
 */
export class SseSplitter {
  private readonly maxEventBytes: number;
  /** Bytes of the current, incomplete event from earlier chunks (views of those chunks). */
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** The current incomplete line's bytes from earlier chunks (views; a suffix of `parts`). */
  private lineParts: Buffer[] = [];
  // Fields of the current event.
  private eventType = '';
  private data: string | undefined = undefined;
  private id: string | undefined = undefined;
  private retry: number | undefined = undefined;
  /** The previous byte was a CR line terminator, so a leading LF in the next chunk completes it. */
  private skipLF = false;
  /** A blank line ending in CR ended the previous chunk: the event is complete but its raw may gain an LF. */
  private pendingDispatch = false;
  /** No line seen yet (a leading UTF-8 BOM is ignored). */
  private atStreamStart = true;
  private lastId = '';
  private failure: SseTooLargeError | null = null;

  constructor(opts: SseSplitterOptions = {}) {
    this.maxEventBytes = opts.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  /** Bytes held for the incomplete event. */
  get buffered(): number {
    return this.partsLen;
  }

  /** The sticky last event ID (the EventSource `lastEventId`), updated as events complete. */
  get lastEventId(): string {
    return this.lastId;
  }

  /** Returns the events completed by this chunk (0..n) and keeps the incomplete tail. */
  push(chunk: Buffer): SseEvent[] {
    if (this.failure) throw this.failure;
    const out: SseEvent[] = [];
    const n = chunk.length;
    if (n === 0) return out;
    let pos = 0;
    if (this.skipLF) {
      this.skipLF = false;
      if (chunk[0] === LF) pos = 1;
    }
    let eventStart = 0;
    if (this.pendingDispatch) {
      this.pendingDispatch = false;
      this.emit(out, chunk, 0, pos, false);
      eventStart = pos;
    }
    // Next LF / CR at or after pos; -2 = not searched yet, -1 = none left in this chunk.
    let lf = -2;
    let cr = -2;
    while (pos < n) {
      if (lf !== -1 && lf < pos) lf = chunk.indexOf(LF, pos);
      if (cr !== -1 && cr < pos) cr = chunk.indexOf(CR, pos);
      const t = lf < 0 ? cr : cr < 0 || lf < cr ? lf : cr;
      if (t < 0) {
        this.lineParts.push(chunk.subarray(pos));
        break;
      }
      let end = t + 1;
      let crAtEnd = false;
      if (chunk[t] === CR) {
        if (end < n) {
          if (chunk[end] === LF) end++;
        } else crAtEnd = true;
      }
      const blank = (this.lineParts.length === 0 && t === pos) || this.line(chunk, pos, t);
      this.atStreamStart = false;
      if (crAtEnd) this.skipLF = true;
      if (blank) {
        if (crAtEnd) {
          this.pendingDispatch = true;
          break;
        }
        this.emit(out, chunk, eventStart, end, false);
        eventStart = end;
      }
      pos = end;
    }
    if (eventStart < n) {
      this.parts.push(eventStart === 0 ? chunk : chunk.subarray(eventStart));
      this.partsLen += n - eventStart;
      if (this.partsLen > this.maxEventBytes) this.fail(this.partsLen);
    }
    return out;
  }

  /**
   * End of stream: returns the held event, if any. An unterminated trailing block (no final blank line) is returned
   * with `unterminated: true` and `raw` = the remaining bytes; WHATWG clients would discard it. Resets the splitter.
   */
  flush(): SseEvent[] {
    if (this.failure) throw this.failure;
    const out: SseEvent[] = [];
    if (this.pendingDispatch) this.emit(out, EMPTY, 0, 0, false);
    else if (this.partsLen > 0) {
      if (this.lineParts.length > 0) this.line(EMPTY, 0, 0);
      this.emit(out, EMPTY, 0, 0, true);
    }
    this.parts = [];
    this.partsLen = 0;
    this.lineParts = [];
    this.skipLF = false;
    this.pendingDispatch = false;
    this.atStreamStart = true;
    this.resetFields();
    return out;
  }

  private fail(size: number): never {
    this.failure = new SseTooLargeError(this.maxEventBytes, size);
    this.parts = [];
    this.lineParts = [];
    this.partsLen = 0;
    throw this.failure;
  }

  private resetFields(): void {
    this.eventType = '';
    this.data = undefined;
    this.id = undefined;
    this.retry = undefined;
  }

  /** Completes the current event with raw = held parts + chunk[start, end). */
  private emit(out: SseEvent[], chunk: Buffer, start: number, end: number, unterminated: boolean): void {
    let raw: Buffer;
    if (this.partsLen === 0) raw = chunk.subarray(start, end);
    else {
      if (end > start) this.parts.push(chunk.subarray(start, end));
      const total = this.partsLen + (end - start);
      raw = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, total);
      this.parts = [];
      this.partsLen = 0;
    }
    if (raw.length > this.maxEventBytes) this.fail(raw.length);
    if (this.id !== undefined) this.lastId = this.id;
    out.push({
      event: this.eventType === '' ? undefined : this.eventType,
      data: this.data ?? '',
      id: this.id,
      retry: this.retry,
      raw,
      hasData: this.data !== undefined,
      unterminated,
    });
    this.resetFields();
  }

  /**
   * Interprets one non-empty line: `lineParts` (earlier chunks) + chunk[s, e). Returns true if the line turns out
   * to be blank (only possible when it is the stream's first line and consists of a BOM).
   */
  private line(chunk: Buffer, s: number, e: number): boolean {
    let buf = chunk;
    if (this.lineParts.length > 0) {
      if (e > s) this.lineParts.push(chunk.subarray(s, e));
      buf = this.lineParts.length === 1 ? this.lineParts[0] : Buffer.concat(this.lineParts);
      this.lineParts = [];
      s = 0;
      e = buf.length;
    }
    if (this.atStreamStart && e - s >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) {
      s += 3;
      if (s === e) return true;
    }
    if (buf[s] === COLON) return false; // comment
    let colon = s;
    while (colon < e && buf[colon] !== COLON) colon++;
    let vs = e;
    if (colon < e) {
      vs = colon + 1;
      if (vs < e && buf[vs] === SPACE) vs++;
    }
    switch (colon - s) {
      case 4: // data
        if (buf[s] === 0x64 && buf[s + 1] === 0x61 && buf[s + 2] === 0x74 && buf[s + 3] === 0x61) {
          const v = buf.toString('utf8', vs, e);
          this.data = this.data === undefined ? v : this.data + '\n' + v;
        }
        break;
      case 5:
        if (buf[s] === 0x65 && buf[s + 1] === 0x76 && buf[s + 2] === 0x65 && buf[s + 3] === 0x6e && buf[s + 4] === 0x74) {
          this.eventType = buf.toString('utf8', vs, e); // event
        } else if (buf[s] === 0x72 && buf[s + 1] === 0x65 && buf[s + 2] === 0x74 && buf[s + 3] === 0x72 && buf[s + 4] === 0x79) {
          // retry: ASCII digits only, else ignored
          let k = vs;
          while (k < e && buf[k] >= 0x30 && buf[k] <= 0x39) k++;
          if (k === e && e > vs) this.retry = Number(buf.toString('latin1', vs, e));
        }
        break;
      case 2: // id, ignored if it contains NUL
        if (buf[s] === 0x69 && buf[s + 1] === 0x64) {
          let k = vs;
          while (k < e && buf[k] !== 0) k++;
          if (k === e) this.id = buf.toString('utf8', vs, e);
        }
        break;
    }
    return false;
  }
}
