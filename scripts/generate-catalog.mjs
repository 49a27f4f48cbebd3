#!/usr/bin/env node
/**
 * Generates src/routing/catalog/catalog.data.json from the shared data files:
 *   ../shared/data/genai-prices-v2-data.json   prices (the maintained genai-prices v2 feed)
 *   ../shared/data/models-dev-subset.json      limits, modalities, capabilities, release dates, names
 *   ../shared/data/intelligence-scores.md      published quality scores and speed figures
 * plus src/routing/catalog/deepinfra-supplement.json (models.dev TOML for DeepInfra, which the shared subset lacks).
 *
 * Usage: node scripts/generate-catalog.mjs [--data-dir DIR] [--out FILE] [--check]
 *   --check  do not write; exit 1 if the output would differ from FILE.
 * The output is deterministic: same inputs, same bytes (no timestamps; inputs identified by sha256).
 * docs/catalog.md explains every rule applied here.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Prices with a `start_date` constraint are evaluated as of this date (the day shared/data was collected). */
const AS_OF = '2026-11-24';

/** Catalog provider names, in output order (SPEC section 10). */
const PROVIDERS = ['anthropic', 'openai', 'google-ai-studio', 'groq', 'mistral', 'deepseek', 'xai', 'cerebras', 'fireworks', 'together', 'deepinfra', 'openrouter'];

/** Catalog provider -> provider id in genai-prices-v2-data.json (null: not covered there). */
const GP_PROVIDER = {
  anthropic: 'anthropic', openai: 'openai', 'google-ai-studio': 'google', groq: 'groq', mistral: 'mistral', deepseek: 'deepseek',
  xai: 'x-ai', cerebras: 'cerebras', fireworks: 'fireworks', together: 'together', deepinfra: null, openrouter: 'openrouter',
};

/** Catalog provider -> provider key in models-dev-subset.json (deepinfra: the supplement file). */
const MD_PROVIDER = {
  anthropic: 'anthropic', openai: 'openai', 'google-ai-studio': 'google', groq: 'groq', mistral: 'mistral', deepseek: 'deepseek',
  xai: 'xai', cerebras: 'cerebras', fireworks: 'fireworks-ai', together: 'togetherai', deepinfra: 'deepinfra', openrouter: 'openrouter',
};

/** models.dev `base_model` prefixes that name a provider present in the subset. Other prefixes (meta, alibaba, zhipuai, ...) live in models.dev files the subset does not carry. */
const MD_BASE_PREFIX = { anthropic: 'anthropic', openai: 'openai', google: 'google', xai: 'xai', deepseek: 'deepseek', mistral: 'mistral' };

/**
 * Latency/throughput priors used when intelligence-scores.md has no figure for a model on that host.
 * These are assumptions (round numbers), not measurements; live measurements replace them (SPEC section 4).
 */
const PROVIDER_DEFAULT_PRIORS = {
  anthropic: { ttftMs: 1200, tokensPerSecond: 60 },
  openai: { ttftMs: 1000, tokensPerSecond: 80 },
  'google-ai-studio': { ttftMs: 1000, tokensPerSecond: 150 },
  groq: { ttftMs: 400, tokensPerSecond: 400 },
  mistral: { ttftMs: 600, tokensPerSecond: 100 },
  deepseek: { ttftMs: 1500, tokensPerSecond: 40 },
  xai: { ttftMs: 1000, tokensPerSecond: 90 },
  cerebras: { ttftMs: 300, tokensPerSecond: 1000 },
  fireworks: { ttftMs: 500, tokensPerSecond: 150 },
  together: { ttftMs: 600, tokensPerSecond: 100 },
  deepinfra: { ttftMs: 700, tokensPerSecond: 80 },
  openrouter: { ttftMs: 1200, tokensPerSecond: 80 },
};

/**
 * Model groups: `key` is the bare id that every host of the same model answers to (Catalog.providersFor), `creator`
 * feeds `modelCreator` in the hosted-router JSON, `scoreRows` are rows of the intelligence-scores.md table whose
 * scores describe this model (scores belong to the model, so every host gets them), `aliases` are extra bare names.
 */
