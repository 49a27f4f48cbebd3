import type { Agent } from 'undici';
import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import type { KeyRing } from './auth/index.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { Store } from './store/index.js';
import type { Recorder } from './telemetry/recorder.js';
import type { Catalog } from './routing/catalog/index.js';
import type { ResolveContext } from './routing/resolve.js';

/** The long-lived services every request handler uses. */
export interface Services {
  config: Config;
  log: Logger;
  store: Store;
  keys: KeyRing;
  recorder: Recorder;
  providers: ProviderRegistry;
  agent: Agent;
  catalog: Catalog;
  /** Everything model resolution reads (providers, catalog, aliases, latency expectations). */
  routing: ResolveContext;
  /** True while shutting down: readiness fails so load balancers stop sending. */
  draining: boolean;
}
