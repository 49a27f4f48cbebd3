/**
 * Attribute names. The GenAI ones are spelled out here rather than imported: `@opentelemetry/semantic-conventions`
 * marks them experimental and deprecated in place (they moved to the GenAI conventions repository), and the names
 * are what the backends key on.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  /** The pre-1.37 name of `gen_ai.provider.name`, still read by many backends. */
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  requestStream: 'gen_ai.request.stream',
  responseModel: 'gen_ai.response.model',
  finishReasons: 'gen_ai.response.finish_reasons',
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheCreationTokens: 'gen_ai.usage.cache_creation.input_tokens',
  reasoningTokens: 'gen_ai.usage.reasoning.output_tokens',
} as const;

export const SWITCHYARD = {
  requestId: 'switchyard.request.id',
  api: 'switchyard.api',
  endpoint: 'switchyard.endpoint',
  keyId: 'switchyard.key.id',
  keyName: 'switchyard.key.name',
  provider: 'switchyard.provider',
  routingKind: 'switchyard.routing.kind',
  router: 'switchyard.router',
  route: 'switchyard.route',
  variant: 'switchyard.variant',
  costUsd: 'switchyard.cost_usd',
  overheadMs: 'switchyard.overhead_ms',
  ttftMs: 'switchyard.ttft_ms',
  generationMs: 'switchyard.generation_ms',
  attemptCount: 'switchyard.attempts',
  inputUncachedTokens: 'switchyard.usage.input_uncached_tokens',
  cacheWrite1hTokens: 'switchyard.usage.cache_write_1h_tokens',
  attemptIndex: 'switchyard.attempt.index',
  providerKeyId: 'switchyard.provider.key_id',
  durationMs: 'switchyard.duration_ms',
} as const;

/**
 * Switchyard's preset provider names that differ from the GenAI well-known `gen_ai.provider.name` values. Any other
 * provider (custom ones, or presets whose name is already the well-known value) is reported by its configured name.
 */
const WELL_KNOWN_PROVIDER: Record<string, string> = {
  'google-ai-studio': 'gcp.gemini',
  mistral: 'mistral_ai',
  xai: 'x_ai',
};

export function genAiProviderName(provider: string): string {
  return WELL_KNOWN_PROVIDER[provider] ?? provider;
}