const GROUPS = {
  'claude-fable-5': {
    creator: 'Anthropic', scoreRows: [19],
    scoreSkip: 'the only AA value (row 19: 60 on v4.1) was measured "with Opus 4.8 fallback" for a model marked "currently unavailable", so it does not describe this model alone',
  },
  'claude-opus-4-8': { creator: 'Anthropic', scoreRows: [20] },
  'claude-opus-4-7': { creator: 'Anthropic', scoreRows: [21] },
  'claude-opus-4-6': { creator: 'Anthropic', scoreRows: [22] },
  'claude-opus-4-5': { creator: 'Anthropic', scoreRows: [23] },
  'claude-opus-4-1': { creator: 'Anthropic', scoreRows: [24] },
  'claude-sonnet-5': { creator: 'Anthropic', scoreRows: [] },
  'claude-sonnet-4-6': { creator: 'Anthropic', scoreRows: [26] },
  'claude-sonnet-4-5': { creator: 'Anthropic', scoreRows: [27] },
  'claude-sonnet-4-0': { creator: 'Anthropic', scoreRows: [28] },
  'claude-haiku-4-5': { creator: 'Anthropic', scoreRows: [29] },
  'gpt-5.5': { creator: 'OpenAI', scoreRows: [1] },
  'gpt-5.4': { creator: 'OpenAI', scoreRows: [2] },
  'gpt-5.4-mini': { creator: 'OpenAI', scoreRows: [] },
  'gpt-5.4-nano': { creator: 'OpenAI', scoreRows: [] },
  'gpt-5.2': { creator: 'OpenAI', scoreRows: [4] },
  'gpt-5.1': { creator: 'OpenAI', scoreRows: [5] },
  'gpt-5': { creator: 'OpenAI', scoreRows: [6, 7] },
  'gpt-5-mini': { creator: 'OpenAI', scoreRows: [8] },
  'gpt-5-nano': { creator: 'OpenAI', scoreRows: [9] },
  'gpt-4.1': { creator: 'OpenAI', scoreRows: [10] },
  'gpt-4.1-mini': { creator: 'OpenAI', scoreRows: [11] },
  'gpt-4o': { creator: 'OpenAI', scoreRows: [] },
  'gpt-4o-mini': { creator: 'OpenAI', scoreRows: [] },
  o3: { creator: 'OpenAI', scoreRows: [14] },
  'o4-mini': { creator: 'OpenAI', scoreRows: [15] },
  'gpt-oss-120b': { creator: 'OpenAI', scoreRows: [17], aliases: ['openai/gpt-oss-120b'] },
  'gpt-oss-20b': { creator: 'OpenAI', scoreRows: [18], aliases: ['openai/gpt-oss-20b'] },
  'gemini-3.5-flash': { creator: 'Google', scoreRows: [] },
  'gemini-3.1-pro-preview': { creator: 'Google', scoreRows: [30] },
  'gemini-3.1-flash-lite': { creator: 'Google', scoreRows: [33] },
  'gemini-3-flash-preview': { creator: 'Google', scoreRows: [32] },
  'gemini-2.5-pro': { creator: 'Google', scoreRows: [34] },
  'gemini-2.5-flash': { creator: 'Google', scoreRows: [35] },
  'gemini-2.5-flash-lite': { creator: 'Google', scoreRows: [36] },
  'gemma-4-31b-it': { creator: 'Google', scoreRows: [], aliases: ['google/gemma-4-31b-it'] },
  'gemma-4-26b-a4b-it': { creator: 'Google', scoreRows: [] },
  'llama-3.3-70b': { creator: 'Meta', scoreRows: [37], aliases: ['llama-3.3-70b-instruct', 'meta-llama/llama-3.3-70b-instruct'] },
  'llama-3.1-8b': { creator: 'Meta', scoreRows: [38], aliases: ['llama-3.1-8b-instruct'] },
  'llama-4-maverick': { creator: 'Meta', scoreRows: [39], aliases: ['llama-4-maverick-17b-128e-instruct'] },
  'llama-4-scout': { creator: 'Meta', scoreRows: [40], aliases: ['llama-4-scout-17b-16e-instruct'] },
  'qwen3-32b': { creator: 'Alibaba (Qwen)', scoreRows: [41], aliases: ['qwen/qwen3-32b'] },
  'qwen3-235b-a22b-instruct-2507': { creator: 'Alibaba (Qwen)', scoreRows: [], aliases: ['qwen3-235b-a22b-2507'] },
  'qwen3.7-plus': { creator: 'Alibaba (Qwen)', scoreRows: [] },
  'kimi-k2.6': { creator: 'Moonshot AI', scoreRows: [] },
  'glm-5.2': { creator: 'Z.ai', scoreRows: [] },
  'glm-4.7': { creator: 'Z.ai', scoreRows: [56] },
  'minimax-m3': { creator: 'MiniMax', scoreRows: [] },
  'deepseek-chat': { creator: 'DeepSeek', scoreRows: [] },
  'deepseek-reasoner': { creator: 'DeepSeek', scoreRows: [] },
  'deepseek-v4-flash': { creator: 'DeepSeek', scoreRows: [51] },
  'deepseek-v4-pro': { creator: 'DeepSeek', scoreRows: [51] },
  'deepseek-r1-0528': { creator: 'DeepSeek', scoreRows: [49] },
  'grok-4.3': { creator: 'xAI', scoreRows: [] },
  'grok-4.20-reasoning': { creator: 'xAI', scoreRows: [54] },
  'grok-4.20-non-reasoning': { creator: 'xAI', scoreRows: [54] },
  'grok-build-0.1': { creator: 'xAI', scoreRows: [] },
  'mistral-large-3': { creator: 'Mistral AI', scoreRows: [] },
  'mistral-medium-3.5': { creator: 'Mistral AI', scoreRows: [] },
  'mistral-medium-3.1': { creator: 'Mistral AI', scoreRows: [] },
  'mistral-small-4': { creator: 'Mistral AI', scoreRows: [46] },
  'magistral-medium': { creator: 'Mistral AI', scoreRows: [47] },
  'codestral': { creator: 'Mistral AI', scoreRows: [] },
  'pixtral-large': { creator: 'Mistral AI', scoreRows: [] },
};

/**
 * Speed figures per (host, model) taken from intelligence-scores.md. `tps`/`ttft` are regexes applied to the row's
 * "Output speed (tok/s)" / "TTFT (s)" cells; capture group 1 is the number. A row whose figure does not name a host
 * (`anyHost`) is a prior for every host of the model.
 */
