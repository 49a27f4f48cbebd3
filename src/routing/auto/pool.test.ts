import { describe, expect, it } from 'vitest';
import { Catalog } from '../catalog/index.js';
import { expandPool } from './index.js';

const catalog = Catalog.builtin();
const key = (p: { provider: string; model: { id: string } }) => `${p.provider}/${p.model.id}`;

describe('expandPool', () => {
  it('without models: every catalog model of every configured provider', () => {
    const { pool, unknown } = expandPool(catalog, ['groq', 'cerebras']);
    expect(pool.map(key)).toEqual([...catalog.forProvider('groq'), ...catalog.forProvider('cerebras')].map((m) => `${m.provider}/${m.id}`));
    expect(unknown).toEqual([]);
    expect(expandPool(catalog, []).pool).toEqual([]);
  });

  it('expands a provider name to all of its models', () => {
    const { pool } = expandPool(catalog, ['anthropic', 'groq'], ['groq']);
    expect(pool.map((p) => p.provider)).toEqual(catalog.forProvider('groq').map(() => 'groq'));
    expect(pool).toHaveLength(catalog.forProvider('groq').length);
  });

  it('takes provider/model by id or alias', () => {
    const { pool, unknown } = expandPool(catalog, ['anthropic', 'groq'], ['anthropic/claude-sonnet-4-5-20250929', 'groq/gpt-oss-120b']);
    expect(pool.map(key)).toEqual(['anthropic/claude-sonnet-4-5', 'groq/openai/gpt-oss-120b']);
    expect(unknown).toEqual([]);
  });

  it('expands a bare id to every configured provider serving it', () => {
    const { pool } = expandPool(catalog, ['groq', 'cerebras', 'deepinfra', 'anthropic'], ['gpt-oss-120b']);
    expect(pool.map(key).sort()).toEqual(['cerebras/gpt-oss-120b', 'deepinfra/openai/gpt-oss-120b', 'groq/openai/gpt-oss-120b']);
    expect(expandPool(catalog, ['anthropic', 'openrouter'], ['claude-opus-4-8']).pool.map(key).sort()).toEqual(['anthropic/claude-opus-4-8', 'openrouter/anthropic/claude-opus-4.8']);
  });

  it('reads a host-prefixed id as a bare id when its prefix is not a configured provider', () => {
    // OpenRouter's id `openai/gpt-5`: with openai configured it means OpenAI's gpt-5; without, OpenRouter's.
    expect(expandPool(catalog, ['openrouter'], ['openai/gpt-5']).pool.map(key)).toEqual(['openrouter/openai/gpt-5']);
    expect(expandPool(catalog, ['openai', 'openrouter'], ['openai/gpt-5']).pool.map(key)).toEqual(['openai/gpt-5']);
  });

  it('reports entries no configured provider serves, and drops duplicates', () => {
    const { pool, unknown } = expandPool(catalog, ['groq'], ['groq', 'groq/llama-3.3-70b-versatile', 'anthropic', 'anthropic/claude-opus-4-8', 'no-such-model', 'claude-opus-4-8']);
    expect(pool).toHaveLength(catalog.forProvider('groq').length);
    expect(unknown).toEqual(['anthropic', 'anthropic/claude-opus-4-8', 'no-such-model', 'claude-opus-4-8']);
  });

  it('includes config-declared models through the catalog overrides', () => {
    const withCustom = catalog.withOverrides([{ provider: 'my-vllm', id: 'qwen2.5-coder:32b', context: 32768 }]);
    const { pool } = expandPool(withCustom, ['my-vllm', 'groq'], ['my-vllm']);
    expect(pool.map(key)).toEqual(['my-vllm/qwen2.5-coder:32b']);
    expect(pool[0].model.context).toBe(32768);
  });
});
