import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalog, CATALOG_PROVIDERS, CUSTOM_MODEL_DEFAULTS, toHostedModelJson, type CatalogModel } from './index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..', '..');
const SHARED_DATA = path.resolve(ROOT, '..', 'shared', 'data');
const GENERATOR = path.join(ROOT, 'scripts', 'generate-catalog.mjs');
const DATA_FILE = path.join(HERE, 'catalog.data.json');
const HAVE_SHARED = ['genai-prices-v2-data.json', 'models-dev-subset.json', 'intelligence-scores.md'].every((f) => existsSync(path.join(SHARED_DATA, f)));
if (!HAVE_SHARED) {
  console.warn(`[catalog.test] NOTICE: ${SHARED_DATA} not found; the generator determinism test is skipped.`);
}

const catalog = Catalog.builtin();

function must(provider: string, id: string): CatalogModel {
  const m = catalog.get(provider, id);
  if (!m) throw new Error(`catalog has no ${provider}/${id}`);
  return m;
}


describe('built-in catalog contents', () => {
  it('has at least 60 models and every built-in provider', () => {
    expect(catalog.all().length).toBeGreaterThanOrEqual(60);
    for (const p of CATALOG_PROVIDERS) expect(catalog.forProvider(p).length, p).toBeGreaterThan(0);
    expect(new Set(catalog.all().map((m) => m.provider))).toEqual(new Set(CATALOG_PROVIDERS));
  });

  it('every entry has non-negative prices, positive limits, text in and out, and sources', () => {
    const seen = new Set<string>();
    for (const m of catalog.all()) {
      const where = `${m.provider}/${m.id}`;
      expect(seen.has(where), `duplicate ${where}`).toBe(false);
      seen.add(where);
      for (const v of [m.price.input, m.price.output, m.price.cacheRead, m.price.cacheWrite, m.price.cacheWrite1h]) {
        if (v !== undefined) expect(v, where).toBeGreaterThanOrEqual(0);
      }
      for (const t of m.price.tiers ?? []) {
        expect(t.threshold, where).toBeGreaterThan(0);
        for (const v of [t.input, t.output, t.cacheRead, t.cacheWrite, t.cacheWrite1h]) if (v !== undefined) expect(v, where).toBeGreaterThanOrEqual(0);
      }
      expect(m.price.input + m.price.output, `${where} is priced`).toBeGreaterThan(0);
      expect(Number.isInteger(m.context) && m.context > 0, where).toBe(true);
      expect(Number.isInteger(m.maxOutput) && m.maxOutput > 0, where).toBe(true);
      expect(m.modalities.input).toContain('text');
      expect(m.modalities.output).toContain('text');
      expect(m.capabilities.vision).toBe(m.modalities.input.includes('image'));
      expect(m.priors.ttftMs).toBeGreaterThan(0);
      expect(m.priors.tokensPerSecond).toBeGreaterThan(0);
      expect(m.scores.math).toBeNull();
      for (const k of ['name', 'context', 'maxOutput', 'modalities', 'price', 'capabilities.tools', 'scores.intelligence', 'priors.ttftMs']) {
        expect(m.sources[k], `${where} sources.${k}`).toBeTruthy();
      }
    }
  });

  it('leaves out embedding, image, audio and deprecated models', () => {
    for (const m of catalog.all()) {
      expect(m.id).not.toMatch(/embed|tts|whisper|image|audio|realtime|transcribe|moderation/i);
    }
    for (const gone of ['gemini-2.0-flash', 'claude-3-7-sonnet-20250219', 'gemini-3-pro-preview', 'devstral-2512', 'grok-2-1212']) {
      expect(catalog.providersFor(gone), gone).toEqual([]);
    }
  });

  it('includes the Claude ids Claude Code sends, bare and dated', () => {
    for (const id of ['claude-opus-4-8', 'claude-sonnet-4-6', 'claude-haiku-4-5', 'claude-opus-4-6', 'claude-sonnet-4-5', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001', 'claude-opus-4-5-20251101']) {
      expect(catalog.get('anthropic', id), id).toBeDefined();
    }
    expect(catalog.get('anthropic', 'claude-haiku-4-5-20251001')?.id).toBe('claude-haiku-4-5');
  });

  it('is frozen', () => {
    const m = must('openai', 'gpt-5');
    expect(() => {
      (m.price as { input: number }).input = 0;
    }).toThrow();
  });
});

describe('spot checks against the source data (values read by hand from shared/data)', () => {
  it('claude-sonnet-4-6: genai-prices conditional price from 2026-03-13 (flat, no long-context tier), models.dev limits', () => {
    const m = must('anthropic', 'claude-sonnet-4-6');
    expect(m.price).toEqual({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 });
    expect(m.context).toBe(1_000_000);
    expect(m.maxOutput).toBe(64_000);
    expect(m.released).toBe('2026-02-17');
    expect(m.capabilities).toEqual({ tools: true, vision: true, reasoning: true, jsonSchema: true, pdf: true });
    expect(m.sources.price).toContain('2026-03-13');
  });

  it('claude-sonnet-4-5 keeps the >200k tier of genai-prices', () => {
    const m = must('anthropic', 'claude-sonnet-4-5');
    expect(m.price.input).toBe(3);
    expect(m.price.tiers).toEqual([{ threshold: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5, cacheWrite1h: 12 }]);
  });

  it('gpt-5: genai-prices 1.25 / 10 / cache read 0.125, context 400000 (genai-prices context_window), output 128000', () => {
    const m = must('openai', 'gpt-5');
    expect(m.price).toEqual({ input: 1.25, output: 10, cacheRead: 0.125 });
    expect(m.context).toBe(400_000);
    expect(m.maxOutput).toBe(128_000);
    expect(m.aliases).toContain('gpt-5-2025-08-07');
    expect(m.reasoningEfforts).toEqual(['minimal', 'low', 'medium', 'high']);
  });

  it('gpt-5.4: >272k tier from genai-prices', () => {
    const m = must('openai', 'gpt-5.4');
    expect(m.price).toEqual({ input: 2.5, output: 15, cacheRead: 0.25, tiers: [{ threshold: 272_000, input: 5, output: 22.5, cacheRead: 0.5 }] });
    expect(m.context).toBe(1_050_000);
    expect(m.maxInput).toBe(922_000);
  });

  it('gemini-2.5-flash: limits 1048576 / 65536 (google-vertex entry of models.dev), price 0.3 / 2.5 / 0.03', () => {
    const m = must('google-ai-studio', 'gemini-2.5-flash');
    expect(m.context).toBe(1_048_576);
    expect(m.maxOutput).toBe(65_536);
    expect(m.price).toEqual({ input: 0.3, output: 2.5, cacheRead: 0.03 });
    expect(m.modalities.input).toEqual(['text', 'image', 'audio', 'video', 'pdf']);
    expect(m.sources.context).toContain('google-vertex/gemini-2.5-flash');
  });

  it('open models on several hosts keep each host’s own price and limits', () => {
    expect(must('groq', 'openai/gpt-oss-120b').price).toEqual({ input: 0.15, output: 0.6, cacheRead: 0.075 });
    expect(must('groq', 'openai/gpt-oss-120b').maxOutput).toBe(65_536);
    expect(must('cerebras', 'gpt-oss-120b').price).toEqual({ input: 0.35, output: 0.75 });
    expect(must('cerebras', 'gpt-oss-120b').maxOutput).toBe(40_960);
    expect(must('fireworks', 'accounts/fireworks/models/gpt-oss-120b').price).toEqual({ input: 0.15, output: 0.6, cacheRead: 0.014 });
    expect(must('deepinfra', 'openai/gpt-oss-120b').price).toEqual({ input: 0.05, output: 0.24 });
    expect(must('groq', 'llama-3.3-70b-versatile').price).toEqual({ input: 0.59, output: 0.79 });
    expect(must('together', 'meta-llama/Llama-3.3-70B-Instruct-Turbo').price).toEqual({ input: 0.88, output: 0.88 });
  });

  it('DeepSeek takes the current models.dev price where genai-prices still lists the 2025 alias', () => {
    const m = must('deepseek', 'deepseek-chat');
    expect(m.price).toEqual({ input: 0.14, output: 0.28, cacheRead: 0.0028 });
    expect(m.context).toBe(1_000_000);
    expect(m.sources.price).toContain('instead of genai-prices');
  });

  it('scores: AA index on the v4.0 scale, SWE-bench Verified as coding, null where unknown', () => {
    expect(must('anthropic', 'claude-opus-4-8').scores).toEqual({ intelligence: 61.4, coding: 88.6, math: null });
    // 62.8 (v3) x 50/73 = 43.01
    expect(must('anthropic', 'claude-sonnet-4-5').scores).toEqual({ intelligence: 43, coding: 77.2, math: null });
    // 61 (v?, v3-era) x 50/73 = 41.78; a model's score applies on every host
    expect(must('groq', 'openai/gpt-oss-120b').scores.intelligence).toBe(41.8);
    expect(must('deepinfra', 'openai/gpt-oss-120b').scores.intelligence).toBe(41.8);
    expect(must('openai', 'gpt-5').scores).toEqual({ intelligence: null, coding: 68.8, math: null });
    expect(must('anthropic', 'claude-sonnet-4-6').scores).toEqual({ intelligence: null, coding: null, math: null });
    // v2-only values are not converted
    expect(must('google-ai-studio', 'gemini-2.5-pro').scores.intelligence).toBeNull();
  });

  it('priors: per-host speed figures where intelligence-scores.md has them, provider defaults otherwise', () => {
    expect(must('cerebras', 'gpt-oss-120b').priors).toEqual({ ttftMs: 1540, tokensPerSecond: 1844.1 });
    expect(must('groq', 'openai/gpt-oss-120b').priors).toEqual({ ttftMs: 4950, tokensPerSecond: 500 });
    expect(must('openai', 'gpt-5').priors).toEqual({ ttftMs: 890, tokensPerSecond: 80 });
    expect(must('anthropic', 'claude-haiku-4-5').priors).toEqual({ ttftMs: 480, tokensPerSecond: 53 });
    expect(must('anthropic', 'claude-sonnet-4-6').priors).toEqual({ ttftMs: 1200, tokensPerSecond: 60 });
    expect(must('anthropic', 'claude-sonnet-4-6').sources['priors.ttftMs']).toContain('default for provider anthropic');
  });
});

describe('lookups', () => {
  it('get matches ids and aliases case-insensitively, per provider', () => {
    expect(catalog.get('groq', 'OPENAI/GPT-OSS-120B')?.id).toBe('openai/gpt-oss-120b');
    expect(catalog.get('groq', 'gpt-oss-120b')?.id).toBe('openai/gpt-oss-120b');
    expect(catalog.get('openai', 'claude-sonnet-4-6')).toBeUndefined();
    expect(catalog.get('nope', 'gpt-5')).toBeUndefined();
  });

  it('providersFor finds every host of a bare id', () => {
    const hosts = (id: string) => catalog.providersFor(id).map((m) => m.provider).sort();
    expect(hosts('gpt-oss-120b')).toEqual(['cerebras', 'deepinfra', 'fireworks', 'groq', 'openrouter', 'together']);
    expect(hosts('llama-3.3-70b')).toEqual(['deepinfra', 'groq', 'openrouter', 'together']);
    expect(hosts('kimi-k2.6')).toEqual(['deepinfra', 'fireworks', 'openrouter', 'together']);
    expect(hosts('deepseek-v4-pro')).toEqual(['deepinfra', 'deepseek', 'fireworks', 'together']);
    expect(hosts('claude-sonnet-4-6')).toEqual(['anthropic', 'openrouter']);
    expect(hosts('Claude-Sonnet-4-5-20250929')).toEqual(['anthropic', 'openrouter']);
    expect(hosts('gemini-2.5-flash')).toEqual(['google-ai-studio', 'openrouter']);
    expect(hosts('llama-3.3-70b-versatile')).toEqual(['groq']);
    expect(catalog.providersFor('no-such-model')).toEqual([]);
    const gptOss = catalog.providersFor('gpt-oss-120b');
    expect(gptOss.find((m) => m.provider === 'fireworks')?.id).toBe('accounts/fireworks/models/gpt-oss-120b');
  });

  it('closest suggests routable names for typos and nothing for gibberish', () => {
    expect(catalog.closest('claude-sonet-4-6')[0]).toBe('claude-sonnet-4-6');
    expect(catalog.closest('gpt5')[0]).toBe('gpt-5');
    expect(catalog.closest('gemini-2.5-flahs')[0]).toBe('gemini-2.5-flash');
    expect(catalog.closest('groq/llama3.3')[0]).toBe('groq/llama-3.3-70b-versatile');
    expect(catalog.closest('claude-opus-4.8', 3)).toHaveLength(3);
    expect(catalog.closest('zzzzqqqq-xxxx')).toEqual([]);
    // OpenRouter's `anthropic/...` ids would be read as provider `anthropic`: only the `openrouter/...` form is offered.
    expect(catalog.closest('claude-sonnet-4.6')).not.toContain('anthropic/claude-sonnet-4.6');
  });
});

describe('config overrides', () => {
  it('overrides limits and prices of a known entry without touching the original', () => {
    const next = catalog.withOverrides([
      { provider: 'anthropic', id: 'claude-sonnet-4-5-20250929', context: 500_000, price: { input: 2, cache_write: 2.5 } },
    ]);
    const m = next.get('anthropic', 'claude-sonnet-4-5');
    expect(m?.context).toBe(500_000);
    expect(m?.price).toEqual({ input: 2, output: 15, cacheRead: 0.3, cacheWrite: 2.5 });
    expect(m?.sources.price).toMatch(/^config/);
    expect(must('anthropic', 'claude-sonnet-4-5').price.input).toBe(3);
    expect(must('anthropic', 'claude-sonnet-4-5').context).toBe(200_000);
    expect(next.all().length).toBe(catalog.all().length);
  });

  it('adds an unknown custom model with documented defaults', () => {
    const next = catalog.withOverrides([{ provider: 'my-vllm', id: 'qwen2.5-coder:32b', max_output: 4096, price: { input: 0.1, output: 0.2 } }]);
    const m = next.get('my-vllm', 'qwen2.5-coder:32b');
    expect(m).toMatchObject({
      provider: 'my-vllm',
      context: CUSTOM_MODEL_DEFAULTS.context,
      maxOutput: 4096,
      price: { input: 0.1, output: 0.2 },
      scores: { intelligence: null, coding: null, math: null },
      capabilities: { tools: true, vision: false, reasoning: false, jsonSchema: false, pdf: false },
    });
    expect(next.forProvider('my-vllm')).toHaveLength(1);
    expect(catalog.get('my-vllm', 'qwen2.5-coder:32b')).toBeUndefined();
  });

  it('a custom provider serving a known id inherits its non-price facts and joins providersFor', () => {
    const next = catalog.withOverrides([{ provider: 'gateway2', id: 'claude-sonnet-4-6' }]);
    const m = next.get('gateway2', 'claude-sonnet-4-6');
    expect(m?.context).toBe(1_000_000);
    expect(m?.capabilities.tools).toBe(true);
    expect(m?.price).toEqual({ input: 0, output: 0 });
    expect(next.providersFor('claude-sonnet-4-6').map((x) => x.provider)).toContain('gateway2');
  });

  it('rejects invalid entries', () => {
    expect(() => catalog.withOverrides([{ provider: 'x', id: '', context: 10 }])).toThrow(/invalid catalog override/);
    expect(() => catalog.withOverrides([{ provider: 'x', id: 'm', price: { input: -1 } }])).toThrow(/invalid catalog override/);
    expect(catalog.withOverrides([])).toBe(catalog);
  });
});

describe('toHostedModelJson', () => {
  it('matches the documented GET /llm/v1alpha/models entry for gemini-2.5-flash', () => {
    const json = toHostedModelJson(must('google-ai-studio', 'gemini-2.5-flash')) as Record<string, unknown>;
    expect(json).toMatchObject({
      model: 'gemini-2.5-flash',
      provider: 'google-ai-studio',
      modelCreator: 'Google',
      isSupported: true,
      pricing: { prompt: 3e-7, completion: 0.0000025, promptToken: 3e-7, completionToken: 0.0000025 },
      spec: {
        inputModalities: ['text', 'image', 'audio', 'video'],
        outputModalities: ['text'],
        contextLength: 1048576,
        capabilities: { functionCalling: true, reasoning: true },
      },
    });
  });

  it('carries reasoning levels, tiers and scores', () => {
    const json = toHostedModelJson(must('openai', 'gpt-5.4')) as {
      spec: { capabilities: { reasoningCapability?: { supportedLevels: string[] } } };
      pricing: { tiers?: unknown[] };
      scores: unknown;
    };
    expect(json.spec.capabilities.reasoningCapability?.supportedLevels).toContain('EFFORT_LOW');
    expect(json.pricing.tiers).toEqual([{ aboveContextTokens: 272000, prompt: 0.000005, completion: 0.0000225, cacheRead: 5e-7 }]);
    expect(json.scores).toEqual({ intelligence: 56.8, coding: null, math: null });
  });
});

describe('generator', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'catalog-gen-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('fails clearly when the shared data is absent', () => {
    const r = spawnSync(process.execPath, [GENERATOR, '--data-dir', path.join(tmp, 'missing'), '--out', path.join(tmp, 'x.json')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/genai-prices-v2-data\.json not found/);
  });

  it.skipIf(!HAVE_SHARED)(`is deterministic and matches the committed catalog.data.json${HAVE_SHARED ? '' : ' (SKIPPED: ../shared/data absent)'}`, () => {
    const a = path.join(tmp, 'a.json');
    const b = path.join(tmp, 'b.json');
    execFileSync(process.execPath, [GENERATOR, '--out', a], { encoding: 'utf8' });
    execFileSync(process.execPath, [GENERATOR, '--out', b], { encoding: 'utf8' });
    const first = readFileSync(a, 'utf8');
    expect(readFileSync(b, 'utf8')).toBe(first);
    expect(readFileSync(DATA_FILE, 'utf8'), 'catalog.data.json is stale: run npm run catalog').toBe(first);
  });
});
