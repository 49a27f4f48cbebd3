import { describe, expect, it } from 'vitest';
import { tokenizerFamilyFor } from './family.js';

describe('tokenizerFamilyFor', () => {
  it.each([
    ['openai', 'gpt-4o', 'openai-o200k'],
    ['openai', 'gpt-4o-mini-2024-07-18', 'openai-o200k'],
    ['openai', 'gpt-4.1-nano', 'openai-o200k'],
    ['openai', 'gpt-5', 'openai-o200k'],
    ['openai', 'gpt-5.6-sol', 'openai-o200k'],
    ['openai', 'o1', 'openai-o200k'],
    ['openai', 'o3-mini', 'openai-o200k'],
    ['openai', 'o4-mini-2025-04-16', 'openai-o200k'],
    ['groq', 'openai/gpt-oss-120b', 'openai-o200k'],
    ['openrouter', 'openai/gpt-4o', 'openai-o200k'],
    ['openai', 'gpt-4', 'openai-cl100k'],
    ['openai', 'gpt-4-turbo-2024-04-09', 'openai-cl100k'],
    ['openai', 'gpt-3.5-turbo', 'openai-cl100k'],
    ['anthropic', 'claude-sonnet-4-5', 'anthropic'],
    ['bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic'],
    ['openrouter', 'anthropic/claude-opus-4-8', 'anthropic'],
    ['google-ai-studio', 'gemini-2.5-pro', 'gemini'],
    ['vertex', 'publishers/google/models/gemini-3-pro-preview', 'gemini'],
    ['groq', 'gemma2-9b-it', 'gemini'],
    ['groq', 'llama-3.3-70b-versatile', 'generic'],
    ['deepseek', 'deepseek-reasoner', 'generic'],
    ['mistral', 'magistral-medium-latest', 'generic'],
    // The model id says nothing: the provider decides.
    ['anthropic', 'my-proxy-alias', 'anthropic'],
    ['google-ai-studio', 'custom-tuned-model', 'gemini'],
    ['azure-openai', 'my-deployment', 'openai-o200k'],
    ['local', 'my-model', 'generic'],
  ])('%s / %s → %s', (provider, model, family) => {
    expect(tokenizerFamilyFor(provider, model)).toBe(family);
  });

  it('does not mistake names that merely start with o and a digit-free word', () => {
    expect(tokenizerFamilyFor('x', 'olmo-2-13b')).toBe('generic');
    expect(tokenizerFamilyFor('x', 'o1')).toBe('openai-o200k');
  });
});
