import type { Services } from '../app-types.js';
import type { Request } from '../formats/canonical/types.js';
import { executeTranslated } from '../execution/translate.js';
import { estimateInputTokens, tokenizerFamilyFor } from '../formats/tokens/index.js';
import type { Candidate } from '../routing/resolve.js';
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
  };
}

/** Runs a decoded request through the translating executor with the model facts it needs. */
export async function executeRequest(svc: Services, ctx: RequestContext, req: Request, candidates: Candidate[]): Promise<void> {
  await executeTranslated(executionServices(svc), ctx, req, candidates, {
    estimateInput: (provider, model) => estimateInputTokens(req, tokenizerFamilyFor(provider.name, model)),
    maxOutputTokens: (provider, model) => svc.catalog.get(provider.name, model)?.maxOutput,
  });
}
