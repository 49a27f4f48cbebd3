/**
 * Built-in providers as data. Adding an OpenAI-compatible vendor is one entry here, not code.
 * `baseUrl` follows each vendor SDK's convention (see SPEC section 8).
 */
import type { ProviderQuirks } from '../formats/canonical/codec.js';

export type WireFormat = 'anthropic' | 'openai' | 'gemini';
export type AuthStyle = 'x-api-key' | 'bearer' | 'x-goog-api-key';

export interface ProviderPreset {
  name: string;
  displayName: string;
  format: WireFormat;
  baseUrl: string;
  keyEnv: string[];
  auth: AuthStyle;
  /** Bare model ids this provider serves without being listed explicitly (until the catalog knows better). */
  servesBareIds?: RegExp;
  /** How this vendor's OpenAI-compatible dialect differs (wire-formats section 3.6). */
  quirks?: ProviderQuirks;
}

export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  { name: 'anthropic', displayName: 'Anthropic', format: 'anthropic', baseUrl: 'https://api.anthropic.com', keyEnv: ['ANTHROPIC_API_KEY'], auth: 'x-api-key', servesBareIds: /^claude-/ },
  { name: 'openai', displayName: 'OpenAI', format: 'openai', baseUrl: 'https://api.openai.com/v1', keyEnv: ['OPENAI_API_KEY'], auth: 'bearer', servesBareIds: /^(gpt-|o\d|chatgpt-)/, quirks: { maxTokensField: 'max_completion_tokens', reasoningRequest: 'reasoning_effort', maxStop: 4 } },
  { name: 'google-ai-studio', displayName: 'Google AI Studio', format: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com', keyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], auth: 'x-goog-api-key', servesBareIds: /^gemini-/ },
  { name: 'groq', displayName: 'Groq', format: 'openai', baseUrl: 'https://api.groq.com/openai/v1', keyEnv: ['GROQ_API_KEY'], auth: 'bearer', quirks: { stringContentOnly: true, stripSchemaKeyword: true, reasoningField: 'reasoning', reasoningRequest: 'none', omitEmptyTools: true } },
  { name: 'mistral', displayName: 'Mistral', format: 'openai', baseUrl: 'https://api.mistral.ai/v1', keyEnv: ['MISTRAL_API_KEY'], auth: 'bearer', servesBareIds: /^(mistral-|magistral-|codestral-|devstral-|ministral-|pixtral-)/, quirks: { toolCallIdStyle: 'alnum9', reasoningRequest: 'none', normalizeResponses: true } },
  { name: 'deepseek', displayName: 'DeepSeek', format: 'openai', baseUrl: 'https://api.deepseek.com/v1', keyEnv: ['DEEPSEEK_API_KEY'], auth: 'bearer', servesBareIds: /^deepseek-/, quirks: { reasoningField: 'reasoning_content', replayReasoningContent: true, reasoningRequest: 'none' } },
  { name: 'xai', displayName: 'xAI', format: 'openai', baseUrl: 'https://api.x.ai/v1', keyEnv: ['XAI_API_KEY'], auth: 'bearer', servesBareIds: /^grok-/, quirks: { reasoningField: 'reasoning_content', reasoningRequest: 'none' } },
  { name: 'cerebras', displayName: 'Cerebras', format: 'openai', baseUrl: 'https://api.cerebras.ai/v1', keyEnv: ['CEREBRAS_API_KEY'], auth: 'bearer', quirks: { reasoningRequest: 'none', omitEmptyTools: true } },
  { name: 'fireworks', displayName: 'Fireworks AI', format: 'openai', baseUrl: 'https://api.fireworks.ai/inference/v1', keyEnv: ['FIREWORKS_API_KEY'], auth: 'bearer', quirks: { reasoningRequest: 'none' } },
  { name: 'together', displayName: 'Together AI', format: 'openai', baseUrl: 'https://api.together.xyz/v1', keyEnv: ['TOGETHER_API_KEY'], auth: 'bearer', quirks: { reasoningRequest: 'none', omitEmptyTools: true } },
  { name: 'deepinfra', displayName: 'DeepInfra', format: 'openai', baseUrl: 'https://api.deepinfra.com/v1/openai', keyEnv: ['DEEPINFRA_API_KEY'], auth: 'bearer', quirks: { reasoningRequest: 'none', omitEmptyTools: true } },
  { name: 'openrouter', displayName: 'OpenRouter', format: 'openai', baseUrl: 'https://openrouter.ai/api/v1', keyEnv: ['OPENROUTER_API_KEY'], auth: 'bearer', quirks: { reasoningField: 'reasoning', reasoningRequest: 'reasoning_object', cacheControl: true } },
];

export const PRESETS_BY_NAME: ReadonlyMap<string, ProviderPreset> = new Map(PROVIDER_PRESETS.map((p) => [p.name, p]));

/** Name of the built-in demo provider (the simulator), used when no provider key is configured. */
export const DEMO_PROVIDER = 'demo';

export function authStyleFor(format: WireFormat): AuthStyle {
  return format === 'anthropic' ? 'x-api-key' : format === 'gemini' ? 'x-goog-api-key' : 'bearer';
}
