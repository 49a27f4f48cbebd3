export type * from './types.js';
export { parseRouter, parseSort, routerId, toApiJson, ID_PATTERN, SORT_METRICS, type ParseResult } from './schema.js';
export { compileCel, evalCondition, isCelLoaded, loadCel, loadCelFor, routerNeedsCel, type CompiledCel, type CompileResult, type CelOutcome } from './cel-loader.js';
export {
  celHeaders,
  celInputs,
  celMessages,
  clientFromUserAgent,
  factsFromRequest,
  isThinking,
  REDACTED,
  RESERVED_VARIABLES,
  type CelInputs,
  type CelMessage,
  type FactsInput,
  type RequestFacts,
} from './facts.js';
export {
  compileRouter,
  decide,
  isNoRouteMatched,
  NO_ROUTE_MATCHED,
  RouterCompileError,
  type CelErrorRecord,
  type CompiledRoute,
  type CompiledRouter,
  type DecideOptions,
  type NoRouteMatched,
  type RouteDecision,
} from './engine.js';
export { stableUniform, stickyIndex, weightedIndex, type Weighted } from './sticky.js';
export { fillPlaceholders, prependTemplates, renderTemplates, type RenderedTemplates } from './templates.js';
export {
  applyGenerationConfig,
  callerParams,
  mergeGenerationConfig,
  type GenerationParams,
  type MergedGenerationConfig,
  type ParamSource,
} from './generation.js';
