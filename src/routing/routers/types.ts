/**
 * The router resource (SPEC section 3; hosted-router-notes section 3.1) in Switchyard's internal form: every field
 * lowerCamelCase, sort criteria normalised, `name` always `routers/<id>`. `parseRouter` produces it from either
 * casing; `toApiJson` writes the API form back.
 */

export type SortMetric = 'price' | 'latency' | 'throughput' | 'intelligence' | 'math' | 'coding';
export type SortDirection = 'ascending' | 'descending';

export interface SortCriterion {
  metric: SortMetric;
  /** Absent = unspecified: "best first" (lowest price/latency, highest throughput and scores); section 4 decides. */
  direction?: SortDirection;
}

export interface ProviderPreferences {
  order?: string[];
  allowFallbacks?: boolean;
}

export interface ModelSelection {
  models?: string[];
  sort?: SortCriterion[];
  ignore?: string[];
  provider?: ProviderPreferences;
}

export interface LogitBias {
  tokenId: string;
  biasValue: number;
}

export interface ReasoningConfig {
  effort?: string;
  maxTokens?: number;
  exclude?: boolean;
}

export interface TextGenerationConfig {
  /** `max_new_tokens` (seen in the hosted failover guide) is read as an alias of `max_tokens`. */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  repetitionPenalty?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  stopSequences?: string[];
  seed?: number;
  logitBias?: LogitBias[];
  reasoning?: ReasoningConfig;
}

export interface TemplateToolCall {
  id: string;
  name: string;
  /** JSON text of the arguments, as in the hosted schema. */
  args?: string;
}

export type TemplateRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface MessageTemplate {
  role: TemplateRole;
  content?: string;
  contentItems?: Array<{ text: string }>;
  toolCalls?: TemplateToolCall[];
  toolCallId?: string;
  compression?: { aggressiveness?: number };
}

export interface Variant {
  variantId: string;
  /** `provider/model`, a bare model id, `auto`, or absent (then `modelSelection` drives auto selection). */
  modelId?: string;
  modelSelection?: ModelSelection;
  textGenerationConfig?: TextGenerationConfig;
  messageTemplates?: MessageTemplate[];
  /** Accepted and kept for compatibility; not acted on by the router engine. */
  webSearch?: { engine?: string; maxResults?: number; maxSteps?: number };
  webSearchOptions?: { searchContextSize?: string };
  /** Switchyard extension: `fallback` settings (hedge_after, ttft_timeout, idle_timeout, timeout, max_attempts) for requests this variant serves; the request's own win. */
  fallback?: { hedgeAfter?: string | number; ttftTimeout?: string | number; idleTimeout?: string | number; timeout?: string | number; maxAttempts?: number };
  compression?: { aggressiveness?: number };
}

export interface WeightedVariant {
  variant: Variant;
  /** Integer 0..100; the weights of one route sum to 100. */
  weight: number;
}

export interface Route {
  routeId: string;
  variants: WeightedVariant[];
}

export interface ConditionalRoute {
  route: Route;
  condition: { celExpression: string };
}

export interface Router {
  /** Always `routers/<id>`. */
  name: string;
  displayName?: string;
  defaults?: { textGenerationConfig?: TextGenerationConfig; messageTemplates?: MessageTemplate[] };
  routes: ConditionalRoute[];
  defaultRoute?: Route;
}

export interface ValidationError {
  /** JSON path of the offending field in the caller's own spelling, e.g. `routes[1].route.variants[0].weight`. */
  path: string;
  message: string;
}
