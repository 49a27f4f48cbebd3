import type { Logger } from 'pino';
import { LiveStats, type LiveSample, type LiveStatsExport } from '../../routing/stats/index.js';
import type { RedisLink } from './connection.js';

interface StatsMessage {
  origin: string;
  data: LiveStatsExport;
}

/** How often an instance publishes the samples it measured since its last publish. */
export const STATS_PUBLISH_MS = 1000;

/**
 * Shares live latency/throughput samples between instances. The request path only appends the finished request's
 * samples to a local batch (O(1), after the response); a timer publishes the batch once a second to
 * `<prefix>:stats`, and every instance merges the others' batches into its own `LiveStats` (which ignores exact
 * duplicates, so a batch received twice counts once). Each instance also keeps its own recent window under
 * `<prefix>:stats:<instance>` (15 min TTL), which a starting instance or one that was cut off from Redis reads to
 * catch up.
 */
export class SharedStats {
  private readonly channel: string;
  /** Samples this instance measured since the last publish. */
  private batch = new LiveStats();
  private batchSize = 0;
  /** Every sample this instance measured (the window it leaves in Redis for others to catch up from). */
  private readonly own: LiveStats;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly link: RedisLink,
    private readonly stats: LiveStats,
    private readonly log: Logger,
  ) {
    this.channel = link.key('stats');
    this.own = new LiveStats(stats.options);
  }

  /** A finished attempt's sample, measured here. Called after the response, never before it. */
  note(sample: LiveSample): void {
    this.batch.record(sample);
    this.own.record(sample);
    this.batchSize++;
  }

  async subscribe(): Promise<void> {
    await this.link.subscribe(this.channel, (raw) => {
      let msg: StatsMessage;
      try {
        msg = JSON.parse(raw) as StatsMessage;
      } catch {
        return;
      }
      if (msg.origin === this.link.instanceId) return;
      this.merge(msg.data);
    });
    this.timer = setInterval(() => this.flush(), STATS_PUBLISH_MS);
    this.timer.unref();
  }

  /** Publishes the batch now (the timer does this every second). */
  flush(): void {
    if (this.batchSize === 0 || !this.link.up) return;
    const data = this.batch.exportWindows();
    this.batch = new LiveStats(this.stats.options);
    this.batchSize = 0;
    const own = JSON.stringify(this.own.exportWindows());
    this.link.cmd
      .multi()
      .publish(this.channel, JSON.stringify({ origin: this.link.instanceId, data } satisfies StatsMessage))
      .set(this.link.key('stats', this.link.instanceId), own, 'PX', this.stats.options.maxAgeMs)
      .exec()
      .catch((err: unknown) => this.log.debug({ err }, 'could not share live statistics'));
  }

  /** After (re)connecting: merges the windows the other instances left in Redis, and publishes this one's. */
  async converge(): Promise<void> {
    if (!this.link.up) return;
    const mine = this.link.key('stats', this.link.instanceId);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.link.cmd.scan(cursor, 'MATCH', `${this.link.key('stats')}:*`, 'COUNT', 200);
      cursor = next;
      for (const k of batch) if (k !== mine) keys.push(k);
    } while (cursor !== '0');
    if (keys.length > 0) {
      for (const v of await this.link.cmd.mget(...keys)) if (v !== null) this.merge(JSON.parse(v) as LiveStatsExport);
    }
    // What this instance measured while cut off goes out with the next batch.
    this.batch.importWindows(this.own.exportWindows());
    this.batchSize++;
    this.flush();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private merge(data: LiveStatsExport): void {
    try {
      this.stats.importWindows(data);
    } catch (err) {
      this.log.debug({ err }, 'ignored malformed live statistics from another instance');
    }
  }
}
