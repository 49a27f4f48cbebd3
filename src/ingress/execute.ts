import type { Services } from '../app-types.js';
import type { Request } from '../formats/canonical/types.js';
import { executeTranslated } from '../execution/translate.js';
import { estimateInputTokens, tokenizerFamilyFor } from '../formats/tokens/index.js';
import type { Candidate } from '../routing/resolve.js';
import { addressPolicy, type RemoteFetchOptions } from '../providers/remote-fetch/index.js';
import type { RequestContext } from './context.js';

function buildExecutionServices(svc: Services) {
  const rf = svc.config.remote_fetch;
  return {
    agents: svc.agents,
    providers: svc.providers,
    log: svc.log,
    maxAttempts: svc.config.failover.max_attempts,
    totalTimeoutMs: svc.config.failover.timeouts.total ?? 600_000,
    timeouts: svc.config.failover.timeouts,
    breakers: svc.breakers,
    /** Remote image fetching (null when `remote_fetch.enabled` is off). */
    remoteFetch: rf.enabled ? ({ maxBytes: rf.max_bytes, timeoutMs: rf.timeout, policy: addressPolicy(rf.allow_addresses) } satisfies RemoteFetchOptions) : null,
    upstreamLimits: { eventBytes: svc.config.server.upstream_event_limit, bodyBytes: svc.config.server.upstream_body_limit },
  };
}

const built = new WeakMap<Services, ReturnType<typeof buildExecutionServices>>();

/** What the executors need from the services; built once per app, not per request (it only holds long-lived parts). */
export function executionServices(svc: Services): ReturnType<typeof buildExecutionServices> {
  let exec = built.get(svc);
  if (!exec) {
    exec = buildExecutionServices(svc);
    built.set(svc, exec);
  }
  return exec;
}

/** Runs a decoded request through the translating executor with the model facts it needs. */
export async function executeRequest(svc: Services, ctx: RequestContext, req: Request, candidates: Candidate[]): Promise<void> {
  await executeTranslated(executionServices(svc), ctx, req, candidates, {
    estimateInput: (provider, model) => estimateInputTokens(req, tokenizerFamilyFor(provider.name, model)),
    maxOutputTokens: (provider, model) => svc.catalog.get(provider.name, model)?.maxOutput,
  });
}
