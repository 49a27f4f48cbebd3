import { describe, expect, it } from 'vitest';
import { Catalog, type CatalogModel, type CatalogPrice } from '../../routing/catalog/index.js';
import type { AttemptRecord, RequestRecord, TokenUsage } from '../record.js';
import { priceRecord } from './index.js';

function entry(provider: string, id: string, price: CatalogPrice, aliases?: string[]): CatalogModel {
  return {
    id,
    provider,
    name: id,
    context: 200_000,
    maxOutput: 8192,
    modalities: { input: ['text'], output: ['text'] },
    capabilities: { tools: true, vision: false, reasoning: false, jsonSchema: false, pdf: false },
    price,
    scores: { intelligence: null, coding: null, math: null },
    priors: { ttftMs: 500, tokensPerSecond: 50 },
    ...(aliases ? { aliases } : {}),
    sources: {},
  };
}

const catalog = Catalog.fromModels([
  entry('anthropic', 'claude-test', { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 }, ['claude-test-20250101']),
  entry('openai', 'gpt-test', { input: 2, output: 8, cacheRead: 0.5 }),
  entry('cheap', 'tenth', { input: 0.1, output: 0 }),
  entry('cheap', 'fifth', { input: 0.2, output: 0 }),
  entry('openrouter', 'anthropic/claude-test', { input: 3.3, output: 16.5 }),
]).withOverrides([{ provider: 'local', id: 'llama-local' }]);

const usage = (u: Partial<TokenUsage>): TokenUsage => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, ...u });

function attempt(provider: string, model: string, u?: TokenUsage | null): AttemptRecord {
  return { provider, model, status: 200, success: u !== undefined, errorClass: null, error: null, ttftMs: 100, durationMs: 200, ...(u !== undefined ? { usage: u } : {}) };
}

function record(r: Partial<RequestRecord>): RequestRecord {
  return {
    id: 'req_1', time: 0, keyId: null, keyName: null, api: 'anthropic', endpoint: 'messages', client: null, requestedModel: null,
    model: null, provider: null, status: 200, errorClass: null, error: null, stream: false, stopReason: null, usage: null,
    costUsd: null, overheadMs: null, ttftMs: null, generationMs: null, durationMs: 300, attempts: [], routing: null, metadata: null,
    bodies: null, ...r,
  };
}

