import type { Services } from '../app-types.js';
import type { Request } from '../formats/canonical/types.js';
import { codecFor } from '../formats/index.js';
import { estimateInputTokens, tokenizerFamilyFor, type TokenizerFamily } from '../formats/tokens/index.js';
import { KeyLimiter, type Ticket } from '../limits/index.js';
import type { Candidate } from '../routing/resolve.js';
import { costUsd } from '../telemetry/cost/index.js';
import type { RequestRecord } from '../telemetry/record.js';
import type { RequestContext } from './context.js';
import { takeExtensions } from './extensions.js';
import { sendError } from './respond.js';
import { parseInPieces } from '../formats/json-scan/index.js';

/**
 * Output tokens reserved for a request that does not say `max_tokens` (OpenAI's is optional), or the model's maximum
 * when lower. The settlement replaces the reservation by the real figure anyway; reserving a model's whole output
 * window (up to 128k tokens) would refuse most requests of a small budget for nothing.
 */
export const UNSPECIFIED_OUTPUT_TOKENS = 4096;

/**
 * The per-key limit check, once per generation request, after authentication and routing (the cost estimate needs
 * the candidates). `true` at once when the key has no limit: no estimate, no Redis round trip, no promise. Otherwise
 * the request is admitted (its ticket kept on the context for the settlement) or answered with 429 in the caller's
 * format, with `retry-after` and a message naming the limit.
 */
export function admitRequest(svc: Services, ctx: RequestContext, candidates: readonly Candidate[], decoded: Request | null): true | Promise<boolean> {
  const key = ctx.key;
  // The admin key is the operator's: limits are for client keys.
  if (!key || key.id === 'admin') return true;
  const limits = svc.limits.limitsFor(key);
  if (!limits) return true;
  const estimate = KeyLimiter.needsEstimate(limits) ? estimateRequest(svc, ctx, candidates, decoded) : { tokens: 0, costUsd: 0 };
  return svc.limits.admit(key, limits, estimate).then((decision) => {
    if (decision.ok) {
      ctx.limitTicket = decision.ticket;
      return true;
    }
    sendError(ctx, 429, decision.message, {
      type: 'rate_limit_error',
      errorClass: `limit_${decision.limit}`,
      code: decision.limit === 'usd_per_day' || decision.limit === 'usd_per_month' ? 'budget_exceeded' : 'rate_limit_exceeded',
      headers: { 'retry-after': String(decision.retryAfterSeconds), 'x-switchyard-limit': decision.limit },
    });
    return false;
  });
}

/** Replaces the request's reservation by what it really used, from its finished, priced record. */
export function settleLimits(svc: Services, ticket: Ticket, record: RequestRecord): void {
  const u = record.usage;
  const tokens = u ? u.input + u.cacheRead + u.cacheWrite + u.output : 0;
  // No usage: nothing was billed (no answer, or a failure providers do not charge). Usage without a price (a model
  // the catalog does not know) keeps the reservation.
  const cost = record.costUsd ?? (u ? null : 0);
  svc.limits.settle(ticket, { tokens, costUsd: cost });
}

/**
 * Prompt tokens (the most any candidate's tokenizer counts) and the cost of the prompt plus `max_tokens` at the
 * priciest candidate: what a budget reserves before the upstream call.
 */
export function estimateRequest(svc: Services, ctx: RequestContext, candidates: readonly Candidate[], decoded: Request | null): { tokens: number; costUsd: number } {
  const req = decoded ?? decodeQuietly(ctx);
  const byFamily = new Map<TokenizerFamily, number>();
  let tokens = 0;
  let cost = 0;
  for (const c of candidates) {
    let input: number;
    if (req) {
      const family = tokenizerFamilyFor(c.provider.name, c.model);
      input = byFamily.get(family) ?? estimateInputTokens(req, family);
      byFamily.set(family, input);
    } else {
      // Undecodable (the upstream will say why): about four bytes a token.
      input = Math.ceil((ctx.requestBody?.length ?? 0) / 4);
    }
    tokens = Math.max(tokens, input);
    const entry = c.entry ?? svc.catalog.get(c.provider.name, c.model);
    if (!entry) continue;
    const output = req?.maxTokens ?? Math.min(entry.maxOutput, UNSPECIFIED_OUTPUT_TOKENS);
    cost = Math.max(cost, costUsd({ input, output, cacheRead: 0, cacheWrite: 0, reasoning: 0 }, entry.price));
  }
  return { tokens, costUsd: cost };
}

/** The canonical request of a passthrough request, only to estimate it; null when it does not decode. */
function decodeQuietly(ctx: RequestContext): Request | null {
  if (!ctx.requestBody) return null;
  try {
    const body = parseInPieces(ctx.requestBody, 'utf8') as Record<string, unknown>;
    takeExtensions(body);
    delete body.metadata;
    return codecFor(ctx.api).decodeRequest(body);
  } catch {
    return null;
  }
}
