import type { ReasoningEffort, Request } from '../canonical/types.js';

/** Thinking budget → effort, the bucketing claude-code-router uses (wire-formats 5.1). */
export function effortForBudget(budget: number): ReasoningEffort {
  if (budget <= 0) return 'none';
  if (budget <= 1024) return 'low';
  if (budget <= 8192) return 'medium';
  return 'high';
}

/**
 * The effort to ask an OpenAI-compatible upstream for, or undefined to leave the model's default: an explicit effort
 * wins, then an enabled thinking budget, then adaptive thinking (medium). Disabled thinking sends nothing, since
 * `none` is not accepted by every reasoning model.
 */
export function requestedEffort(req: Request): ReasoningEffort | undefined {
  if (req.reasoningEffort) return req.reasoningEffort;
  const t = req.thinking;
  if (!t || t.type === 'disabled') return undefined;
  if (t.type === 'adaptive') return 'medium';
  return t.budgetTokens === undefined ? 'medium' : effortForBudget(t.budgetTokens);
}

export const REASONING_EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];
