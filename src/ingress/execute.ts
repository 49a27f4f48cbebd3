import type { Services } from '../app-types.js';
import type { Request } from '../formats/canonical/types.js';
import { executeTranslated } from '../execution/translate.js';
import { estimateInputTokens, tokenizerFamilyFor } from '../formats/tokens/index.js';
import type { Candidate } from '../routing/resolve.js';
import { addressPolicy, type RemoteFetchOptions } from '../providers/remote-fetch/index.js';
import type { RequestContext } from './context.js';

export function executionServices(svc: Services) {
  return {
    agents: svc.agents,
    providers: svc.providers,
    log: svc.log,
    maxAttempts: svc.config.failover.max_attempts,
    totalTimeoutMs: svc.config.failover.timeouts.total ?? 600_000,
    timeouts: svc.config.failover.timeouts,
    breakers: svc.breakers,
    remoteFetch: remoteFetchOptions(svc.config),
    upstreamLimits: { eventBytes: svc.config.server.upstream_event_limit, bodyBytes: svc.config.server.upstream_body_limit },
  };
}

const fetchOptions = new WeakMap<Services['config'], RemoteFetchOptions | null>();

/** The config's `remote_fetch`, turned into fetch options once per config (null when remote fetching is off). */
function remoteFetchOptions(config: Services['config']): RemoteFetchOptions | null {
  let opts = fetchOptions.get(config);
  if (opts === undefined) {
    const rf = config.remote_fetch;
    opts = rf.enabled ? { maxBytes: rf.max_bytes, timeoutMs: rf.timeout, policy: addressPolicy(rf.allow_addresses) } : null;
    fetchOptions.set(config, opts);
  }
  return opts;
}

/** Runs a decoded request through the translating executor with the model facts it needs. */
export async function executeRequest(svc: Services, ctx: RequestContext, req: Request, candidates: Candidate[]): Promise<void> {
  await executeTranslated(executionServices(svc), ctx, req, candidates, {
    estimateInput: (provider, model) => estimateInputTokens(req, tokenizerFamilyFor(provider.name, model)),
    maxOutputTokens: (provider, model) => svc.catalog.get(provider.name, model)?.maxOutput,
  });
}
