import type { Logger } from 'pino';
import type { Store } from '../store/index.js';

export interface RetentionOptions {
  /** Records older than this are deleted (`telemetry.records.retention`); 0 keeps them forever. */
  retentionMs: number;
  /** Time between two prunes (default one hour). */
  intervalMs?: number;
  now?: () => number;
}

const HOUR = 3_600_000;

/**
 * Deletes records past the retention period: once at start, then every `intervalMs`. Several instances on one
 * PostgreSQL database each prune; the deletes are idempotent, so that only costs a few empty statements.
 */
export class RecordPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly opts: RetentionOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Starts pruning (no-op when retention is 0). The first prune runs in the background, not delaying the start. */
  start(): void {
    if (this.opts.retentionMs <= 0 || this.timer) return;
    void this.prune();
    // Unref'd: pruning never keeps the process alive on its own.
    this.timer = setInterval(() => void this.prune(), this.opts.intervalMs ?? HOUR);
    this.timer.unref();
  }

  /** One prune; a call while one runs joins it. Failures are logged, never thrown: the next run tries again. */
  prune(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const cutoff = this.now() - this.opts.retentionMs;
    try {
      const deleted = await this.store.deleteRecordsBefore(cutoff);
      const fields = { deleted, before: new Date(cutoff).toISOString() };
      if (deleted > 0) this.log.info(fields, 'deleted records past telemetry.records.retention');
      else this.log.debug(fields, 'no records past telemetry.records.retention');
    } catch (err) {
      if (!this.stopped) this.log.warn({ err }, 'could not delete records past telemetry.records.retention; will retry');
    }
  }

  /** Stops the timer and waits for a prune in progress, so the store can be closed after. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
