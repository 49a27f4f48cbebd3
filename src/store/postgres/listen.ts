import pg from 'pg';
import type { Logger } from 'pino';
import { describePostgresUrl } from './url.js';

/** The channel the `change_log` trigger notifies (migration 4) on every committed write of client_keys or routers. */
export const CHANGE_CHANNEL = 'switchyard_changes';

/**
 * Holds one dedicated connection in LISTEN mode on `switchyard_changes`, so a write committed by any connection — another
 * instance, the CLI, a psql session — reaches this instance within milliseconds, without polling. The payload is the
 * table name (`client_keys`, `routers`). The connection is re-established with backoff when it drops; every
 * (re)connect also reports a change of everything, since notifications sent while disconnected are lost.
 */
export class PostgresChangeListener {
  private client: pg.Client | null = null;
  private closed = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly description: string;

  constructor(
    private readonly url: string,
    private readonly onChange: (table: string | null) => void,
    private readonly log: Logger,
  ) {
    this.description = describePostgresUrl(url);
  }

  /** Connects once (without waiting for later reconnects); a failure leaves the retry loop running. */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5000, application_name: 'switchyard-listen', keepAlive: true });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => {
      if (n.channel === CHANGE_CHANNEL) this.onChange(n.payload ?? null);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (err) {
      if (this.attempt === 0) this.log.warn({ err: (err as Error).message, store: this.description }, 'cannot listen for PostgreSQL change notifications; retrying (the slow poll still picks changes up)');
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.schedule();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.attempt > 0) this.log.info({ store: this.description }, 'listening for PostgreSQL change notifications again');
    this.attempt = 0;
    // Whatever was committed before LISTEN took effect (since the keys and routers were first read, or while the
    // connection was down) was not notified: everyone looks at the store once now.
    this.onChange(null);
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (!this.closed) this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.retryTimer) return;
    this.attempt++;
    const delay = Math.min(200 * 2 ** Math.min(this.attempt - 1, 5), 5000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
    }
  }
}
