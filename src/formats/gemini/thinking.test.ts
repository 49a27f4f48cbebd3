import { describe, expect, it } from 'vitest';
import { decodeThinking, thinkingStyle, validatesThoughtSignatures } from './thinking.js';

describe('thinkingStyle', () => {
  it('decides by model id', () => {
    expect(['gemini-2.5-pro', 'gemini-2.5-flash-lite', 'models/gemini-2.5-flash-preview-09-2025'].map(thinkingStyle)).toEqual(['budget', 'budget', 'budget']);
    expect(['gemini-3-pro-preview', 'gemini-3.1-pro-preview', 'gemini-3-flash-preview', 'Gemini-4-Ultra'].map(thinkingStyle)).toEqual(['level', 'level', 'level', 'level']);
    expect(['gemini-2.0-flash', 'gemini-1.5-pro', 'gemma-3-27b-it', 'learnlm-2.0-flash-experimental', 'gemini-flash-latest'].map(thinkingStyle)).toEqual(['none', 'none', 'none', 'none', 'none']);
    expect(validatesThoughtSignatures('gemini-3-pro-preview')).toBe(true);
    expect(validatesThoughtSignatures('gemini-2.5-pro')).toBe(false);
  });
});

describe('decodeThinking', () => {
  it('reads budgets, levels and whether thoughts are shown', () => {
    expect(decodeThinking({ thinkingBudget: 0 })).toEqual({ thinking: { type: 'disabled' } });
    expect(decodeThinking({ thinkingBudget: 2048, includeThoughts: true })).toEqual({ thinking: { type: 'enabled', budgetTokens: 2048 } });
    expect(decodeThinking({ thinkingBudget: 2048 })).toEqual({ thinking: { type: 'enabled', budgetTokens: 2048, display: 'omitted' } });
    expect(decodeThinking({ thinkingBudget: -1, includeThoughts: true })).toEqual({ thinking: { type: 'adaptive' } });
    expect(decodeThinking({ thinkingLevel: 'LOW', includeThoughts: true })).toEqual({ thinking: { type: 'adaptive' }, reasoningEffort: 'low' });
    expect(decodeThinking({ thinkingLevel: 'HIGH' })).toEqual({ thinking: { type: 'adaptive', display: 'omitted' }, reasoningEffort: 'high' });
    expect(decodeThinking({ includeThoughts: true })).toEqual({ thinking: { type: 'adaptive' } });
    expect(decodeThinking({})).toEqual({});
  });
});
