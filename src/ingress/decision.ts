import type { RoutingPlan } from '../routing/plan.js';
import type { Candidate } from '../routing/resolve.js';
import type { RoutingDecision } from '../telemetry/record.js';

/** The record's account of a planned route: router and CEL outcome, the auto ranking, the chain and what was left out. */
export function decisionFromPlan(plan: RoutingPlan, hasFallbackModels: boolean): RoutingDecision {
  const router = plan.router;
  return {
    kind: router ? 'router' : plan.auto ? 'auto' : hasFallbackModels ? 'fallbacks' : 'model',
    router: router?.id ?? null,
    routeId: router?.routeId ?? null,
    variantId: router?.variantId ?? null,
    matchedExpression: router?.matchedExpression ?? null,
    celErrors: router?.celErrors ?? [],
    reasoning: plan.reasoning,
    auto: plan.auto
      ? {
          sort: plan.auto.sort.map((s) => `${s.metric} ${s.direction}`),
          ranked: plan.auto.ranked.map((r) => ({
            provider: r.provider,
            model: r.model,
            rank: r.rank,
            priceUsd: r.price,
            ttftMs: r.ttftMs,
            throughput: r.throughput,
            intelligence: r.scores.intelligence,
          })),
        }
      : null,
    candidates: chain(plan.candidates),
    // The auto filters' exclusions first (capabilities, context, `ignore`), then the plan's own (provider preferences).
    passedOver: [...(plan.auto?.excluded ?? []), ...plan.excluded],
  };
}

/** A concrete model resolved without a plan: the chain is every provider serving it, fastest first. */
export function decisionFromCandidates(candidates: Candidate[]): RoutingDecision {
  return {
    kind: 'model',
    router: null,
    routeId: null,
    variantId: null,
    matchedExpression: null,
    celErrors: [],
    reasoning: null,
    auto: null,
    candidates: chain(candidates),
    passedOver: [],
  };
}

function chain(candidates: Candidate[]): Array<{ provider: string; model: string }> {
  return candidates.map((c) => ({ provider: c.provider.name, model: c.model }));
}
