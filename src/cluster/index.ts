/**
 * What lets N stateless instances act as one (SPEC section 8, docs/deployment.md): change events that reload keys and
 * routers within milliseconds (Redis pub/sub between instances, PostgreSQL NOTIFY from any writer), circuit breakers
 * and live statistics shared through Redis, and the per-key limits, counted in Redis when it is configured and
 * reachable and in this process otherwise.
 *
 * `ioredis` and `pg` are imported only when Redis or PostgreSQL is configured: together they cost ~25 MB of memory
 * in every process that never uses them (docs/decisions/0007-lazy-optional-modules.md).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { KeyRing } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { BreakerKey, BreakerState, CircuitBreakers } from '../execution/breakers/index.js';
import { KeyLimiter, LocalLimits } from '../limits/index.js';
import type { RouterRegistry } from '../routing/router-registry.js';
import type { LiveSample, LiveStats } from '../routing/stats/index.js';
import { ChangeFeed } from '../store/change-feed.js';
import type { PostgresChangeListener } from '../store/postgres/listen.js';
import type { SharedState } from '../store/redis/index.js';
import type { Store } from '../store/types.js';

/** With a change feed, the store poll is only a safety net (a lost event is picked up within this). */
export const SAFETY_POLL_MS = 15_000;

/**
 * Whether every change to keys and routers arrives as an event, so the store polls can be slow: PostgreSQL's NOTIFY
 * comes from any writer. Redis events alone do not qualify: the CLI writing a SQLite store publishes nothing.
 */
export function hasChangeFeed(config: Config, store: Store): boolean {
  return store.kind === 'postgres' && config.storage !== undefined && 'postgres' in config.storage;
}

export interface ClusterOptions {
  config: Config;
  log: Logger;
  store: Store;
  keys: KeyRing;
  routers: RouterRegistry;
  breakers: CircuitBreakers;
  stats: LiveStats;
  /** Test hook: how long the start waits for Redis (default 2000 ms). */
  redisConnectWaitMs?: number;
}

/** The readiness detail of the shared state (`/readyz`). */
export interface ClusterStatus {
  redis: { status: 'up' | 'down' | 'connecting'; since: string; error: string | null; outages: number } | null;
  change_feed: Array<'redis' | 'postgres'>;
}

export class Cluster {
  private constructor(
    readonly shared: SharedState | null,
    readonly feed: ChangeFeed,
    private readonly listener: PostgresChangeListener | null,
    readonly limiter: KeyLimiter,
  ) {}

  static async start(opts: ClusterOptions): Promise<Cluster> {
    const { config, log, keys, routers } = opts;
    const feed = new ChangeFeed({ keys, routers }, log);
    let shared: SharedState | null = null;
    if (config.redis) {
      const { SharedState } = await import('../store/redis/index.js');
      shared = await SharedState.open({
        url: config.redis.url,
        prefix: config.redis.prefix,
        log,
        breakers: opts.breakers,
        stats: opts.stats,
        onChange: (kind) => feed.notify(kind),
        connectWaitMs: opts.redisConnectWaitMs,
      });
      const changes = shared.changes;
      keys.onLocalChange = () => changes.publish('keys');
      routers.onLocalWrite = () => changes.publish('routers');
    }
    let listener: PostgresChangeListener | null = null;
    const storage = config.storage;
    if (opts.store.kind === 'postgres' && storage && 'postgres' in storage) {
      const { PostgresChangeListener } = await import('../store/postgres/listen.js');
      listener = new PostgresChangeListener(storage.postgres, (table) => feed.notifyTable(table), log);
      await listener.start();
    }
    const backend = shared;
    const limiter = new KeyLimiter({
      defaults: config.limits.default,
      configKeys: config.auth.keys,
      local: new LocalLimits(),
      shared: backend ? { backend: backend.limits, up: () => backend.up, failed: (err) => backend.link.reportFailure(err) } : null,
      recordedSpend: (sinceMs) => opts.store.keyUsage(sinceMs),
      log,
    });
    backend?.link.onUp(() => limiter.sharedReconnected());
    const cluster = new Cluster(shared, feed, listener, limiter);
    // This instance's config routers and keys were just written to the store: the others reload them now.
    shared?.changes.publish('config');
    return cluster;
  }

  /** Hook for the circuit breakers' onChange. */
  breakerChanged(key: BreakerKey, from: BreakerState, to: BreakerState, reason: string): void {
    this.shared?.breakers.onLocalChange(key, from, to, reason);
  }

  /** A finished attempt's latency sample, measured here (after the response). */
  noteSample(sample: LiveSample): void {
    this.shared?.stats.note(sample);
  }

  status(): ClusterStatus {
    const feeds: Array<'redis' | 'postgres'> = [];
    if (this.shared) feeds.push('redis');
    if (this.listener) feeds.push('postgres');
    if (!this.shared) return { redis: null, change_feed: feeds };
    const h = this.shared.status();
    return { redis: { status: h.state, since: new Date(h.since).toISOString(), error: h.lastError, outages: h.outages }, change_feed: feeds };
  }

  /** Redis health and limit refusals in /metrics. */
  registerMetrics(registry: Registry): void {
    const shared = this.shared;
    const limiter = this.limiter;
    if (shared) {
      new Gauge({
        name: 'switchyard_redis_up',
        help: 'Whether Redis (shared state across instances) is reachable: 1 up, 0 down (serving with local state)',
        registers: [registry],
        collect() {
          this.set(shared.up ? 1 : 0);
        },
      });
      new Gauge({
        name: 'switchyard_redis_outages',
        help: 'Redis outages seen since start (each logged once)',
        registers: [registry],
        collect() {
          this.set(shared.status().outages);
        },
      });
    }
    new Counter({
      name: 'switchyard_limit_refusals_total',
      help: 'Requests refused with 429 by a per-key limit, by limit',
      labelNames: ['limit'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [limit, n] of limiter.refusals) this.inc({ limit }, n);
      },
    });
  }

  async close(): Promise<void> {
    await this.listener?.close();
    await this.shared?.close();
  }
}
