/** The bounded request log (by entry count and by stored body bytes; oldest entries dropped first). */
import type { SimRequestLog } from './types.js';

export const DEFAULT_LOG_LIMIT = 10_000;
export const DEFAULT_LOG_BYTES_LIMIT = 256 * 1024 * 1024;

export class RequestLog {
  /** The live array handed out as `Simulator.requests`; mutated in place, never replaced. */
  readonly entries: SimRequestLog[] = [];
  private bytes = 0;
  private seq = 0;

  constructor(
    private readonly limit = DEFAULT_LOG_LIMIT,
    private readonly bytesLimit = DEFAULT_LOG_BYTES_LIMIT,
  ) {}

  nextSeq(): number {
    return ++this.seq;
  }

  push(entry: SimRequestLog): void {
    this.entries.push(entry);
    this.bytes += entry.body.length;
    const overCount = this.entries.length - this.limit;
    if (overCount > 0 || this.bytes > this.bytesLimit) {
      let drop = Math.max(0, overCount);
      let bytes = this.bytes;
      for (let i = 0; i < drop; i++) bytes -= this.entries[i].body.length;
      while (bytes > this.bytesLimit && drop < this.entries.length - 1) bytes -= this.entries[drop++].body.length;
      this.entries.splice(0, drop);
      this.bytes = bytes;
    }
  }

  clear(): void {
    this.entries.length = 0;
    this.bytes = 0;
  }

  /** JSON-friendly view of the last `n` entries (bodies as UTF-8 strings). */
  tail(n: number): Array<Omit<SimRequestLog, 'body'> & { body: string }> {
    const from = Math.max(0, this.entries.length - n);
    return this.entries.slice(from).map((e) => ({ ...e, body: e.body.toString('utf8') }));
  }
}