const SPEED = [
  { key: 'gpt-oss-120b', provider: 'cerebras', row: 17, tps: /Cerebras ([\d,.]+)/, ttft: /Cerebras ([\d.]+)/ },
  { key: 'gpt-oss-120b', provider: 'groq', row: 17, tps: /Groq ~([\d,.]+)/, ttft: /Groq ([\d.]+)/ },
  { key: 'gpt-oss-120b', anyHost: true, row: 17, tps: /cross-provider ([\d,.]+)/ },
  { key: 'gpt-5', provider: 'openai', row: 7, tps: /([\d.]+) \(OpenAI\)/, ttft: /([\d.]+) \(OpenAI\)/ },
  { key: 'gpt-5-mini', provider: 'openai', row: 8, tps: /^([\d.]+) \[/ },
  { key: 'gpt-5.4', provider: 'openai', row: 2, tps: /^([\d.]+) \[/ },
  { key: 'gpt-4.1-mini', provider: 'openai', row: 11, ttft: /~([\d.]+)/ },
  { key: 'claude-haiku-4-5', provider: 'anthropic', row: 29, tps: /([\d.]+) \(Anthropic\)/, ttft: /^([\d.]+) \[S8\]/ },
  { key: 'gemini-2.5-pro', provider: 'google-ai-studio', row: 34, tps: /^([\d.]+) \[/, ttft: /^([\d.]+) \(incl\. thinking\)/ },
  { key: 'gemini-2.5-flash', provider: 'google-ai-studio', row: 35, tps: /^([\d.]+) \(/ },
  { key: 'gemini-3.1-flash-lite', provider: 'google-ai-studio', row: 33, tps: /^([\d.]+) \[/ },
  { key: 'llama-4-maverick', anyHost: true, row: 39, tps: /^([\d.]+) \(host not stated\)/, ttft: /^([\d.]+) \[/ },
  { key: 'llama-4-scout', anyHost: true, row: 40, tps: /^([\d.]+) \[/, ttft: /^([\d.]+) \[/ },
  { key: 'grok-4.20-reasoning', provider: 'xai', row: 54, tps: /^([\d.]+) \[/ },
  { key: 'grok-4.20-non-reasoning', provider: 'xai', row: 54, tps: /^([\d.]+) \[/ },
];

/**
 * The catalog selection: current chat models only (no deprecated, embedding, image-, audio- or TTS-only models).
 *   p        catalog provider; id: the id the provider's API expects; key: GROUPS key
 *   md       [models.dev provider, model id] when it differs from [MD_PROVIDER[p], id]
 *   donors   other models.dev entries ([provider, id, 'optional'?]) for the same model (another host or a preview of it) used only to fill
 *            limits/modalities/capabilities that the primary entry and its base model leave undefined; never prices.
 *            ['catalog', 'provider/id'] names an entry built earlier in this run (its own sources say where its facts came from)
 *   gp       the id to look up in genai-prices when it differs from `id` (null: do not use genai-prices)
 *   priceFrom 'models.dev' to take the price from models.dev even though genai-prices matches (`why` says why)
 *   fix      curated corrections applied last ({modalitiesInput?, capabilities?}), with `why`
 *   aliases  extra ids this provider accepts for the same model
 */
const SELECTION = [
  // Anthropic. Claude Code sends these bare ids (and the dated forms, added as aliases from models.dev).
  ...['claude-fable-5', 'claude-opus-4-8', 'claude-opus-4-7', 'claude-opus-4-6', 'claude-opus-4-5', 'claude-opus-4-1', 'claude-sonnet-5', 'claude-sonnet-4-6', 'claude-sonnet-4-5', 'claude-sonnet-4-0', 'claude-haiku-4-5'].map((id) => ({
    p: 'anthropic', id, key: id, donors: [['openrouter', openrouterClaudeId(id), 'optional']],
  })),

  // OpenAI (Chat Completions models; Responses-only models such as *-pro and *-codex are left out).
  { p: 'openai', id: 'gpt-5.5', key: 'gpt-5.5' },
  { p: 'openai', id: 'gpt-5.4', key: 'gpt-5.4' },
  { p: 'openai', id: 'gpt-5.4-mini', key: 'gpt-5.4-mini' },
  { p: 'openai', id: 'gpt-5.4-nano', key: 'gpt-5.4-nano' },
  { p: 'openai', id: 'gpt-5.2', key: 'gpt-5.2' },
  { p: 'openai', id: 'gpt-5.1', key: 'gpt-5.1' },
  {
    p: 'openai', id: 'gpt-5', key: 'gpt-5', donors: [['openrouter', 'openai/gpt-5'], ['azure', 'gpt-5']],
    fix: { capabilities: { jsonSchema: true } },
    why: 'models.dev openai/gpt-5 only points to a base file the subset lacks and its donors carry no structured_output flag; every other GPT-5-family entry in models-dev-subset.json openai (gpt-5-mini, gpt-5-nano, gpt-5-codex, gpt-5.1, gpt-5.2) has structured_output = true',
  },
  { p: 'openai', id: 'gpt-5-mini', key: 'gpt-5-mini' },
  { p: 'openai', id: 'gpt-5-nano', key: 'gpt-5-nano' },
  { p: 'openai', id: 'gpt-4.1', key: 'gpt-4.1' },
  { p: 'openai', id: 'gpt-4.1-mini', key: 'gpt-4.1-mini' },
  { p: 'openai', id: 'gpt-4o', key: 'gpt-4o' },
  { p: 'openai', id: 'gpt-4o-mini', key: 'gpt-4o-mini' },
  { p: 'openai', id: 'o3', key: 'o3' },
  { p: 'openai', id: 'o4-mini', key: 'o4-mini' },

  // Google AI Studio (Gemini API).
  { p: 'google-ai-studio', id: 'gemini-3.5-flash', key: 'gemini-3.5-flash' },
  { p: 'google-ai-studio', id: 'gemini-3.1-pro-preview', key: 'gemini-3.1-pro-preview' },
  { p: 'google-ai-studio', id: 'gemini-3.1-flash-lite', key: 'gemini-3.1-flash-lite' },
  { p: 'google-ai-studio', id: 'gemini-3-flash-preview', key: 'gemini-3-flash-preview' },
  { p: 'google-ai-studio', id: 'gemini-2.5-pro', key: 'gemini-2.5-pro', donors: [['openrouter', 'google/gemini-2.5-pro-preview']] },
  {
    p: 'google-ai-studio', id: 'gemini-2.5-flash', key: 'gemini-2.5-flash', donors: [['google-vertex', 'gemini-2.5-flash']],
    fix: { capabilities: { jsonSchema: true } },
    why: 'models.dev google/gemini-2.5-flash only points to a base file the subset lacks and google-vertex/gemini-2.5-flash has no structured_output flag; gemini-2.5-flash-lite, gemini-flash-latest and gemini-2.5-pro (via its preview) have structured_output = true',
  },
  { p: 'google-ai-studio', id: 'gemini-2.5-flash-lite', key: 'gemini-2.5-flash-lite' },
  { p: 'google-ai-studio', id: 'gemma-4-31b-it', key: 'gemma-4-31b-it' },
  { p: 'google-ai-studio', id: 'gemma-4-26b-a4b-it', key: 'gemma-4-26b-a4b-it' },

  // Groq.
  { p: 'groq', id: 'llama-3.3-70b-versatile', key: 'llama-3.3-70b' },
  { p: 'groq', id: 'llama-3.1-8b-instant', key: 'llama-3.1-8b' },
  { p: 'groq', id: 'openai/gpt-oss-120b', key: 'gpt-oss-120b', donors: [['togetherai', 'openai/gpt-oss-120b']] },
  { p: 'groq', id: 'openai/gpt-oss-20b', key: 'gpt-oss-20b' },
  { p: 'groq', id: 'qwen/qwen3-32b', key: 'qwen3-32b' },
  { p: 'groq', id: 'meta-llama/llama-4-scout-17b-16e-instruct', key: 'llama-4-scout' },

  // Mistral.
  { p: 'mistral', id: 'mistral-large-latest', key: 'mistral-large-3', gp: 'mistral-large-2512', aliases: ['mistral-large-2512'] },
  {
    p: 'mistral', id: 'mistral-medium-2604', key: 'mistral-medium-3.5', priceFrom: 'models.dev',
    why: 'genai-prices has no Mistral Medium 3.5 entry; its `starts_with: mistral-medium` rule would apply the Mistral Medium 3 price (0.4/2) to this model, while models.dev lists Medium 3.5 itself at 1.5/7.5',
  },
  { p: 'mistral', id: 'mistral-medium-2508', key: 'mistral-medium-3.1' },
  { p: 'mistral', id: 'mistral-small-latest', key: 'mistral-small-4', gp: 'mistral-small-2603', aliases: ['mistral-small-2603'] },
  { p: 'mistral', id: 'magistral-medium-latest', key: 'magistral-medium' },
  { p: 'mistral', id: 'codestral-latest', key: 'codestral' },
  { p: 'mistral', id: 'pixtral-large-latest', key: 'pixtral-large', aliases: ['pixtral-large-2411'] },

  // DeepSeek.
  {
    p: 'deepseek', id: 'deepseek-chat', key: 'deepseek-chat', priceFrom: 'models.dev',
    why: 'the genai-prices entry still describes the 2025 DeepSeek-V3 `deepseek-chat` (64k context, off-peak pricing); models.dev (last_updated 2026-02-28) describes what the id serves now',
  },
  {
    p: 'deepseek', id: 'deepseek-reasoner', key: 'deepseek-reasoner', priceFrom: 'models.dev',
    why: 'the genai-prices entry still describes the 2025 DeepSeek-R1 `deepseek-reasoner` (64k context, off-peak pricing); models.dev describes what the id serves now',
  },
  { p: 'deepseek', id: 'deepseek-v4-flash', key: 'deepseek-v4-flash' },
  { p: 'deepseek', id: 'deepseek-v4-pro', key: 'deepseek-v4-pro' },

  // xAI.
  { p: 'xai', id: 'grok-4.3', key: 'grok-4.3' },
  { p: 'xai', id: 'grok-4.20-0309-reasoning', key: 'grok-4.20-reasoning' },
  { p: 'xai', id: 'grok-4.20-0309-non-reasoning', key: 'grok-4.20-non-reasoning' },
  { p: 'xai', id: 'grok-build-0.1', key: 'grok-build-0.1' },

  // Cerebras.
  { p: 'cerebras', id: 'gpt-oss-120b', key: 'gpt-oss-120b', donors: [['togetherai', 'openai/gpt-oss-120b']] },
  { p: 'cerebras', id: 'zai-glm-4.7', key: 'glm-4.7' },

  // Fireworks.
  { p: 'fireworks', id: 'accounts/fireworks/models/gpt-oss-120b', key: 'gpt-oss-120b' },
  { p: 'fireworks', id: 'accounts/fireworks/models/gpt-oss-20b', key: 'gpt-oss-20b' },
  { p: 'fireworks', id: 'accounts/fireworks/models/deepseek-v4-flash', key: 'deepseek-v4-flash' },
  { p: 'fireworks', id: 'accounts/fireworks/models/deepseek-v4-pro', key: 'deepseek-v4-pro' },
  { p: 'fireworks', id: 'accounts/fireworks/models/kimi-k2p6', key: 'kimi-k2.6' },
  { p: 'fireworks', id: 'accounts/fireworks/models/glm-5p2', key: 'glm-5.2' },
  { p: 'fireworks', id: 'accounts/fireworks/models/minimax-m3', key: 'minimax-m3' },
  { p: 'fireworks', id: 'accounts/fireworks/models/qwen3p7-plus', key: 'qwen3.7-plus' },

  // Together AI.
  { p: 'together', id: 'openai/gpt-oss-120b', key: 'gpt-oss-120b' },
  { p: 'together', id: 'openai/gpt-oss-20b', key: 'gpt-oss-20b' },
  { p: 'together', id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', key: 'llama-3.3-70b' },
  { p: 'together', id: 'Qwen/Qwen3-235B-A22B-Instruct-2507-tput', key: 'qwen3-235b-a22b-instruct-2507' },
  { p: 'together', id: 'moonshotai/Kimi-K2.6', key: 'kimi-k2.6' },
  { p: 'together', id: 'deepseek-ai/DeepSeek-V4-Pro', key: 'deepseek-v4-pro' },
  { p: 'together', id: 'zai-org/GLM-5.2', key: 'glm-5.2' },
  { p: 'together', id: 'google/gemma-4-31B-it', key: 'gemma-4-31b-it' },
  { p: 'together', id: 'MiniMaxAI/MiniMax-M3', key: 'minimax-m3' },

  // DeepInfra (models.dev TOML via deepinfra-supplement.json).
  { p: 'deepinfra', id: 'openai/gpt-oss-120b', key: 'gpt-oss-120b' },
  { p: 'deepinfra', id: 'openai/gpt-oss-20b', key: 'gpt-oss-20b' },
  { p: 'deepinfra', id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', key: 'llama-3.3-70b' },
  { p: 'deepinfra', id: 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8', key: 'llama-4-maverick' },
  {
    p: 'deepinfra', id: 'Qwen/Qwen3-235B-A22B-Instruct-2507', key: 'qwen3-235b-a22b-instruct-2507',
    fix: { modalitiesInput: ['text'] },
    why: 'Qwen3-235B-A22B-Instruct-2507 is a text-only model; the DeepInfra TOML lists image and video input, while the Together and OpenRouter entries for the same weights (models-dev-subset.json) list text only',
  },
  { p: 'deepinfra', id: 'Qwen/Qwen3-32B', key: 'qwen3-32b' },
  { p: 'deepinfra', id: 'moonshotai/Kimi-K2.6', key: 'kimi-k2.6' },
  { p: 'deepinfra', id: 'deepseek-ai/DeepSeek-V4-Pro', key: 'deepseek-v4-pro' },
  { p: 'deepinfra', id: 'deepseek-ai/DeepSeek-R1-0528', key: 'deepseek-r1-0528' },
  { p: 'deepinfra', id: 'google/gemma-4-31B-it', key: 'gemma-4-31b-it' },

  // OpenRouter.
  { p: 'openrouter', id: 'anthropic/claude-opus-4.8', key: 'claude-opus-4-8' },
  { p: 'openrouter', id: 'anthropic/claude-sonnet-4.6', key: 'claude-sonnet-4-6' },
  { p: 'openrouter', id: 'anthropic/claude-sonnet-4.5', key: 'claude-sonnet-4-5' },
  { p: 'openrouter', id: 'anthropic/claude-haiku-4.5', key: 'claude-haiku-4-5' },
  { p: 'openrouter', id: 'openai/gpt-5', key: 'gpt-5', donors: [['catalog', 'openai/gpt-5']] },
  { p: 'openrouter', id: 'openai/gpt-5-mini', key: 'gpt-5-mini' },
  { p: 'openrouter', id: 'openai/gpt-oss-120b', key: 'gpt-oss-120b', donors: [['togetherai', 'openai/gpt-oss-120b']] },
  { p: 'openrouter', id: 'google/gemini-2.5-pro', key: 'gemini-2.5-pro', donors: [['catalog', 'google-ai-studio/gemini-2.5-pro']] },
  { p: 'openrouter', id: 'google/gemini-2.5-flash', key: 'gemini-2.5-flash', donors: [['catalog', 'google-ai-studio/gemini-2.5-flash']] },
  { p: 'openrouter', id: 'google/gemma-4-31b-it', key: 'gemma-4-31b-it' },
  { p: 'openrouter', id: 'meta-llama/llama-3.3-70b-instruct', key: 'llama-3.3-70b', donors: [['togetherai', 'meta-llama/Llama-3.3-70B-Instruct-Turbo']] },
  { p: 'openrouter', id: 'meta-llama/llama-4-maverick', key: 'llama-4-maverick' },
  { p: 'openrouter', id: 'deepseek/deepseek-v4-flash', key: 'deepseek-v4-flash' },
  { p: 'openrouter', id: 'deepseek/deepseek-r1-0528', key: 'deepseek-r1-0528' },
  { p: 'openrouter', id: 'qwen/qwen3-235b-a22b-2507', key: 'qwen3-235b-a22b-instruct-2507' },
  { p: 'openrouter', id: 'moonshotai/kimi-k2.6', key: 'kimi-k2.6', donors: [['togetherai', 'moonshotai/Kimi-K2.6']] },
  { p: 'openrouter', id: 'z-ai/glm-5.2', key: 'glm-5.2', donors: [['togetherai', 'zai-org/GLM-5.2']] },
  { p: 'openrouter', id: 'x-ai/grok-4.3', key: 'grok-4.3' },
];

function openrouterClaudeId(id) {
  // claude-opus-4-8 -> anthropic/claude-opus-4.8, claude-sonnet-4-0 -> anthropic/claude-sonnet-4, claude-sonnet-5 -> anthropic/claude-sonnet-5
  const m = /^(claude-[a-z]+)-(\d+)(?:-(\d+))?$/.exec(id);
  if (!m) return `anthropic/${id}`;
  return `anthropic/${m[1]}-${m[2]}${m[3] && m[3] !== '0' ? `.${m[3]}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------

function fail(message) {
  process.stderr.write(`generate-catalog: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const args = { dataDir: path.resolve(ROOT, '..', 'shared', 'data'), out: path.join(ROOT, 'src', 'routing', 'catalog', 'catalog.data.json'), check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--data-dir') args.dataDir = path.resolve(argv[++i] ?? fail('--data-dir needs a value'));
    else if (a === '--out') args.out = path.resolve(argv[++i] ?? fail('--out needs a value'));
    else if (a === '--check') args.check = true;
    else fail(`unknown argument ${a}`);
  }
  return args;
}

function readInput(file, label) {
  if (!existsSync(file)) {
    fail(`${label} not found at ${file}. The generator reads the shared data files from ../shared/data relative to the repository root (override with --data-dir).`);
  }
  const bytes = readFileSync(file);
  return { bytes, text: bytes.toString('utf8'), sha256: createHash('sha256').update(bytes).digest('hex') };
}

// ----- genai-prices ------------------------------------------------------------------------------------------

function clauseMatches(clause, text) {
  const t = text.toLowerCase();
  if ('equals' in clause) return t === clause.equals.toLowerCase();
  if ('starts_with' in clause) return t.startsWith(clause.starts_with.toLowerCase());
  if ('ends_with' in clause) return t.endsWith(clause.ends_with.toLowerCase());
  if ('contains' in clause) return t.includes(clause.contains.toLowerCase());
  if ('regex' in clause) return new RegExp(clause.regex).test(text);
  if ('or' in clause) return clause.or.some((c) => clauseMatches(c, text));
  if ('and' in clause) return clause.and.every((c) => clauseMatches(c, text));
  throw new Error(`unknown match clause ${JSON.stringify(clause)}`);
}

function equalsValues(clause) {
  if ('equals' in clause) return [clause.equals];
  if ('or' in clause) return clause.or.flatMap(equalsValues);
  return [];
}

/** The prices in force at AS_OF: conditional prices are tried last to first; a time-of-day window counts as met (it marks the standard-hours price). */
function activePrice(prices) {
  if (!Array.isArray(prices)) return { price: prices, note: '' };
  for (let i = prices.length - 1; i >= 0; i--) {
    const c = prices[i].constraint;
    if (!c) return { price: prices[i].prices, note: prices.length > 1 ? ' (unconstrained price; later conditional prices not yet active)' : '' };
    if ('start_date' in c && c.start_date <= AS_OF) return { price: prices[i].prices, note: ` (conditional price from ${c.start_date})` };
    if ('start_time' in c) return { price: prices[i].prices, note: ` (standard-hours price ${c.start_time}-${c.end_time})` };
  }
  throw new Error('no active price');
}

const GP_FIELDS = [
  ['input_mtok', 'input'], ['output_mtok', 'output'], ['cache_read_mtok', 'cacheRead'], ['cache_write_mtok', 'cacheWrite'], ['cache_write_1h_mtok', 'cacheWrite1h'],
];

function priceFromGenai(p) {
  const out = {};
  const tiers = new Map();
  for (const [from, to] of GP_FIELDS) {
    const v = p[from];
    if (v === undefined) continue;
    if (typeof v === 'number') out[to] = v;
    else {
      out[to] = v.base;
      for (const t of v.tiers) {
        if (!tiers.has(t.start)) tiers.set(t.start, { threshold: t.start });
        tiers.get(t.start)[to] = t.price;
      }
    }
  }
  if (tiers.size > 0) out.tiers = [...tiers.values()].sort((a, b) => a.threshold - b.threshold);
  const ignored = Object.keys(p).filter((k) => !GP_FIELDS.some(([f]) => f === k)).sort();
  return { price: out, ignored };
}

function priceFromModelsDev(cost) {
  const out = {};
  if (typeof cost.input === 'number') out.input = cost.input;
  if (typeof cost.output === 'number') out.output = cost.output;
  const cacheRead = cost.cache_read ?? cost.cached_input;
  if (typeof cacheRead === 'number') out.cacheRead = cacheRead;
  if (typeof cost.cache_write === 'number') out.cacheWrite = cost.cache_write;
  if (Array.isArray(cost.tiers) && cost.tiers.length > 0) {
    out.tiers = cost.tiers
      .map((t) => {
        const tier = { threshold: t.tier.size };
        if (typeof t.input === 'number') tier.input = t.input;
        if (typeof t.output === 'number') tier.output = t.output;
        if (typeof t.cache_read === 'number') tier.cacheRead = t.cache_read;
        if (typeof t.cache_write === 'number') tier.cacheWrite = t.cache_write;
        return tier;
      })
      .sort((a, b) => a.threshold - b.threshold);
  }
  const known = new Set(['input', 'output', 'cache_read', 'cached_input', 'cache_write', 'tiers', 'reasoning']);
  const ignored = Object.keys(cost).filter((k) => !known.has(k)).sort();
  return { price: out, ignored };
}

// ----- intelligence-scores.md ------------------------------------------------------------------------------------

function parseScores(text) {
  const rows = new Map();
  for (const line of text.split('\n')) {
    const m = /^\|\s*(\d+)\s*\|/.exec(line);
    if (!m) continue;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 8) throw new Error(`intelligence-scores.md row ${m[1]} has ${cells.length} cells, expected 8`);
    rows.set(Number(m[1]), { model: cells[1], hosts: cells[2], aa: cells[3], arena: cells[4], swe: cells[5], speed: cells[6], ttft: cells[7] });
  }
  if (rows.size < 50) throw new Error(`intelligence-scores.md: only ${rows.size} table rows found`);

  // Scale conversion to the AA Intelligence Index v4.0 scale.
  const v3top = /v3 \(late 2025, top ~(\d+)\)/.exec(text);
  const v40top = /v4\.0 \(from Jan 2026, recalibrated: top ~(\d+) at launch/.exec(text);
  if (!v3top || !v40top) throw new Error('intelligence-scores.md: cannot find the v3 / v4.0 scale notes ("top ~N")');
  const anchors = [];
  for (const [n, r] of rows) {
    const vals = aaValues(r.aa);
    const a = vals.find((v) => v.version === 'v4.0');
    const b = vals.find((v) => v.version === 'v4.1');
    if (a && b) anchors.push({ row: n, ratio: a.value / b.value, text: `${a.value} (v4.0) / ${b.value} (v4.1)` });
  }
  if (anchors.length === 0) throw new Error('intelligence-scores.md: no model has both a v4.0 and a v4.1 value to anchor the v4.1 scale');
  const v41 = anchors.reduce((s, a) => s + a.ratio, 0) / anchors.length;
  const v3 = Number(v40top[1]) / Number(v3top[1]);
  const scale = {
    'v4.0': { factor: 1, how: 'AA v4.0 value used as is' },
    'v4.1': { factor: v41, how: `AA v4.1 value x ${round(v41, 4)} (v4.0/v4.1 ratio of row ${anchors.map((a) => `${a.row}: ${a.text}`).join(', ')})` },
    v3: { factor: v3, how: `AA v3 value x ${round(v3, 4)} (v4.0 recalibration: top ~${v40top[1]} at launch vs v3 top ~${v3top[1]}; approximate)` },
    'v?': { factor: v3, how: `AA value of unstated version (the file says those pages appear v3-era) x ${round(v3, 4)} as for v3; approximate` },
  };
  return { rows, scale };
}

function aaValues(cell) {
  const re = /(\d+(?:\.\d+)?)\s*(?:"[^"]*"\s*|[a-z]+\s+)?\((v(?:\d+(?:\.\d+)?|\?))[^)]*\)\s*((?:\[S\d+\])+)/g;
  const out = [];
  for (const m of cell.matchAll(re)) out.push({ value: Number(m[1]), version: m[2], cite: m[3] });
  return out;
}

const AA_PREFERENCE = ['v4.0', 'v4.1', 'v3', 'v?'];

function scoresFor(key, parsed) {
  const rows = GROUPS[key].scoreRows;
  const result = { intelligence: null, coding: null, math: null };
  const sources = {};
  const notes = [];
  if (GROUPS[key].scoreSkip) sources['scores.intelligence'] = `not used: ${GROUPS[key].scoreSkip}; null`;
  for (const n of rows) {
    const r = parsed.rows.get(n);
    if (!r) throw new Error(`intelligence-scores.md has no row ${n} (group ${key})`);
    if (result.intelligence === null && !GROUPS[key].scoreSkip) {
      const vals = aaValues(r.aa);
      const pick = AA_PREFERENCE.map((v) => vals.find((x) => x.version === v)).find(Boolean);
      if (pick) {
        const s = parsed.scale[pick.version];
        result.intelligence = round(pick.value * s.factor, 1);
        sources['scores.intelligence'] = `intelligence-scores.md row ${n} "AA Intelligence Index" ${pick.value} (${pick.version}) ${pick.cite}; ${s.how}`;
      } else if (vals.some((v) => v.version === 'v2')) {
        const v2 = vals.find((v) => v.version === 'v2');
        notes.push(`AA Intelligence Index ${v2.value} (v2) ${v2.cite} in intelligence-scores.md row ${n} is not converted (no anchor between v2 and later scales), so intelligence is null`);
      }
    }
    if (result.coding === null && !/low-reliability/.test(r.swe)) {
      const m = /(\d+(?:\.\d+)?)\s*%\s*(vendor|\*independent\*)?[^[]*((?:\[S\d+\])+)/.exec(r.swe);
      if (m) {
        result.coding = Number(m[1]);
        sources['scores.coding'] = `intelligence-scores.md row ${n} "SWE-bench Verified" ${m[1]} % (${m[2] === '*independent*' ? 'independent harness' : 'vendor-reported'}) ${m[3]}`;
      }
    }
  }
  return { result, sources, notes };
}

function speedNumber(cell, re, where) {
  const m = re.exec(cell);
  if (!m) throw new Error(`intelligence-scores.md ${where}: pattern ${re} not found in "${cell}"`);
  return Number(m[1].replace(/,/g, ''));
}

function priorsFor(provider, key, parsed) {
  const pick = (want) =>
    SPEED.find((s) => s.key === key && s.provider === provider && s[want]) ?? SPEED.find((s) => s.key === key && s.anyHost && s[want]);
  const d = PROVIDER_DEFAULT_PRIORS[provider];
  const priors = { ttftMs: d.ttftMs, tokensPerSecond: d.tokensPerSecond };
  const sources = { 'priors.ttftMs': `default for provider ${provider} (assumption; see docs/catalog.md)`, 'priors.tokensPerSecond': `default for provider ${provider} (assumption; see docs/catalog.md)` };
  const tps = pick('tps');
  if (tps) {
    const r = parsed.rows.get(tps.row);
    priors.tokensPerSecond = speedNumber(r.speed, tps.tps, `row ${tps.row}`);
    sources['priors.tokensPerSecond'] = `intelligence-scores.md row ${tps.row} "Output speed (tok/s)": "${r.speed}"${tps.anyHost ? ' (figure not specific to this host)' : ''}`;
  }
  const ttft = pick('ttft');
  if (ttft) {
    const r = parsed.rows.get(ttft.row);
    priors.ttftMs = Math.round(speedNumber(r.ttft, ttft.ttft, `row ${ttft.row}`) * 1000);
    sources['priors.ttftMs'] = `intelligence-scores.md row ${ttft.row} "TTFT (s)": "${r.ttft}"${ttft.anyHost ? ' (figure not specific to this host)' : ''}`;
  }
  return { priors, sources };
}

// ----- models.dev ------------------------------------------------------------------------------------------------

function mdEntry(md, provider, id) {
  return md[provider]?.models?.[id];
}

/** [primary, base..., donors...] as {label, entry, kind}. */
function mdChain(md, spec, built) {
  const [mp, mid] = spec.md ?? [MD_PROVIDER[spec.p], spec.id];
  const primary = mdEntry(md, mp, mid);
  if (!primary) throw new Error(`models.dev has no ${mp}/${mid} (catalog ${spec.p}/${spec.id})`);
  const chain = [{ label: `models.dev ${mp}/${mid}`, entry: primary, kind: 'primary' }];
  let cur = primary;
  for (let hops = 0; cur.base_model && hops < 4; hops++) {
    const slash = cur.base_model.indexOf('/');
    const bp = MD_BASE_PREFIX[cur.base_model.slice(0, slash)];
    const bid = cur.base_model.slice(slash + 1);
    const base = bp ? mdEntry(md, bp, bid) : undefined;
    if (!base || base === cur) break;
    chain.push({ label: `models.dev ${bp}/${bid} (base_model of ${chain[chain.length - 1].label.slice('models.dev '.length)})`, entry: base, kind: 'base' });
    cur = base;
  }
  for (const [dp, did, optional] of spec.donors ?? []) {
    if (dp === 'catalog') {
      const c = built.get(did);
      if (!c) throw new Error(`donor catalog entry ${did} not built yet (catalog ${spec.p}/${spec.id})`);
      const entry = {
        name: c.name, release_date: c.released, limit: { context: c.context, input: c.maxInput, output: c.maxOutput },
        modalities: c.modalities, tool_call: c.capabilities.tools, reasoning: c.capabilities.reasoning, structured_output: c.capabilities.jsonSchema,
      };
      chain.push({ label: `catalog ${did} (donor)`, entry, kind: 'donor' });
      continue;
    }
    const donor = mdEntry(md, dp, did);
    if (!donor && optional) continue;
    if (!donor) throw new Error(`donor models.dev ${dp}/${did} not found (catalog ${spec.p}/${spec.id})`);
    chain.push({ label: `models.dev ${dp}/${did} (donor)`, entry: donor, kind: 'donor' });
  }
  return chain;
}

function first(chain, get, kinds = ['primary', 'base', 'donor']) {
  for (const link of chain) {
    if (!kinds.includes(link.kind)) continue;
    const v = get(link.entry);
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    return { value: v, label: link.label };
  }
  return undefined;
}

const MODALITY_ORDER = ['text', 'image', 'audio', 'video', 'pdf'];
const normModalities = (list) => MODALITY_ORDER.filter((m) => list.includes(m));

// ----- build -------------------------------------------------------------------------------------------------------

function round(n, digits) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function buildEntry(spec, ctx) {
  const { gp, md, scores } = ctx;
  const group = GROUPS[spec.key];
  if (!group) throw new Error(`no group ${spec.key}`);
  const where = `${spec.p}/${spec.id}`;
  const sources = {};
  const notes = [];

  const chain = mdChain(md, spec, ctx.built);
  for (const link of chain) {
    if (link.kind !== 'donor' && link.entry.status === 'deprecated') throw new Error(`${where}: ${link.label} is deprecated`);
  }

  // genai-prices entry (also used for context_window and dated aliases).
  let gpModel;
  const gpProvider = GP_PROVIDER[spec.p];
  if (gpProvider && spec.gp !== null) {
    const prov = gp.find((x) => x.id === gpProvider);
    const lookup = spec.gp ?? spec.id;
    gpModel = prov.models.find((m) => clauseMatches(m.match, lookup));
    if (gpModel?.deprecated) throw new Error(`${where}: genai-prices marks ${gpProvider}/${gpModel.id} deprecated`);
  }

  // Name, release date.
  const name = first(chain, (e) => e.name) ?? (gpModel?.name ? { value: gpModel.name, label: `genai-prices ${gpProvider}/${gpModel.id}` } : undefined);
  if (!name) throw new Error(`${where}: no name`);
  sources.name = `${name.label} name`;
  const released = first(chain, (e) => e.release_date);
  if (released) sources.released = `${released.label} release_date`;

  // Limits.
  let context = first(chain, (e) => (e.limit?.context > 0 ? e.limit.context : undefined), ['primary', 'base']);
  if (context) sources.context = `${context.label} limit.context`;
  else if (gpModel?.context_window) {
    context = { value: gpModel.context_window };
    sources.context = `genai-prices ${gpProvider}/${gpModel.id} context_window`;
  } else {
    context = first(chain, (e) => (e.limit?.context > 0 ? e.limit.context : undefined), ['donor']);
    if (context) sources.context = `${context.label} limit.context`;
  }
  if (!context) throw new Error(`${where}: no context window`);
  const maxInput = first(chain, (e) => (e.limit?.input > 0 ? e.limit.input : undefined));
  if (maxInput) sources.maxInput = `${maxInput.label} limit.input`;
  const maxOutput = first(chain, (e) => (e.limit?.output > 0 ? e.limit.output : undefined));
  if (!maxOutput) throw new Error(`${where}: no output limit`);
  sources.maxOutput = `${maxOutput.label} limit.output`;

  // Modalities and capabilities.
  let input = first(chain, (e) => e.modalities?.input);
  const output = first(chain, (e) => e.modalities?.output);
  if (!input || !output) throw new Error(`${where}: no modalities`);
  sources.modalities = input.label === output.label ? `${input.label} modalities` : `${input.label} modalities.input; ${output.label} modalities.output`;
  if (spec.fix?.modalitiesInput) {
    input = { value: spec.fix.modalitiesInput, label: 'curated' };
    sources.modalities = `curated: ${spec.why}`;
  }
  const modalities = { input: normModalities(input.value), output: normModalities(output.value) };
  if (!modalities.output.includes('text') || !modalities.input.includes('text')) throw new Error(`${where}: not a text model`);

  const tool = first(chain, (e) => (typeof e.tool_call === 'boolean' ? e.tool_call : undefined));
  const reasoning = first(chain, (e) => (typeof e.reasoning === 'boolean' ? e.reasoning : undefined));
  const structured = first(chain, (e) => (typeof e.structured_output === 'boolean' ? e.structured_output : undefined));
  if (!tool || !reasoning) throw new Error(`${where}: tool_call / reasoning unknown`);
  const capabilities = {
    tools: tool.value,
    vision: modalities.input.includes('image'),
    reasoning: reasoning.value,
    jsonSchema: structured ? structured.value : false,
    pdf: modalities.input.includes('pdf'),
  };
  sources['capabilities.tools'] = `${tool.label} tool_call`;
  sources['capabilities.reasoning'] = `${reasoning.label} reasoning`;
  sources['capabilities.jsonSchema'] = structured ? `${structured.label} structured_output` : 'no structured_output flag in any source entry: false';
  sources['capabilities.vision'] = 'derived: "image" in modalities.input';
  sources['capabilities.pdf'] = 'derived: "pdf" in modalities.input';
  for (const [k, v] of Object.entries(spec.fix?.capabilities ?? {})) {
    capabilities[k] = v;
    sources[`capabilities.${k}`] = `curated: ${spec.why}`;
  }
  const efforts = first(chain, (e) => e.reasoning_options?.find((o) => o.type === 'effort')?.values);
  if (efforts) sources.reasoningEfforts = `${efforts.label} reasoning_options (effort)`;

  // Price: genai-prices when it has the model (unless priceFrom says otherwise), else models.dev (primary entry or its base, never a donor host).
  let price;
  let ignored = [];
  if (gpModel && spec.priceFrom !== 'models.dev') {
    const { price: p, note } = activePrice(gpModel.prices);
    ({ price, ignored } = priceFromGenai(p));
    sources.price = `genai-prices ${gpProvider}/${gpModel.id} prices${note}`;
  } else {
    const cost = first(chain, (e) => e.cost, ['primary', 'base']);
    if (!cost) throw new Error(`${where}: no price in genai-prices or models.dev`);
    ({ price, ignored } = priceFromModelsDev(cost.value));
    sources.price = `${cost.label} cost${spec.priceFrom === 'models.dev' ? ` (instead of genai-prices: ${spec.why})` : gpProvider ? ' (no genai-prices entry matches this id)' : ' (genai-prices does not cover this provider)'}`;
  }
  if (typeof price.input !== 'number' || typeof price.output !== 'number') throw new Error(`${where}: input/output price missing`);
  if (price.input > 0) {
    for (const k of ['cacheRead', 'cacheWrite']) {
      if (price[k] === 0) {
        delete price[k];
        notes.push(`source lists a ${k} price of 0 for a paid model; treated as unknown (cost falls back to the input price)`);
      }
    }
  }
  if (price.cacheWrite1h !== undefined && price.cacheWrite1h === price.cacheWrite) delete price.cacheWrite1h;
  if (ignored.length > 0) notes.push(`price keys not modelled: ${ignored.join(', ')}`);
  const orderedPrice = {};
  for (const k of ['input', 'output', 'cacheRead', 'cacheWrite', 'cacheWrite1h', 'tiers']) if (price[k] !== undefined) orderedPrice[k] = price[k];

  // Scores and priors.
  const sc = scoresFor(spec.key, scores);
  Object.assign(sources, sc.sources);
  if (!sources['scores.intelligence']) sources['scores.intelligence'] = 'no usable AA Intelligence Index value in intelligence-scores.md: null';
  if (!sources['scores.coding']) sources['scores.coding'] = 'no SWE-bench Verified value in intelligence-scores.md: null';
  sources['scores.math'] = 'intelligence-scores.md has no math benchmark: null';
  notes.push(...sc.notes);
  const pr = priorsFor(spec.p, spec.key, scores);
  Object.assign(sources, pr.sources);

  // Aliases: the group key, group aliases, dated ids (genai-prices `equals` rules of the form <id>-<date>, models.dev
  // sibling entries <id minus -0>-<yyyymmdd> with the same name), and the spec's own.
  const aliases = new Set([spec.key, ...(group.aliases ?? []), ...(spec.aliases ?? [])]);
  const lookupId = spec.gp ?? spec.id;
  if (gpModel) {
    for (const v of equalsValues(gpModel.match)) {
      if (!new RegExp(`^${escapeRe(lookupId)}-\\d{4}-?\\d{2}-?\\d{2}$`).test(v)) continue;
      // A dated id that models.dev prices differently is a different snapshot, not an alias.
      const own = md[MD_PROVIDER[spec.p]]?.models?.[v]?.cost;
      if (own && (own.input !== orderedPrice.input || own.output !== orderedPrice.output)) {
        notes.push(`${v} is not an alias: models.dev prices it ${own.input}/${own.output}`);
        continue;
      }
      aliases.add(v);
    }
  }
  const [mp] = spec.md ?? [MD_PROVIDER[spec.p], spec.id];
  const bareName = String(name.value).replace(/ \(latest\)$/, '');
  const stem = spec.id.replace(/-0$/, '');
  for (const [otherId, other] of Object.entries(md[mp]?.models ?? {})) {
    if (otherId !== spec.id && new RegExp(`^${escapeRe(stem)}-\\d{8}$`).test(otherId) && other.name === bareName && other.status !== 'deprecated') aliases.add(otherId);
  }
  aliases.delete(spec.id);

  const entry = {
    id: spec.id,
    provider: spec.p,
    name: bareName,
    creator: group.creator,
    ...(released ? { released: released.value } : {}),
    context: context.value,
    ...(maxInput ? { maxInput: maxInput.value } : {}),
    maxOutput: maxOutput.value,
    modalities,
    capabilities,
    ...(efforts ? { reasoningEfforts: efforts.value } : {}),
    price: orderedPrice,
    scores: sc.result,
    priors: pr.priors,
    aliases: [...aliases].sort(),
    ...(notes.length ? { notes } : {}),
    sources: Object.fromEntries(Object.entries(sources).sort(([a], [b]) => a.localeCompare(b))),
  };
  return entry;
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const gpIn = readInput(path.join(args.dataDir, 'genai-prices-v2-data.json'), 'genai-prices-v2-data.json');
  const mdIn = readInput(path.join(args.dataDir, 'models-dev-subset.json'), 'models-dev-subset.json');
  const scIn = readInput(path.join(args.dataDir, 'intelligence-scores.md'), 'intelligence-scores.md');
  const supIn = readInput(path.join(ROOT, 'src', 'routing', 'catalog', 'deepinfra-supplement.json'), 'deepinfra-supplement.json');

  const gp = JSON.parse(gpIn.text);
  const md = JSON.parse(mdIn.text);
  const supplement = JSON.parse(supIn.text);
  if (md.deepinfra) fail('models-dev-subset.json now has deepinfra; drop the supplement');
  md.deepinfra = supplement;
  const scores = parseScores(scIn.text);

  const models = [];
  const built = new Map();
  const seen = new Set();
  for (const spec of SELECTION) {
    const k = `${spec.p}/${spec.id}`;
    if (seen.has(k)) fail(`duplicate selection entry ${k}`);
    seen.add(k);
    try {
      const entry = buildEntry(spec, { gp, md, scores, built });
      models.push(entry);
      built.set(k, entry);
    } catch (err) {
      fail(`${k}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  // Dated forms of a group key (claude-sonnet-4-5-20250929) name the model on every host of the group.
  for (const spec of SELECTION) {
    const dated = new RegExp(`^${escapeRe(spec.key.replace(/-0$/, ''))}-\\d{8}$|^${escapeRe(spec.key)}-\\d{4}-\\d{2}-\\d{2}$`);
    const entry = built.get(`${spec.p}/${spec.id}`);
    for (const other of SELECTION.filter((o) => o.key === spec.key && o !== spec)) {
      const target = built.get(`${other.p}/${other.id}`);
      for (const a of entry.aliases) if (dated.test(a) && !target.aliases.includes(a) && a !== target.id) target.aliases.push(a);
      target.aliases.sort();
    }
  }
  models.sort((a, b) => PROVIDERS.indexOf(a.provider) - PROVIDERS.indexOf(b.provider) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const p of PROVIDERS) if (!models.some((m) => m.provider === p)) fail(`no model for provider ${p}`);

  const doc = {
    $comment: 'Generated by scripts/generate-catalog.mjs (npm run catalog). Do not edit by hand; see docs/catalog.md.',
    schemaVersion: 1,
    asOf: AS_OF,
    inputs: [
      { file: '../shared/data/genai-prices-v2-data.json', sha256: gpIn.sha256 },
      { file: '../shared/data/models-dev-subset.json', sha256: mdIn.sha256 },
      { file: '../shared/data/intelligence-scores.md', sha256: scIn.sha256 },
      { file: 'src/routing/catalog/deepinfra-supplement.json', sha256: supIn.sha256 },
    ],
    semantics: {
      price: 'USD per million tokens. input = uncached input tokens; cacheRead = tokens read from the prompt cache; cacheWrite = tokens written to the cache (5-minute TTL where the provider distinguishes); cacheWrite1h = 1-hour cache writes, present only where it differs from cacheWrite. Reasoning (thinking) tokens are billed as output tokens at the output price; no model here has a separate reasoning rate.',
      tiers: 'Each tier applies to the whole request (input, output and cache tokens alike) when the prompt size (input + cacheRead + cacheWrite + cacheWrite1h tokens) exceeds `threshold`; fields absent from a tier keep the base price.',
      scores: 'intelligence: Artificial Analysis Intelligence Index on the v4.0 scale (other versions converted as recorded in each sources entry); coding: SWE-bench Verified percent; math: no source, always null. null = no published number (not "weak"); auto ranks null below every known value.',
      priors: 'ttftMs / tokensPerSecond: starting estimates for latency and throughput ranking until the router has live samples. From intelligence-scores.md where it has a figure, else the provider default in providerDefaults.',
      sources: 'Per entry, which file and field each fact came from. "genai-prices P/M" = genai-prices-v2-data.json provider P, model id M; "models.dev P/M" = models-dev-subset.json[P].models[M] (deepinfra: deepinfra-supplement.json); "intelligence-scores.md row N" = row N of its table.',
    },
    providerDefaults: PROVIDER_DEFAULT_PRIORS,
    models,
  };
  const json = `${JSON.stringify(doc, null, 2)}\n`;

  if (args.check) {
    const current = existsSync(args.out) ? readFileSync(args.out, 'utf8') : '';
    if (current !== json) {
      process.stderr.write(`generate-catalog: ${args.out} is out of date; run npm run catalog\n`);
      process.exit(1);
    }
    process.stdout.write(`generate-catalog: ${args.out} is up to date (${models.length} models)\n`);
    return;
  }
  writeFileSync(args.out, json);
  const counts = PROVIDERS.map((p) => `${p} ${models.filter((m) => m.provider === p).length}`).join(', ');
  process.stdout.write(`generate-catalog: wrote ${models.length} models to ${path.relative(ROOT, args.out)} (${counts})\n`);
}

main();
