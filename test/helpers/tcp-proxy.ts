import net from 'node:net';

/**
 * A loopback TCP proxy to a server, which a test can cut (stop listening and destroy every open connection) and
 * restore on the same port. Tests use it to take Redis or PostgreSQL away from the instances under test without
 * stopping the machine's server, which other test files use at the same time: a cut gives the client what a stopped
 * server would (resets of its open connections, ECONNREFUSED on new ones).
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private stalled = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.stalled = false;
    const server = net.createServer((client) => {
      client.on('error', () => client.destroy());
      this.sockets.add(client);
      // Stalled: connections are accepted and never answered, like a hung server or a black-holed route.
      if (this.stalled) return;
      const upstream = net.connect(this.targetPort, this.targetHost);
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.pairs.add(pair);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
        this.pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Keeps every connection open but stops passing bytes either way (new connections too). */
  stall(): void {
    this.stalled = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Refuses new connections and breaks the open ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.pairs.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Open client connections being forwarded. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Listens again on the same port. */
  async restore(): Promise<void> {
    await this.start();
  }
}
