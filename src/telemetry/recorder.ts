import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { RequestRecord } from './record.js';

export interface RecorderOptions {
  /** How often queued records are written (`telemetry.records.flush_interval`). */
  flushIntervalMs: number;
  /** Most records held, queued or being written (`telemetry.records.queue_limit`). */
  queueLimit: number;
  /** Queued records that trigger a write before the next tick (default 500). */
  batchSize?: number;
  /** Longest wait between two attempts while the store keeps failing (default 5000 ms). */
  maxRetryDelayMs?: number;
  /** `telemetry.records.enabled` (default true): while false, records are discarded where they would be queued. */
  enabled?: boolean;
}

/** While the store stays down, the warning is repeated this often (with the count of failed attempts), not per retry. */
const REPEAT_WARNING_MS = 60_000;

/**
 * Queues request records and writes them to the store in batches, so the request path only appends to an array.
 *
 * Each tick (`flushIntervalMs`) writes everything queued in one store call; one write runs at a time. Hence the loss
 * bound of a crash (docs/records.md): a record is in the store at most one interval plus one write after it was
 * queued, so `kill -9` loses only records of requests that finished within that window.
 *
 * A failed write puts its batch back in front of the queue, and the next attempts back off (doubling from the
 * interval up to `maxRetryDelayMs`) instead of retrying every tick; records keep queuing meanwhile and are written,
 * in order, when the store answers again. Writes are idempotent by record id in both backends, so a write that did
 * commit but reported an error (a connection lost before the reply) is retried without duplicating anything.
 *
 * The queue is bounded (`queueLimit`, counting the batch being written): a record arriving when it is full is counted
 * in `dropped` and logged as an error — never dropped silently.
 */
