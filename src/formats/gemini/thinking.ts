import type { ReasoningEffort, Request, Thinking } from '../canonical/types.js';
import type { GeminiThinkingConfig, GeminiThinkingLevel } from './wire.js';

/**
 * How a Gemini model is asked to think (wire-formats 4.4, 5.9.6): Gemini 2.5 takes a token budget, Gemini 3 a level,
 * older models (2.0, 1.5, Gemma) take nothing and reject a thinkingConfig. Decided from the model id, because the
 * same provider serves all of them.
 */
export type ThinkingStyle = 'budget' | 'level' | 'none';

export function thinkingStyle(model: string): ThinkingStyle {
  const m = /gemini-(\d+)(?:\.(\d+))?/.exec(model.toLowerCase());
  if (!m) return 'none';
  const major = Number(m[1]);
  const minor = m[2] === undefined ? 0 : Number(m[2]);
  if (major >= 3) return 'level';
  if (major === 2 && minor >= 5) return 'budget';
  return 'none';
}

/** Gemini 3 models check function-call thought signatures (wire-formats 4.7). */
export function validatesThoughtSignatures(model: string): boolean {
  return thinkingStyle(model) === 'level';
}

interface BudgetRange {
  min: number;
  max: number;
  /** 2.5 Pro cannot turn thinking off. */
  canDisable: boolean;
}

function budgetRange(model: string): BudgetRange {
  const m = model.toLowerCase();
  if (m.includes('flash-lite')) return { min: 512, max: 24576, canDisable: true };
  if (m.includes('flash')) return { min: 1, max: 24576, canDisable: true };
  return { min: 128, max: 32768, canDisable: false };
}

const EFFORT_BUDGET: Record<Exclude<ReasoningEffort, 'none'>, number> = {
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
  max: 32768,
};

/** Budgets at or below this (claude-code-router's "low" bucket) ask Gemini 3 for LOW; above, HIGH. */
const LOW_LEVEL_MAX_BUDGET = 1024;

/** The client asked to see reasoning (thinking on, or an effort other than none), and did not ask to omit it. */
export function wantsThoughts(req: Pick<Request, 'thinking' | 'reasoningEffort'>): boolean {
  if (req.thinking?.display === 'omitted') return false;
  if (req.thinking?.type === 'enabled' || req.thinking?.type === 'adaptive') return true;
  return req.reasoningEffort !== undefined && req.reasoningEffort !== 'none';
}

/**
 * The thinkingConfig for `model`, or undefined when the client expressed no preference (the model's default applies)
 * or the model cannot think. `maxOutputTokens` bounds the budget, since thoughts and answer share it.
 */
export function encodeThinking(req: Pick<Request, 'thinking' | 'reasoningEffort'>, model: string, maxOutputTokens?: number): GeminiThinkingConfig | undefined {
  const style = thinkingStyle(model);
  const thinking = req.thinking;
  const effort = req.reasoningEffort;
  if (style === 'none' || (thinking === undefined && effort === undefined)) return undefined;
  const disabled = thinking?.type === 'disabled' || (effort === 'none' && thinking?.type !== 'enabled' && thinking?.type !== 'adaptive');
  const includeThoughts = !disabled && wantsThoughts(req);
  const out: GeminiThinkingConfig = {};
  if (style === 'level') {
    const level = thinkingLevel(thinking, effort, disabled);
    if (level) out.thinkingLevel = level;
  } else {
    out.thinkingBudget = thinkingBudget(thinking, effort, disabled, budgetRange(model), maxOutputTokens);
  }
  if (includeThoughts) out.includeThoughts = true;
  return out;
}

function thinkingLevel(thinking: Thinking | undefined, effort: ReasoningEffort | undefined, disabled: boolean): GeminiThinkingLevel | undefined {
  // Gemini 3 cannot stop thinking; LOW is the lowest level every Gemini 3 model accepts (MINIMAL is Flash-only).
  if (disabled) return 'LOW';
  if (effort !== undefined && effort !== 'none') return effort === 'minimal' || effort === 'low' ? 'LOW' : 'HIGH';
  if (thinking?.type === 'enabled' && thinking.budgetTokens !== undefined) return thinking.budgetTokens <= LOW_LEVEL_MAX_BUDGET ? 'LOW' : 'HIGH';
  // Adaptive thinking without an effort: the model's own dynamic default.
  return undefined;
}

function thinkingBudget(thinking: Thinking | undefined, effort: ReasoningEffort | undefined, disabled: boolean, range: BudgetRange, maxOutputTokens?: number): number {
  if (disabled) return range.canDisable ? 0 : range.min;
  let budget: number;
  if (thinking?.type === 'enabled' && thinking.budgetTokens !== undefined) budget = thinking.budgetTokens;
  else if (effort !== undefined && effort !== 'none') budget = EFFORT_BUDGET[effort];
  else return -1; // adaptive: dynamic thinking
  budget = Math.min(Math.max(Math.round(budget), range.min), range.max);
  // Leave room for the answer when the output limit is smaller than the budget.
  if (maxOutputTokens !== undefined && budget >= maxOutputTokens) budget = Math.max(range.min, maxOutputTokens - 1);
  return budget;
}

/** The canonical view of a Gemini thinkingConfig (used when decoding Gemini requests). */
export function decodeThinking(config: GeminiThinkingConfig): Pick<Request, 'thinking' | 'reasoningEffort'> {
  const out: Pick<Request, 'thinking' | 'reasoningEffort'> = {};
  const budget = config.thinkingBudget;
  const level = config.thinkingLevel?.toLowerCase();
  if (budget === 0) return { thinking: { type: 'disabled' } };
  let thinking: Thinking | undefined;
  if (typeof budget === 'number' && budget > 0) thinking = { type: 'enabled', budgetTokens: budget };
  else if (budget === -1 || level !== undefined || config.includeThoughts === true) thinking = { type: 'adaptive' };
  if (level === 'minimal' || level === 'low' || level === 'medium' || level === 'high') out.reasoningEffort = level;
  if (thinking) {
    if (config.includeThoughts !== true) thinking.display = 'omitted';
    out.thinking = thinking;
  }
  return out;
}
