/**
 * Shared state across instances through Redis (SPEC section 8, docs/deployment.md): change events, circuit breakers,
 * live statistics and the shared limit counters. The only entry point of src/store/redis.
 */
import type { Logger } from 'pino';
import type { CircuitBreakers } from '../../execution/breakers/index.js';
import { RedisLimits } from '../../limits/index.js';
import type { LiveStats } from '../../routing/stats/index.js';
import { SharedBreakers } from './breakers.js';
import { RedisChanges, type ChangeKind } from './changes.js';
import { RedisLink, type RedisHealth } from './connection.js';
import { SharedStats } from './stats.js';

export { RedisLink, describeRedisUrl, reconnectDelay, type RedisHealth, type RedisHealthState, type RedisLinkOptions } from './connection.js';
export { RedisChanges, type ChangeKind } from './changes.js';
export { SharedBreakers } from './breakers.js';
export { SharedStats, STATS_PUBLISH_MS } from './stats.js';

export interface SharedStateOptions {
  url: string;
  prefix: string;
  log: Logger;
  breakers: CircuitBreakers;
  stats: LiveStats;
  /** Another instance changed routers, keys or the config (also called with 'config' after every reconnect). */
  onChange: (kind: ChangeKind) => void;
  /** How long the start waits for Redis before going on with local state (default 2000 ms). */
  connectWaitMs?: number;
  instanceId?: string;
}

/** One instance's side of the shared state; everything keeps working on local state while Redis is down. */
export class SharedState {
  readonly link: RedisLink;
  readonly changes: RedisChanges;
  readonly breakers: SharedBreakers;
  readonly stats: SharedStats;
  readonly limits: RedisLimits;

  private constructor(opts: SharedStateOptions) {
    this.link = new RedisLink({ url: opts.url, prefix: opts.prefix, log: opts.log, instanceId: opts.instanceId });
    this.changes = new RedisChanges(this.link);
    this.breakers = new SharedBreakers(this.link, opts.breakers, opts.log);
    this.stats = new SharedStats(this.link, opts.stats, opts.log);
    this.limits = new RedisLimits(this.link.cmd, opts.prefix);
  }

  static async open(opts: SharedStateOptions): Promise<SharedState> {
    const s = new SharedState(opts);
    await s.changes.subscribe(opts.onChange);
    await s.breakers.subscribe();
    await s.stats.subscribe();
    // Every (re)connection converges: events published while this instance was cut off are lost, so it reads the
    // state others left in Redis and reloads keys and routers from the store.
    s.link.onUp(() => {
      void Promise.allSettled([s.breakers.converge(), s.stats.converge()]).then((results) => {
        for (const r of results) if (r.status === 'rejected') opts.log.warn({ err: r.reason as Error }, 'could not converge shared state from Redis');
      });
      opts.onChange('config');
    });
    await s.link.connect(opts.connectWaitMs);
    return s;
  }

  get up(): boolean {
    return this.link.up;
  }

  status(): Readonly<RedisHealth> {
    return this.link.status();
  }

  async close(): Promise<void> {
    this.stats.close();
    this.limits.close();
    await this.link.close();
  }
}
