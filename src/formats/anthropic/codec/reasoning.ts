import type { ReasoningEffort, Thinking } from '../../canonical/types.js';
import type { WireMessage } from './history.js';
import type { Json } from './wire.js';

/** Anthropic's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1024;

/** Thinking budget for an OpenAI-style `reasoning_effort` (wire-formats 5.5). */
export const EFFORT_BUDGET: Record<Exclude<ReasoningEffort, 'none'>, number> = {
  minimal: 1024,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32000,
  max: 32000,
};

export function encodeThinking(t: Thinking): Json {
  switch (t.type) {
    case 'enabled':
      return t.display ? { type: 'enabled', budget_tokens: t.budgetTokens ?? MIN_THINKING_BUDGET, display: t.display } : { type: 'enabled', budget_tokens: t.budgetTokens ?? MIN_THINKING_BUDGET };
    case 'adaptive':
      return t.display ? { type: 'adaptive', display: t.display } : { type: 'adaptive' };
    case 'disabled':
      return { type: 'disabled' };
  }
}

/**
 * A budget that fits under `maxTokens` (Anthropic requires budget < max_tokens), or undefined when no legal budget
 * fits (max_tokens <= 1024): thinking then has to stay off.
 */
export function fitBudget(budget: number, maxTokens: number): number | undefined {
  const fitted = Math.min(budget, maxTokens - 1);
  return fitted >= MIN_THINKING_BUDGET ? fitted : undefined;
}

/**
 * With thinking on, Anthropic requires the assistant turn that made the pending tool calls to start with its
 * thinking block (400 "Expected thinking or redacted_thinking"). A client of another format never has Anthropic
 * thinking to replay, so for such a conversation thinking must stay off.
 */
export function toolTurnLacksThinking(messages: WireMessage[]): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'assistant') continue;
    if (!m.content.some((b) => b.type === 'tool_use')) return false;
    const first = m.content[0];
    return first.type !== 'thinking' && first.type !== 'redacted_thinking';
  }
  return false;
}
