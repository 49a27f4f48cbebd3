import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type http from 'node:http';
import { pino, type Logger } from 'pino';
import type { Config } from './config/index.js';
import { bootstrapConfigKeys, KeyRing } from './auth/index.js';
import { createHttpServer } from './ingress/server.js';
import { parseBind } from './ingress/listeners.js';
import { portalReady } from './ingress/portal/index.js';
import { buildProviders, demoProvider, ProviderRegistry, type Provider } from './providers/registry.js';
import { UpstreamAgents } from './providers/upstream.js';
import { openStore, type Store } from './store/index.js';
import { Recorder } from './telemetry/recorder.js';
import { RecordPruner } from './telemetry/retention.js';
import type { Services } from './app-types.js';
import type { Simulator } from './simulator/index.js';
import { Catalog, type CatalogOverride } from './routing/catalog/index.js';
import { RouterRegistry } from './routing/router-registry.js';
import { LiveStats } from './routing/stats/index.js';
import { Cluster, hasChangeFeed, SAFETY_POLL_MS } from './cluster/index.js';
import { CircuitBreakers } from './execution/breakers/index.js';
import { Metrics } from './telemetry/metrics.js';
import { BodyCapture } from './telemetry/bodies.js';
import { BodyPool } from './ingress/body-pool.js';
import { Redactor } from './telemetry/redact.js';
import { createTracing } from './telemetry/tracing/index.js';

export interface AppOptions {
  config: Config;
  dataDir: string;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Use these providers instead of the ones built from config and environment (tests). */
  providers?: Provider[];
  /** Start the built-in simulator as the `demo` provider when no provider is configured (default true). */
  demoWhenEmpty?: boolean;
  /** Use this store instead of opening the configured one. */
  store?: Store;
  /** The config file the config came from, named in errors about its `routers:` (default "config file"). */
  configFile?: string;
}

export interface App {
  services: Services;
  server: http.Server;
  /** The listener of `server.admin_bind` (admin API and portal), when configured. */
  adminServer: http.Server | null;
  demo: Simulator | null;
  url: string | null;
  adminUrl: string | null;
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Applies a newly read config's `routers:`, `auth.keys` (SIGHUP) and `telemetry.records.enabled`. Routers and keys
   * are mirrored into the store, so every instance sharing it follows within its change feed's delay; records on/off
   * is this instance's own. Everything else (providers, limits, server, storage) needs a restart; the returned list
   * names the sections that changed but were not applied.
   */
  reloadConfig(next: Config): Promise<{ notApplied: string[] }>;
  /** Stops accepting, lets in-flight requests finish within the grace period, flushes records, closes the store. */
  close(graceMs?: number): Promise<void>;
}

/** Redacts anything secret from structured logs, whatever the call site passes. */
const REDACT = ['req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization', 'headers["x-api-key"]', 'headers["x-goog-api-key"]', '*.api_key', '*.api_keys', '*.key'];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: undefined };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

/** Config `models` objects of each provider become catalog additions/overrides (SPEC section 8). */
/** Body capture when configured; the redactor knows every provider key and the admin key by value. */
function bodyCapture(config: Config, registry: ProviderRegistry): BodyCapture | null {
  if (!config.telemetry.records.bodies) return null;
  const secrets = registry.list().flatMap((p) => p.keys);
  if (config.auth.admin_key) secrets.push(config.auth.admin_key);
  return new BodyCapture(new Redactor(secrets), config.telemetry.records.body_max_bytes);
}

function catalogOverrides(config: Config): CatalogOverride[] {
  const out: CatalogOverride[] = [];
  for (const [provider, p] of Object.entries(config.providers)) {
    for (const m of p.models ?? []) {
      if (typeof m === 'string') continue;
      out.push({ provider, id: m.id, context: m.context, max_output: m.max_output, price: m.price });
    }
  }
  return out;
}

/** A config section without the parts a reload applies (`auth.keys`, `telemetry.records.enabled`), to spot the rest. */
function reloadedAside(config: Config, section: keyof Config): unknown {
  if (section === 'auth') return { ...config.auth, keys: undefined };
  if (section === 'telemetry') return { ...config.telemetry, records: { ...config.telemetry.records, enabled: undefined } };
  return config[section];
}

