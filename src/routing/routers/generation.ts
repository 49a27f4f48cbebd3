/**
 * Generation parameters: a variant's `text_generation_config` REPLACES the router's `defaults` one as a whole (no
 * field merge; SPEC section 3, hosted plugin notes); the caller's own parameters then win field by field over it.
 */
import type { ReasoningEffort, Request } from '../../formats/canonical/types.js';
import type { LogitBias, ReasoningConfig, TextGenerationConfig } from './types.js';

/** Parameters in router terms; the caller's ones are read from the canonical request (`callerParams`). */
export interface GenerationParams {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  repetitionPenalty?: number;
  logitBias?: LogitBias[];
  reasoning?: ReasoningConfig;
}

export type ParamSource = 'caller' | 'variant' | 'router';

export interface MergedGenerationConfig {
  params: GenerationParams;
  /** Where each parameter came from, for the record and the dry-run tester. */
  sources: Partial<Record<keyof GenerationParams, ParamSource>>;
}

const KEYS: Array<keyof GenerationParams> = [
  'maxTokens',
  'temperature',
  'topP',
  'stopSequences',
  'seed',
  'frequencyPenalty',
  'presencePenalty',
  'repetitionPenalty',
  'logitBias',
  'reasoning',
];

/** caller > variant > router defaults, where the variant's config (if it has one) replaces the router's entirely. */
export function mergeGenerationConfig(
  routerDefaults: TextGenerationConfig | undefined,
  variantConfig: TextGenerationConfig | undefined,
  caller: GenerationParams,
): MergedGenerationConfig {
  const base = variantConfig ?? routerDefaults ?? {};
  const baseSource: ParamSource = variantConfig ? 'variant' : 'router';
  const params: GenerationParams = {};
  const sources: MergedGenerationConfig['sources'] = {};
  for (const k of KEYS) {
    const fromCaller = caller[k];
    const fromBase = base[k];
    if (fromCaller !== undefined) {
      (params as Record<string, unknown>)[k] = fromCaller;
      sources[k] = 'caller';
    } else if (fromBase !== undefined) {
      (params as Record<string, unknown>)[k] = fromBase;
      sources[k] = baseSource;
    }
  }
  return { params, sources };
}

/**
 * The parameters the caller set, read from the canonical request: canonical fields, plus the OpenAI-only ones kept
 * in `extensions.openai`. A caller's `thinking` or `reasoning_effort` counts as its reasoning setting.
 */
export function callerParams(req: Request): GenerationParams {
  const p: GenerationParams = {};
  if (req.maxTokens !== undefined) p.maxTokens = req.maxTokens;
  if (req.temperature !== undefined) p.temperature = req.temperature;
  if (req.topP !== undefined) p.topP = req.topP;
  if (req.stop !== undefined) p.stopSequences = req.stop;
  if (req.seed !== undefined) p.seed = req.seed;
  const oa = req.extensions.openai ?? {};
  if (typeof oa.frequency_penalty === 'number') p.frequencyPenalty = oa.frequency_penalty;
  if (typeof oa.presence_penalty === 'number') p.presencePenalty = oa.presence_penalty;
  if (typeof oa.repetition_penalty === 'number') p.repetitionPenalty = oa.repetition_penalty;
  if (oa.logit_bias !== null && typeof oa.logit_bias === 'object') {
    p.logitBias = Object.entries(oa.logit_bias as Record<string, unknown>).map(([tokenId, biasValue]) => ({ tokenId, biasValue: Number(biasValue) }));
  }
  if (req.thinking !== undefined || req.reasoningEffort !== undefined) {
    p.reasoning = {
      ...(req.reasoningEffort !== undefined ? { effort: req.reasoningEffort } : {}),
      ...(req.thinking?.budgetTokens !== undefined ? { maxTokens: req.thinking.budgetTokens } : {}),
    };
  }
  return p;
}

const EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];

/**
 * Applies merged parameters to a request: only parameters that did not come from the caller are written.
 * Penalties and logit bias exist only in the OpenAI format and go to `extensions.openai` (sent only to OpenAI-format
 * upstreams). Router `reasoning.effort` becomes `reasoningEffort`; `reasoning.max_tokens` an enabled thinking budget.
 * Returns a new request.
 */
export function applyGenerationConfig(req: Request, merged: MergedGenerationConfig): Request {
  const { params, sources } = merged;
  const fromRouter = (k: keyof GenerationParams) => sources[k] !== undefined && sources[k] !== 'caller';
  const out: Request = { ...req, extensions: { ...req.extensions } };
  if (fromRouter('maxTokens')) out.maxTokens = params.maxTokens;
  if (fromRouter('temperature')) out.temperature = params.temperature;
  if (fromRouter('topP')) out.topP = params.topP;
  if (fromRouter('stopSequences')) out.stop = params.stopSequences;
  if (fromRouter('seed')) out.seed = params.seed;
  const openai: Record<string, unknown> = {};
  if (fromRouter('frequencyPenalty')) openai.frequency_penalty = params.frequencyPenalty;
  if (fromRouter('presencePenalty')) openai.presence_penalty = params.presencePenalty;
  if (fromRouter('repetitionPenalty')) openai.repetition_penalty = params.repetitionPenalty;
  if (fromRouter('logitBias') && params.logitBias) openai.logit_bias = Object.fromEntries(params.logitBias.map((b) => [b.tokenId, b.biasValue]));
  if (Object.keys(openai).length > 0) out.extensions.openai = { ...(req.extensions.openai ?? {}), ...openai };
  if (fromRouter('reasoning') && params.reasoning) {
    const { effort, maxTokens } = params.reasoning;
    if (effort !== undefined && (EFFORTS as readonly string[]).includes(effort)) out.reasoningEffort = effort as ReasoningEffort;
    if (maxTokens !== undefined && maxTokens > 0) out.thinking = { type: 'enabled', budgetTokens: maxTokens };
  }
  return out;
}
