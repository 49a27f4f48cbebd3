import { describe, expect, it } from 'vitest';
import { applyGenerationConfig, callerParams, mergeGenerationConfig } from './generation.js';
import { request } from './test-helpers.js';

describe('mergeGenerationConfig: caller > variant > router defaults', () => {
  const routerDefaults = { maxTokens: 1024, temperature: 0.7, topP: 0.9 };

  it('uses the router defaults when the variant has no config', () => {
    expect(mergeGenerationConfig(routerDefaults, undefined, {})).toEqual({
      params: { maxTokens: 1024, temperature: 0.7, topP: 0.9 },
      sources: { maxTokens: 'router', temperature: 'router', topP: 'router' },
    });
  });

  it("a variant's config replaces the router defaults entirely (no field merge)", () => {
    const m = mergeGenerationConfig(routerDefaults, { temperature: 0.2 }, {});
    expect(m.params).toEqual({ temperature: 0.2 });
    expect(m.params.maxTokens).toBeUndefined();
    expect(m.sources).toEqual({ temperature: 'variant' });
  });

  it("the caller's own parameters win over both", () => {
    const m = mergeGenerationConfig(routerDefaults, { temperature: 0.2, seed: 42, stopSequences: ['END'] }, { temperature: 1, maxTokens: 50 });
    expect(m.params).toEqual({ maxTokens: 50, temperature: 1, seed: 42, stopSequences: ['END'] });
    expect(m.sources).toEqual({ maxTokens: 'caller', temperature: 'caller', seed: 'variant', stopSequences: 'variant' });
  });

  it('an empty variant config still replaces the defaults', () => {
    expect(mergeGenerationConfig(routerDefaults, {}, {}).params).toEqual({});
  });
});

describe('callerParams and applyGenerationConfig', () => {
  it("reads the caller's parameters from the canonical request, including OpenAI-only ones", () => {
    const req = request({
      maxTokens: 100,
      temperature: 0.5,
      stop: ['x'],
      reasoningEffort: 'low',
      extensions: { openai: { frequency_penalty: 0.5, logit_bias: { '42': -10 } } },
    });
    expect(callerParams(req)).toEqual({
      maxTokens: 100,
      temperature: 0.5,
      stopSequences: ['x'],
      frequencyPenalty: 0.5,
      logitBias: [{ tokenId: '42', biasValue: -10 }],
      reasoning: { effort: 'low' },
    });
  });

  it('writes only parameters the caller did not set; OpenAI-only ones into extensions.openai', () => {
    const req = request({ temperature: 0.5, extensions: { openai: { logprobs: true } } });
    const merged = mergeGenerationConfig(
      undefined,
      {
        maxTokens: 256,
        temperature: 0.1,
        topP: 0.8,
        seed: 7,
        stopSequences: ['\n\n'],
        presencePenalty: 0.3,
        logitBias: [{ tokenId: '50256', biasValue: -100 }],
        reasoning: { effort: 'high', maxTokens: 2048 },
      },
      callerParams(req),
    );
    const out = applyGenerationConfig(req, merged);
    expect(out).toMatchObject({ maxTokens: 256, temperature: 0.5, topP: 0.8, seed: 7, stop: ['\n\n'], reasoningEffort: 'high', thinking: { type: 'enabled', budgetTokens: 2048 } });
    expect(out.extensions.openai).toEqual({ logprobs: true, presence_penalty: 0.3, logit_bias: { '50256': -100 } });
    expect(req.maxTokens).toBeUndefined();
    expect(req.extensions.openai).toEqual({ logprobs: true });
  });

  it("leaves the caller's reasoning alone, and ignores effort 'unspecified'", () => {
    const withThinking = request({ thinking: { type: 'enabled', budgetTokens: 500 } });
    const out = applyGenerationConfig(withThinking, mergeGenerationConfig(undefined, { reasoning: { effort: 'high' } }, callerParams(withThinking)));
    expect(out.thinking).toEqual({ type: 'enabled', budgetTokens: 500 });
    expect(out.reasoningEffort).toBeUndefined();
    const plain = request();
    expect(applyGenerationConfig(plain, mergeGenerationConfig(undefined, { reasoning: { effort: 'unspecified' } }, {})).reasoningEffort).toBeUndefined();
  });
});