export async function createApp(opts: AppOptions): Promise<App> {
  const { config } = opts;
  const log = opts.logger ?? createLogger(config.telemetry.log_level);
  // Before the store opens: a bad OTEL_EXPORTER_OTLP_* endpoint fails the start with nothing to clean up.
  const tracing = await createTracing(config.telemetry.otlp, log, opts.env ?? process.env);
  const store = opts.store ?? (await openStore(config, opts.dataDir));
  await bootstrapConfigKeys(store, config);
  // Config routers are validated before anything else starts: an invalid one fails the start like any config error.
  // With a change feed (Redis, PostgreSQL NOTIFY) changes arrive as events; the store poll is only a safety net.
  const feedExpected = hasChangeFeed(config, store);
  const routers = await RouterRegistry.open(store, { config: config.routers, configFile: opts.configFile, log, refreshMs: feedExpected ? SAFETY_POLL_MS : undefined }).catch(async (err: unknown) => {
    if (!opts.store) await store.close();
    throw err;
  });
  const keys = await KeyRing.open(store, config.auth.admin_key, feedExpected ? SAFETY_POLL_MS : undefined, log);
  const records = config.telemetry.records;
  const recorder = new Recorder(store, log, { flushIntervalMs: records.flush_interval, queueLimit: records.queue_limit, enabled: records.enabled });

  let providers = opts.providers ?? buildProviders(config, opts.env ?? process.env);
  let demo: Simulator | null = null;
  if (providers.length === 0 && opts.demoWhenEmpty !== false) {
    // Imported only here: the simulator (~40 modules) serves no purpose in a router with real providers.
    const { startSimulator } = await import('./simulator/index.js');
    demo = await startSimulator({ port: 0, label: 'switchyard-demo' });
    providers = [demoProvider(demo.url)];
  }
  const registry = new ProviderRegistry(providers);
  const agents = new UpstreamAgents(config.failover.timeouts.connect ?? 10_000);
  const catalog = Catalog.builtin().withOverrides(catalogOverrides(config));
  const stats = new LiveStats();
  // The breakers exist before the shared state that relays their changes (which needs them): bound late.
  const relay: { cluster?: Cluster } = {};
  const breakers = new CircuitBreakers(config.failover.breaker, {
    onChange: (key, from, to, reason) => {
      log.warn({ provider: key.provider, model: key.model, key: key.key, from, to, reason }, 'circuit breaker changed state');
      relay.cluster?.breakerChanged(key, from, to, reason);
    },
  });
  const cluster = await Cluster.start({ config, log, store, keys, routers, breakers, stats });
  relay.cluster = cluster;
  // Fastest first: live p50 time to first token once measured, the catalog's prior until then.
  const routing = { registry, catalog, aliases: config.aliases, expectedTtftMs: (p: string, m: string, entry?: { priors: { ttftMs: number } }) => stats.ttftP50(p, m)?.value ?? entry?.priors.ttftMs ?? 1000 };
  const services: Services = { config, log, store, keys, routers, recorder, providers: registry, agents, catalog, routing, stats, breakers, metrics: new Metrics(breakers, recorder), bodies: bodyCapture(config, registry), bodyPool: new BodyPool(config.server.body_pool, process.env.SWITCHYARD_CHECK_BODY_POOL === '1'), tracing, cluster, limits: cluster.limiter, draining: false };
  cluster.registerMetrics(services.metrics.registry);
  const server = createHttpServer(services);
  const adminServer = config.server.admin_bind ? createHttpServer(services, 'admin') : null;
  // Sessions must verify from the first request on (another instance may have issued them).
  await portalReady(services);
  const pruner = new RecordPruner(store, log, { retentionMs: config.telemetry.records.retention });
  pruner.start();

  const app: App = {
    services,
    server,
    adminServer,
    demo,
    url: null,
    adminUrl: null,
    async listen(port = config.server.port, host = config.server.host) {
      const bind = (srv: http.Server, p: number, h: string) =>
        new Promise<string>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen(p, h, () => {
            srv.off('error', reject);
            const addr = srv.address() as AddressInfo;
            const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
            resolve(`${config.server.tls ? 'https' : 'http'}://${shownHost}:${addr.port}`);
          });
        });
      app.url = await bind(server, port, host);
      if (adminServer) {
        const admin = parseBind(config.server.admin_bind!);
        app.adminUrl = await bind(adminServer, admin.port, admin.host);
      }
      return app.url;
    },
    async reloadConfig(next: Config) {
      await routers.reloadConfig(next.routers, opts.configFile ?? 'config file');
      await bootstrapConfigKeys(store, next);
      await keys.reload();
      recorder.setEnabled(next.telemetry.records.enabled);
      const notApplied = (Object.keys(next) as Array<keyof Config>).filter((k) => k !== 'routers' && !isDeepStrictEqual(reloadedAside(next, k), reloadedAside(config, k)));
      return { notApplied };
    },
    async close(graceMs = config.server.shutdown_grace) {
      services.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      // Keep-alive connections that become idle after their last response must not hold the shutdown open.
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
      const adminClosed = adminServer?.listening ? new Promise<void>((resolve) => adminServer.close(() => resolve())) : Promise.resolve();
      adminServer?.closeIdleConnections();
      await closed;
      adminServer?.closeAllConnections();
      await adminClosed;
      clearTimeout(timer);
      clearInterval(idleSweep);
      // The store gets as long again as the requests had to take the last records (it may be briefly unavailable).
      await recorder.close(graceMs);
      await pruner.stop();
      await tracing?.shutdown();
      keys.close();
      routers.close();
      await cluster.close();
      await agents.close();
      if (demo) await demo.close();
      await store.close();
    },
  };
  return app;
}
