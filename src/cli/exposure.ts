import { isIP } from 'node:net';
import type { Config } from '../config/index.js';
import type { Store } from '../store/index.js';

/** Whether binding `host` keeps the router reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Refuses to expose the router beyond this machine with only the quick-start key: that key is made unasked, printed on
 * every start and kept in plain text in the data directory, which is fine for a laptop and not for a network. Binding
 * a non-loopback address needs at least one client key the operator made on purpose (config `auth.keys`,
 * `switchyard keys create` or the admin API).
 */
export async function checkExposure(config: Config, store: Store): Promise<void> {
  const host = config.server.host;
  if (isLoopbackHost(host)) return;
  const keys = await store.listKeys();
  if (keys.some((k) => k.source !== 'local')) return;
  throw new Error(
    `refusing to listen on ${host}: that address is reachable from other machines, and no client key is configured. ` +
      'Add one under auth.keys in the config file or with `switchyard keys create <name>`, or listen on 127.0.0.1 (the default).',
  );
}
