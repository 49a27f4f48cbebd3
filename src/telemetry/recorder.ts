import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { RequestRecord } from './record.js';

/**
 * Queues request records and writes them to the store in batches on a timer (or as soon as a batch is full), so the
 * request path only appends to an array. A failed write puts the batch back in front of the queue to be retried. The
 * queue is bounded (`telemetry.records.queue_limit`): a record arriving when it is full is counted in `dropped` and
 * logged as an error — never dropped silently.
 */
export class Recorder {
  private queue: RequestRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | null = null;
  dropped = 0;
  written = 0;
  failedFlushes = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly opts: { flushIntervalMs: number; queueLimit: number; batchSize?: number },
  ) {
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs);
    this.timer.unref();
  }

  get depth(): number {
    return this.queue.length;
  }

  add(record: RequestRecord): void {
    if (this.queue.length >= this.opts.queueLimit) {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) {
        this.log.error({ dropped: this.dropped, queueLimit: this.opts.queueLimit }, 'record queue full: the store is not keeping up; records are being dropped');
      }
      return;
    }
    this.queue.push(record);
    if (this.queue.length >= (this.opts.batchSize ?? 500) && !this.flushing) void this.flush();
  }

  /** Writes everything queued so far; concurrent calls share one write. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.store
      .insertRecords(batch)
      .then(() => {
        this.written += batch.length;
      })
      .catch((err: unknown) => {
        this.failedFlushes++;
        // Put the batch back in front so nothing is lost while the store is unavailable.
        this.queue = batch.concat(this.queue).slice(0, this.opts.queueLimit);
        this.log.warn({ err: (err as Error).message, queued: this.queue.length }, 'writing records failed; will retry');
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