export class Recorder {
  private queue: RequestRecord[] = [];
  /** Records of the write in progress: not yet stored, so they count in `depth` and against the limit. */
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | null = null;
  /** Consecutive failed writes; while > 0 the timer waits for `retryAt` instead of writing every tick. */
  private failures = 0;
  private retryAt = 0;
  private lastWarningAt = 0;
  private closing = false;
  /** Requests started whose record has not been added yet (`requestStarted` / `requestEnded`). */
  private open = 0;
  private onSettled: (() => void) | null = null;
  private readonly batchSize: number;
  private readonly maxRetryDelayMs: number;
  dropped = 0;
  /** Records the store refused on their own (not an outage): dropped, counted and logged with their request id. */
  rejected = 0;
  written = 0;
  failedFlushes = 0;
  /** `telemetry.records.enabled`; a config reload switches it (`setEnabled`). */
  private on: boolean;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly opts: RecorderOptions,
  ) {
    this.batchSize = opts.batchSize ?? 500;
    this.maxRetryDelayMs = Math.max(opts.maxRetryDelayMs ?? 5000, opts.flushIntervalMs);
    this.on = opts.enabled ?? true;
    this.timer = setInterval(() => this.tick(), opts.flushIntervalMs);
    this.timer.unref();
  }

  /** Records not yet in the store: queued plus being written. */
  get depth(): number {
    return this.queue.length + this.inFlight;
  }

  /**
   * A request has started; `close` waits (within its deadline) for its `requestEnded`, so a request that ends during
   * shutdown — one cut at the grace deadline settles just after its connection closed — still gets its record written.
   */
  requestStarted(): void {
    this.open++;
  }

  /** The request's record, if any, has been added (or it will have none). */
  requestEnded(): void {
    this.open = Math.max(this.open - 1, 0);
    if (this.open === 0) this.onSettled?.();
  }

  get enabled(): boolean {
    return this.on;
  }

  /**
   * Records on or off from now on (a config reload). Switching off keeps what is already queued: those requests
   * happened while records were on, so their records are still written.
   */
  setEnabled(on: boolean): void {
    this.on = on;
  }

  add(record: RequestRecord): void {
    if (!this.on) return;
    if (this.depth >= this.opts.queueLimit) {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) {
        this.log.error({ dropped: this.dropped, queueLimit: this.opts.queueLimit }, 'record queue full: the store is not keeping up; records are being dropped');
      }
      return;
    }
    this.queue.push(record);
    // After close() no tick runs: a request that ends during shutdown (one cut at the grace deadline) writes at once.
    if (this.closing) void this.flush();
    else if (this.queue.length >= this.batchSize && !this.writing && this.failures === 0) void this.flush();
  }

  private tick(): void {
    if (this.writing || this.queue.length === 0 || Date.now() < this.retryAt) return;
    void this.flush();
  }

  /**
   * Waits for the write in progress, then writes everything queued (one attempt). Never rejects: a failure leaves the
   * records queued for a later attempt.
   */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.inFlight = batch.length;
    this.writing = this.write(batch).finally(() => {
      this.inFlight = 0;
      this.writing = null;
    });
    await this.writing;
  }

  private async write(batch: RequestRecord[]): Promise<void> {
    try {
      await this.store.insertRecords(batch);
    } catch (err) {
      // A store that answers but refuses the batch has a record it will never take (bad data, not an outage):
      // isolate it so it cannot hold the queue hostage until it overflows.
      if (await this.storeAnswers()) {
        await this.writeOneByOne(batch, err);
        return;
      }
      this.failedFlushes++;
      this.failures++;
      // Back in front, in order. No overflow: `add` counted this batch against the limit while it was out.
      this.queue = batch.concat(this.queue);
      const delay = Math.min(this.opts.flushIntervalMs * 2 ** this.failures, this.maxRetryDelayMs);
      this.retryAt = Date.now() + delay;
      const now = Date.now();
      if (this.failures === 1 || now - this.lastWarningAt >= REPEAT_WARNING_MS) {
        this.lastWarningAt = now;
        this.log.warn(
          { err: (err as Error).message, queued: this.queue.length, failedAttempts: this.failures, retryInMs: delay, maxRetryDelayMs: this.maxRetryDelayMs },
          'writing records failed; they stay queued and are retried until the store is back',
        );
      }
      return;
    }
    this.written += batch.length;
    if (this.failures > 0) {
      this.log.info({ failedAttempts: this.failures, written: batch.length, queued: this.queue.length }, 'records written again: the store is back');
    }
    this.failures = 0;
    this.retryAt = 0;
  }

  private async storeAnswers(): Promise<boolean> {
    try {
      await this.store.ping();
      return true;
    } catch {
      return false;
    }
  }

  private async writeOneByOne(batch: RequestRecord[], batchError: unknown): Promise<void> {
    for (const [i, record] of batch.entries()) {
      try {
        await this.store.insertRecords([record]);
        this.written++;
      } catch (err) {
        if (!(await this.storeAnswers())) {
          // The store went away meanwhile: the rest waits for it like any outage.
          this.queue = batch.slice(i).concat(this.queue);
          this.failures++;
          this.retryAt = Date.now() + Math.min(this.opts.flushIntervalMs * 2 ** this.failures, this.maxRetryDelayMs);
          return;
        }
        this.rejected++;
        this.log.error({ requestId: record.id, err: (err as Error).message, batchErr: (batchError as Error).message, rejected: this.rejected }, 'the store rejected a record; it is dropped and counted');
      }
    }
  }

  /**
   * Stops the timer and writes what is queued, retrying (with the same backoff) until `deadlineMs` has passed. What is
   * still unwritten then is logged as an error with its count, since it is about to be lost.
   */
  async close(deadlineMs = 10_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.closing = true;
    const deadline = Date.now() + deadlineMs;
    if (this.open > 0) {
      await withDeadline(new Promise<void>((resolve) => (this.onSettled = resolve)), deadlineMs);
      this.onSettled = null;
    }
    for (;;) {
      const left = deadline - Date.now();
      // A write that hangs (a store that stopped answering) must not hold the shutdown past the deadline.
      if (left > 0) await withDeadline(this.flush(), left);
      if (this.depth === 0) return;
      const now = Date.now();
      if (now >= deadline) break;
      await sleep(Math.max(Math.min(this.retryAt, deadline) - now, 10));
    }
    this.log.error({ lost: this.depth, deadlineMs }, 'shutting down with records not written: the store did not accept them before the deadline');
  }
}

// Ref'd timers: while records wait to be written, the process must not exit for lack of anything else to do.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withDeadline(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
