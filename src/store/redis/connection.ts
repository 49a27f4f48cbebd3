import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisLinkOptions {
  url: string;
  /** Namespace of every key and channel (`<prefix>:...`). */
  prefix: string;
  log: Logger;
  /** Identifies this instance in published messages (so it ignores its own) and in CLIENT LIST. Default: random. */
  instanceId?: string;
  /** Per-command deadline; a hung Redis must not hold a request longer than this (default 1000 ms). */
  commandTimeoutMs?: number;
  /** Connection attempt deadline (default 2000 ms). */
  connectTimeoutMs?: number;
}

export type RedisHealthState = 'connecting' | 'up' | 'down';

export interface RedisHealth {
  state: RedisHealthState;
  /** Epoch ms of the last change of `state`. */
  since: number;
  /** The last connection error seen while down (never contains the URL's password). */
  lastError: string | null;
  /** Outages seen since start (up → down transitions, and a start that found Redis down). */
  outages: number;
}

/** `redis://user:pass@host:6379/0?x=y` → `redis://user@host:6379/0`: safe to log. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return '(invalid Redis URL)';
  }
}

/** Reconnect delays: 100 ms doubling to 5 s, with jitter so instances do not reconnect in lockstep. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(100 * 2 ** Math.min(attempt - 1, 6), 5000);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

type Listener = () => void;

/**
 * Two connections to Redis — commands, and a subscriber (a connection in subscribe mode can do nothing else) — that
 * reconnect forever with backoff, plus the health state the rest of Switchyard reads instead of waiting on Redis:
 * while it is down, callers use their local state. Commands are never queued while disconnected (they fail at once),
 * so nothing on the request path waits for a reconnect. The transition to down is logged once per outage.
 */
export class RedisLink {
  readonly prefix: string;
  readonly instanceId: string;
  readonly cmd: Redis;
  readonly sub: Redis;
  readonly description: string;
  private readonly log: Logger;
  private readonly health: RedisHealth = { state: 'connecting', since: Date.now(), lastError: null, outages: 0 };
  private readonly upListeners: Listener[] = [];
  private readonly downListeners: Listener[] = [];
  private readonly messageHandlers = new Map<string, (message: string) => void>();
  private readonly upWaiters: Listener[] = [];
  /** Both connections are ready and the subscriptions are being made; `up` follows when they are in place. */
  private rising = false;
  private closed = false;

  constructor(opts: RedisLinkOptions) {
    this.prefix = opts.prefix;
    this.instanceId = opts.instanceId ?? randomBytes(6).toString('hex');
    this.log = opts.log;
    this.description = describeRedisUrl(opts.url);
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: opts.connectTimeoutMs ?? 2000,
      retryStrategy: (times: number) => (this.closed ? null : reconnectDelay(times)),
      connectionName: `switchyard-${this.instanceId}`,
    };
    this.cmd = new Redis(opts.url, { ...common, commandTimeout: opts.commandTimeoutMs ?? 1000 });
    // The subscriber's only commands are (re)subscriptions; a command timeout would not help it.
    this.sub = new Redis(opts.url, { ...common, autoResubscribe: true });
    for (const c of [this.cmd, this.sub]) {
      // Without an 'error' listener ioredis would crash the process on the first refused connection.
      c.on('error', (err: Error) => this.noteError(err));
      c.on('ready', () => this.recompute());
      c.on('close', () => this.recompute());
      c.on('end', () => this.recompute());
    }
    this.sub.on('message', (channel: string, message: string) => {
      const handler = this.messageHandlers.get(channel);
      if (!handler) return;
      try {
        handler(message);
      } catch (err) {
        this.log.warn({ err, channel }, 'redis message handler failed');
      }
    });
  }

  /**
   * Connects both clients, waiting at most `waitMs` (default 2000): a start with Redis down goes on with local state
   * and the clients keep reconnecting in the background.
   */
  async connect(waitMs = 2000): Promise<void> {
    const up = new Promise<void>((resolve) => this.upWaiters.push(resolve));
    void this.cmd.connect().catch(() => undefined);
    void this.sub.connect().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    await Promise.race([up, waited]);
    clearTimeout(timer);
    if (this.health.state === 'connecting') this.toDown();
  }

  key(...parts: string[]): string {
    return `${this.prefix}:${parts.join(':')}`;
  }

  get up(): boolean {
    return this.health.state === 'up';
  }

  status(): Readonly<RedisHealth> {
    return this.health;
  }

  onUp(fn: Listener): void {
    this.upListeners.push(fn);
  }

  onDown(fn: Listener): void {
    this.downListeners.push(fn);
  }

  /** Subscribes `handler` to a channel (resubscribed by the client after every reconnect). */
  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    this.messageHandlers.set(channel, handler);
    if (this.sub.status === 'ready') await this.sub.subscribe(channel).catch(() => undefined);
  }

  /** Publishes when up; a message lost while down is made up for by the convergence that follows reconnection. */
  publish(channel: string, message: string): void {
    if (!this.up) return;
    this.cmd.publish(channel, message).catch((err: unknown) => this.noteError(err as Error));
  }

  /**
   * A command failed on the request path. A timeout means Redis (or the path to it) hangs without closing the
   * connection, which the client would not notice for a long time: the connection is dropped and re-established, so
   * the instance goes to local state at once instead of waiting out the timeout on every request.
   */
  reportFailure(err: Error): void {
    this.health.lastError = err.message;
    if (/timed? ?out/i.test(err.message) && this.cmd.status === 'ready') this.cmd.disconnect(true);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of [this.cmd, this.sub]) {
      c.removeAllListeners('ready');
      c.removeAllListeners('close');
      c.removeAllListeners('end');
    }
    await Promise.allSettled([this.cmd.quit(), this.sub.quit()]);
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  private noteError(err: Error): void {
    this.health.lastError = err.message;
    this.recompute();
  }

  private ready(): boolean {
    return this.cmd.status === 'ready' && this.sub.status === 'ready';
  }

  private recompute(): void {
    if (this.closed) return;
    const ready = this.ready();
    if (ready && this.health.state !== 'up' && !this.rising) {
      // Up only once the subscriptions are in place: an event published after `up` is never missed.
      this.rising = true;
      void this.resubscribeAll().then(() => {
        this.rising = false;
        if (this.closed) return;
        if (this.ready()) this.toUp();
      });
    } else if (!ready && this.health.state === 'up') {
      this.toDown();
    }
  }

  private async resubscribeAll(): Promise<void> {
    // autoResubscribe covers channels subscribed before an outage; this covers those added while Redis was down.
    const channels = [...this.messageHandlers.keys()];
    if (channels.length > 0) await this.sub.subscribe(...channels).catch(() => undefined);
  }

  private toUp(): void {
    const wasDown = this.health.state === 'down';
    this.health.state = 'up';
    this.health.since = Date.now();
    this.health.lastError = null;
    if (wasDown) this.log.info({ redis: this.description }, 'Redis is reachable again: converging shared state');
    for (const fn of this.upWaiters.splice(0)) fn();
    for (const fn of this.upListeners) fn();
  }

  private toDown(): void {
    this.health.state = 'down';
    this.health.since = Date.now();
    this.health.outages++;
    // Once per outage: the client retries every few seconds and each failure would otherwise log again.
    this.log.warn(
      { redis: this.description, error: this.health.lastError },
      'Redis is unreachable: serving with local state (circuit breakers, live statistics, limits, change events) until it is back',
    );
    for (const fn of this.downListeners) fn();
  }
}
