import type { UpstreamAgents } from './providers/upstream.js';
import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import type { KeyRing } from './auth/index.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { Store } from './store/index.js';
import type { Recorder } from './telemetry/recorder.js';
import type { Catalog } from './routing/catalog/index.js';
import type { ResolveContext } from './routing/resolve.js';
import type { LiveStats } from './routing/stats/index.js';
import type { CircuitBreakers } from './execution/breakers/index.js';
import type { Metrics } from './telemetry/metrics.js';
import type { RouterRegistry } from './routing/router-registry.js';
import type { BodyCapture } from './telemetry/bodies.js';
import type { BodyPool } from './ingress/body-pool.js';
import type { Cluster } from './cluster/index.js';
import type { KeyLimiter } from './limits/index.js';
import type { Tracing } from './telemetry/tracing/index.js';

/** The long-lived services every request handler uses. */
export interface Services {
  config: Config;
  log: Logger;
  store: Store;
  keys: KeyRing;
  /** Routers from the config file and the store, parsed and compiled once per version; refreshed from the store. */
  routers: RouterRegistry;
  recorder: Recorder;
  providers: ProviderRegistry;
  /** Keep-alive pools to the providers. */
  agents: UpstreamAgents;
  catalog: Catalog;
  /** Everything model resolution reads (providers, catalog, aliases, latency expectations). */
  routing: ResolveContext;
  /** Live time-to-first-token and throughput per (provider, model), from this router's own traffic. */
  stats: LiveStats;
  /** Circuit breakers per (provider, model, key). */
  breakers: CircuitBreakers;
  metrics: Metrics;
  /** Request/response body capture for records; null unless `telemetry.records.bodies` is on. */
  bodies: BodyCapture | null;
  /** Reused buffers for large request bodies (`server.body_pool`). */
  bodyPool: BodyPool;
  /** OpenTelemetry span export of finished requests; null unless an OTLP endpoint is configured. */
  tracing: Tracing | null;
  /** Shared state across instances (Redis, PostgreSQL change notifications); inert for a lone SQLite instance. */
  cluster: Cluster;
  /** Per-key limits, checked once per generation request after routing chose its candidates. */
  limits: KeyLimiter;
  /** True while shutting down: readiness fails so load balancers stop sending. */
  draining: boolean;
}