describe('priceRecord', () => {
  it('prices the answering attempt by its provider and model, and the record with it', () => {
    const u = usage({ input: 1000, cacheRead: 10_000, cacheWrite: 3000, cacheWrite1h: 2000, output: 500 });
    const r = record({ provider: 'anthropic', model: 'anthropic/claude-test', usage: u, attempts: [attempt('anthropic', 'claude-test', u)] });
    priceRecord(r, catalog);
    // 1000 in × $3/M + 10000 cache read × $0.3/M + 1000 5m writes × $3.75/M + 2000 1h writes × $6/M + 500 out × $15/M
    // = (3000 + 3000 + 3750 + 12000 + 7500) / 1e6 = 0.02925
    expect(r.attempts[0].costUsd).toBe(0.02925);
    expect(r.costUsd).toBe(0.02925);
  });

  it('leaves failed attempts without usage unpriced and prices the one that answered after failover', () => {
    const u = usage({ input: 2000, output: 100 });
    const r = record({ provider: 'openai', model: 'openai/gpt-test', usage: u, attempts: [attempt('anthropic', 'claude-test'), attempt('openai', 'gpt-test', u)] });
    priceRecord(r, catalog);
    expect(r.attempts[0].costUsd).toBeUndefined();
    // 2000 in × $2/M + 100 out × $8/M = (4000 + 800) / 1e6 = 0.0048
    expect(r.attempts[1].costUsd).toBe(0.0048);
    expect(r.costUsd).toBe(0.0048);
  });

  it('sums several priced attempts without float noise', () => {
    const r = record({ attempts: [attempt('cheap', 'tenth', usage({ input: 1 })), attempt('cheap', 'fifth', usage({ input: 1 }))] });
    priceRecord(r, catalog);
    // 1 in × $0.1/M = 1e-7 and 1 in × $0.2/M = 2e-7; the sum is 3e-7 (in floats 1e-7 + 2e-7 = 3.0000000000000004e-7)
    expect(r.attempts.map((a) => a.costUsd)).toEqual([1e-7, 2e-7]);
    expect(r.costUsd).toBe(3e-7);
  });

  it('finds the model by an alias, case-insensitively', () => {
    const r = record({ attempts: [attempt('anthropic', 'Claude-Test-20250101', usage({ input: 1_000_000 }))] });
    priceRecord(r, catalog);
    // 1000000 in × $3/M = 3
    expect(r.costUsd).toBe(3);
  });

  it('is null for a model without a catalog entry, and leaves it out of a sum that has a priced part', () => {
    const alone = record({ attempts: [attempt('anthropic', 'claude-unknown', usage({ input: 1000 }))] });
    priceRecord(alone, catalog);
    expect(alone.attempts[0].costUsd).toBeNull();
    expect(alone.costUsd).toBeNull();

    const mixed = record({ attempts: [attempt('anthropic', 'claude-unknown', usage({ input: 1000 })), attempt('openai', 'gpt-test', usage({ input: 1000 }))] });
    priceRecord(mixed, catalog);
    expect(mixed.attempts[0].costUsd).toBeNull();
    // 1000 in × $2/M = 0.002
    expect(mixed.costUsd).toBe(0.002);
  });

  it('prices a config-declared model without prices at 0, not null', () => {
    const r = record({ attempts: [attempt('local', 'llama-local', usage({ input: 5000, output: 5000 }))] });
    priceRecord(r, catalog);
    expect(r.attempts[0].costUsd).toBe(0);
    expect(r.costUsd).toBe(0);
  });

  it('prices record.usage by the served `provider/model` when no attempt carries usage', () => {
    const r = record({ provider: 'anthropic', model: 'anthropic/claude-test', usage: usage({ input: 1000, output: 100 }), attempts: [attempt('anthropic', 'claude-test', null)] });
    priceRecord(r, catalog);
    // 1000 in × $3/M + 100 out × $15/M = (3000 + 1500) / 1e6 = 0.0045
    expect(r.costUsd).toBe(0.0045);
    expect(r.attempts[0].costUsd).toBeUndefined();
  });

  it('strips only the provider prefix from a served model whose id has a slash of its own', () => {
    const r = record({ provider: 'openrouter', model: 'openrouter/anthropic/claude-test', usage: usage({ input: 1000, output: 100 }) });
    priceRecord(r, catalog);
    // 1000 in × $3.3/M + 100 out × $16.5/M = (3300 + 1650) / 1e6 = 0.00495
    expect(r.costUsd).toBe(0.00495);
  });

  it('is null when nothing reports usage', () => {
    const r = record({ provider: 'openai', model: 'openai/gpt-test', costUsd: 1, attempts: [attempt('openai', 'gpt-test', null)] });
    priceRecord(r, catalog);
    expect(r.costUsd).toBeNull();
    expect(r.attempts[0].costUsd).toBeUndefined();
  });

  it('costs 0 for count_tokens, which reports input tokens but is not billed', () => {
    const u = usage({ input: 12_000 });
    const r = record({ endpoint: 'count_tokens', provider: 'anthropic', model: 'anthropic/claude-test', usage: u, attempts: [attempt('anthropic', 'claude-test', u)] });
    priceRecord(r, catalog);
    expect(r.attempts[0].costUsd).toBe(0);
    expect(r.costUsd).toBe(0);

    const fromRecord = record({ endpoint: 'count_tokens', provider: 'anthropic', model: 'anthropic/claude-test', usage: u });
    priceRecord(fromRecord, catalog);
    expect(fromRecord.costUsd).toBe(0);
  });
});
