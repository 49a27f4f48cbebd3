import { describe, expect, it } from 'vitest';
import { Catalog } from '../catalog/index.js';
import { parseSort, type SortCriterion } from '../routers/index.js';
import { expandPool, expectedPrice, selectAuto, type AutoResult } from './index.js';
import { entry, model, names, needs } from './test-helpers.js';

// Expected prices at 1000 input tokens and the default 1000 expected output tokens:
// alpha 0.04, beta 0.005, gamma 0.0005, delta 0.018, eps 0.0005.
const alpha = model('a', 'alpha', { price: [10, 30], ttft: 1000, tps: 50, intelligence: 60, coding: 80, math: null });
const beta = model('a', 'beta', { price: [1, 4], ttft: 300, tps: 200, intelligence: 40, coding: null, math: 70 });
const gamma = model('b', 'gamma', { price: [0.1, 0.4], ttft: 800, tps: 1000, intelligence: null, coding: 50, math: 90 });
const delta = model('b', 'delta', { price: [3, 15], ttft: 500, tps: 100, intelligence: 60, coding: 70, math: 60 });
const eps = model('c', 'eps', { price: [0.1, 0.4], ttft: 2000, tps: 80, intelligence: 20, coding: 30, math: null });
const POOL = [alpha, beta, gamma, delta, eps].map(entry);

function sorted(sort: unknown): string[] {
  const parsed = parseSort(sort);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return names(selectAuto({ pool: POOL, sort: parsed.sort, needs: needs() }));
}

describe('selectAuto ranking', () => {
  it.each<[string, unknown, string[]]>([
    ['price (ascending by default; equal prices: faster first)', ['price'], ['b/gamma', 'c/eps', 'a/beta', 'b/delta', 'a/alpha']],
    ['price descending', [{ metric: 'price', direction: 'descending' }], ['a/alpha', 'b/delta', 'a/beta', 'b/gamma', 'c/eps']],
    ['latency (ascending by default)', ['latency'], ['a/beta', 'b/delta', 'b/gamma', 'a/alpha', 'c/eps']],
    ['latency descending', [{ metric: 'latency', direction: 'descending' }], ['c/eps', 'a/alpha', 'b/gamma', 'b/delta', 'a/beta']],
    ['throughput (descending by default)', ['throughput'], ['b/gamma', 'a/beta', 'b/delta', 'c/eps', 'a/alpha']],
    ['throughput ascending', [{ metric: 'SORT_METRIC_THROUGHPUT', direction: 'SORT_DIRECTION_ASCENDING' }], ['a/alpha', 'c/eps', 'b/delta', 'a/beta', 'b/gamma']],
    ['intelligence alone: 60/60 tie broken by exact values then latency; null last', ['intelligence'], ['b/delta', 'a/alpha', 'a/beta', 'c/eps', 'b/gamma']],
    ['intelligence ascending: null still last', [{ metric: 'intelligence', direction: 'ascending' }], ['c/eps', 'a/beta', 'b/delta', 'a/alpha', 'b/gamma']],
    ['coding', ['coding'], ['a/alpha', 'b/delta', 'b/gamma', 'c/eps', 'a/beta']],
    ['coding ascending', [{ metric: 'coding', direction: 'ascending' }], ['c/eps', 'b/gamma', 'b/delta', 'a/alpha', 'a/beta']],
    ['math (two nulls tie, faster first)', ['math'], ['b/gamma', 'a/beta', 'b/delta', 'a/alpha', 'c/eps']],
    ['math ascending', [{ metric: 'math', direction: 'ascending' }], ['b/delta', 'a/beta', 'b/gamma', 'a/alpha', 'c/eps']],
    ['intelligence then price', ['intelligence', 'price'], ['b/delta', 'a/alpha', 'a/beta', 'c/eps', 'b/gamma']],
    ['intelligence then price descending', ['intelligence', { metric: 'price', direction: 'descending' }], ['a/alpha', 'b/delta', 'a/beta', 'c/eps', 'b/gamma']],
    ['intelligence then latency descending', ['intelligence', { metric: 'latency', direction: 'descending' }], ['a/alpha', 'b/delta', 'a/beta', 'c/eps', 'b/gamma']],
    ['price then latency descending: the equal-price pair flips', ['price', { metric: 'latency', direction: 'descending' }], ['c/eps', 'b/gamma', 'a/beta', 'b/delta', 'a/alpha']],
    ['math then intelligence: the null-math pair ordered by intelligence', ['math', 'intelligence'], ['b/gamma', 'a/beta', 'b/delta', 'a/alpha', 'c/eps']],
    ['coding, price, latency (the hosted docs example)', ['coding', 'price', 'latency'], ['a/alpha', 'b/delta', 'b/gamma', 'c/eps', 'a/beta']],
  ])('%s', (_label, sort, expected) => {
    expect(sorted(sort)).toEqual(expected);
  });

  it('defaults to intelligence descending then price ascending', () => {
    const r = selectAuto({ pool: POOL, needs: needs() });
    expect(names(r)).toEqual(['b/delta', 'a/alpha', 'a/beta', 'c/eps', 'b/gamma']);
    expect(r.sort).toEqual([
      { metric: 'intelligence', direction: 'descending' },
      { metric: 'price', direction: 'ascending' },
    ]);
    expect(names(selectAuto({ pool: POOL, sort: [], needs: needs() }))).toEqual(names(r));
  });

  it('takes the router form through parseSort', () => {
    expect(sorted([{ metric: 'SORT_METRIC_PRICE', direction: 'SORT_DIRECTION_DESCENDING' }])).toEqual(['a/alpha', 'b/delta', 'a/beta', 'b/gamma', 'c/eps']);
    expect(sorted([{ metric: 'SORT_METRIC_PRICE', direction: 'SORT_DIRECTION_ASCENDING' }])).toEqual(sorted(['price']));
    expect(sorted([{ metric: 'SORT_METRIC_LATENCY', direction: 'SORT_DIRECTION_UNSPECIFIED' }])).toEqual(sorted(['latency']));
    expect(sorted([{ metric: 'SORT_METRIC_CODING' }, { metric: 'SORT_METRIC_PRICE', direction: 'SORT_DIRECTION_ASCENDING' }])).toEqual(sorted(['coding', 'price']));
  });

  it('reports the metrics of every ranked model', () => {
    const r = selectAuto({ pool: POOL, sort: [{ metric: 'price' }], needs: needs() });
    const a = r.ranked.find((x) => x.model === 'alpha')!;
    expect(a).toMatchObject({ provider: 'a', rank: 5, ttftMs: 1000, ttftSource: 'prior', throughput: 50, throughputSource: 'prior', scores: { intelligence: 60, coding: 80, math: null } });
    expect(a.price).toBeCloseTo(0.04, 12);
    expect(r.ranked.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5]);
  });

  it('does not depend on the order of the pool, and drops duplicates', () => {
    const shuffled = [POOL[3], POOL[0], POOL[4], POOL[1], POOL[2], POOL[0]];
    for (const sort of [['price'], ['latency'], ['intelligence', 'price'], ['math']]) {
      const parsed = parseSort(sort);
      if (!parsed.ok) throw new Error('bad sort');
      expect(names(selectAuto({ pool: shuffled, sort: parsed.sort, needs: needs() }))).toEqual(sorted(sort));
    }
  });
});

describe('continuous metrics tie within 5%', () => {
  // Prices at 1000 in / 1000 out tokens with price [p, p]: 2p/1000 USD.
  const x = model('p', 'x', { price: [1, 1], intelligence: 10, ttft: 900 });
  const y = model('p', 'y', { price: [1.04, 1.04], intelligence: 30, ttft: 900 }); // within 5% of x
  const z = model('p', 'z', { price: [1.08, 1.08], intelligence: 50, ttft: 900 }); // within 5% of y, not of x
  const w = model('p', 'w', { price: [1.2, 1.2], intelligence: 90, ttft: 900 });
  const pool = [w, z, y, x].map(entry);

  it('lets the next criterion order models within 5% of the group best', () => {
    expect(names(selectAuto({ pool, sort: [{ metric: 'price' }, { metric: 'intelligence' }], needs: needs() }))).toEqual(['p/y', 'p/x', 'p/z', 'p/w']);
  });

  it('anchors groups at their best value (z is within 5% of y but not of x, so it starts the next group)', () => {
    const r = selectAuto({ pool, sort: [{ metric: 'price' }, { metric: 'intelligence' }], needs: needs() });
    expect(names(r).indexOf('p/z')).toBeGreaterThan(names(r).indexOf('p/x'));
  });

  it('keeps the exact order when no later criterion separates them', () => {
    const r = selectAuto({ pool, sort: [{ metric: 'price' }], needs: needs() });
    expect(names(r)).toEqual(['p/x', 'p/y', 'p/z', 'p/w']);
    expect(r.reasoning).toContain('Picked p/x for the lowest expected price ($0.002 vs $0.00208 for p/y, inside the 5% tie margin');
  });

  it('works the same for descending throughput', () => {
    const fast = model('t', 'fast', { tps: 1000, intelligence: 1 });
    const nearly = model('t', 'nearly', { tps: 960, intelligence: 2 });
    const slow = model('t', 'slow', { tps: 900, intelligence: 3 });
    const r = selectAuto({ pool: [fast, nearly, slow].map(entry), sort: [{ metric: 'throughput' }, { metric: 'intelligence' }], needs: needs() });
    expect(names(r)).toEqual(['t/nearly', 't/fast', 't/slow']);
  });

  it('compares scores exactly', () => {
    const a = model('s', 'a', { intelligence: 50, price: [5, 5] });
    const b = model('s', 'b', { intelligence: 49.9, price: [1, 1] });
    expect(names(selectAuto({ pool: [a, b].map(entry), needs: needs() }))).toEqual(['s/a', 's/b']);
  });
});

describe('price for this request', () => {
  it('blends input and min(max_tokens, 1000) output tokens', () => {
    const m = model('p', 'm', { price: [2, 10] });
    expect(expectedPrice(m, { inputTokens: 5000 })).toBeCloseTo((5000 * 2 + 1000 * 10) / 1e6, 12);
    expect(expectedPrice(m, { inputTokens: 5000, maxTokens: 200 })).toBeCloseTo((5000 * 2 + 200 * 10) / 1e6, 12);
    expect(expectedPrice(m, { inputTokens: 5000, maxTokens: 64000 })).toBeCloseTo((5000 * 2 + 1000 * 10) / 1e6, 12);
  });

  it('uses the long-context tier the prompt size selects', () => {
    const tiered = { ...model('p', 'tiered', { price: [3, 15] }), price: { input: 3, output: 15, tiers: [{ threshold: 200_000, input: 6, output: 22.5 }] } };
    expect(expectedPrice(tiered, { inputTokens: 100_000 })).toBeCloseTo((100_000 * 3 + 1000 * 15) / 1e6, 12);
    expect(expectedPrice(tiered, { inputTokens: 300_000 })).toBeCloseTo((300_000 * 6 + 1000 * 22.5) / 1e6, 12);
    // A big prompt makes the tiered model dearer than a flat one it beats on small prompts.
    const flat = model('p', 'flat', { price: [4, 15], context: 1_000_000 });
    const t = { ...tiered, context: 1_000_000 };
    expect(names(selectAuto({ pool: [t, flat].map(entry), sort: [{ metric: 'price' }], needs: needs({ inputTokens: 100_000 }) }))[0]).toBe('p/tiered');
    expect(names(selectAuto({ pool: [t, flat].map(entry), sort: [{ metric: 'price' }], needs: needs({ inputTokens: 300_000 }) }))[0]).toBe('p/flat');
  });
});

describe('filters', () => {
  const small = model('f', 'small', { context: 128_000, maxOutput: 8192 });
  const big = model('f', 'big', { context: 1_000_000, maxOutput: 128_000, vision: true, pdf: true, jsonSchema: true, reasoning: true });
  const capped = model('f', 'capped', { context: 400_000, maxInput: 272_000, maxOutput: 128_000 });
  const noTools = model('g', 'notools', { tools: false, context: 1_000_000, maxOutput: 128_000 });
  const pool = [small, big, capped, noTools].map(entry);
  const reasons = (r: AutoResult) => Object.fromEntries(r.excluded.map((e) => [`${e.provider}/${e.model}`, e.reason]));

  it('excludes models whose context is below the prompt', () => {
    const r = selectAuto({ pool, needs: needs({ inputTokens: 182_000 }) });
    expect(reasons(r)).toEqual({ 'f/small': 'context 128000 < 182000 input tokens' });
    expect(r.ranked).toHaveLength(3);
  });

  it('excludes models whose input limit is below the prompt', () => {
    const r = selectAuto({ pool, needs: needs({ inputTokens: 300_000 }) });
    expect(reasons(r)).toEqual({ 'f/small': 'context 128000 < 300000 input tokens', 'f/capped': 'input limit 272000 < 300000 input tokens' });
  });

  it('excludes models whose output limit is below max_tokens, or whose context cannot hold prompt + max_tokens', () => {
    const r = selectAuto({ pool, needs: needs({ inputTokens: 100_000, maxTokens: 64_000 }) });
    expect(reasons(r)).toEqual({ 'f/small': 'max output 8192 < max_tokens 64000' });
    const r2 = selectAuto({ pool, needs: needs({ inputTokens: 350_000, maxTokens: 64_000 }) });
    expect(reasons(r2)['f/capped']).toBe('input limit 272000 < 350000 input tokens');
    const r3 = selectAuto({ pool: [entry(model('f', 'tight', { context: 200_000, maxOutput: 64_000 }))], needs: needs({ inputTokens: 150_000, maxTokens: 64_000 }) });
    expect(reasons(r3)).toEqual({ 'f/tight': 'context 200000 < 150000 input tokens + max_tokens 64000' });
  });

  it('excludes models without tool use, image input or PDF input when the request needs them', () => {
    expect(reasons(selectAuto({ pool, needs: needs({ tools: true }) }))).toEqual({ 'g/notools': 'no tool use' });
    expect(reasons(selectAuto({ pool, needs: needs({ images: true }) }))).toEqual({ 'f/small': 'no image input', 'f/capped': 'no image input', 'g/notools': 'no image input' });
    expect(reasons(selectAuto({ pool, needs: needs({ pdf: true }) }))).toEqual({ 'f/small': 'no PDF input', 'f/capped': 'no PDF input', 'g/notools': 'no PDF input' });
  });

  it('prefers structured outputs and reasoning only when some candidate has them', () => {
    const r = selectAuto({ pool, needs: needs({ jsonSchema: true }) });
    expect(names(r)).toEqual(['f/big']);
    expect(reasons(r)['f/small']).toBe('no structured outputs (json_schema requested and other candidates have them)');
    expect(r.reasoning).toContain('supports structured outputs');
    const none = selectAuto({ pool: [small, capped].map(entry), needs: needs({ jsonSchema: true, thinking: true }) });
    expect(none.excluded).toEqual([]);
    expect(none.ranked).toHaveLength(2);
    const thinking = selectAuto({ pool, needs: needs({ thinking: true }) });
    expect(reasons(thinking)['g/notools']).toBe('no reasoning (thinking requested and other candidates support it)');
  });

  it('explains when nothing is left', () => {
    const r = selectAuto({ pool, needs: needs({ inputTokens: 2_000_000 }) });
    expect(r.ranked).toEqual([]);
    expect(r.reasoning).toBe('No model can serve this request: all 4 candidates were excluded (context too small: 3, input limit too small: 1).');
    expect(selectAuto({ pool: [], needs: needs() }).reasoning).toMatch(/^No model to pick from/);
  });
});

describe('ignore', () => {
  const pool = [
    model('groq', 'openai/gpt-oss-120b', { aliases: ['gpt-oss-120b'] }),
    model('groq', 'llama-3.3-70b-versatile'),
    model('cerebras', 'gpt-oss-120b'),
    model('openrouter', 'openai/gpt-5', { aliases: ['gpt-5'] }),
    model('openrouter', 'openai/gpt-oss-120b', { aliases: ['gpt-oss-120b'] }),
  ].map(entry);
  const left = (ignore: string[]) => names(selectAuto({ pool, ignore, sort: [{ metric: 'latency' }], needs: needs() })).sort();

  it('drops a whole provider', () => {
    expect(left(['groq'])).toEqual(['cerebras/gpt-oss-120b', 'openrouter/openai/gpt-5', 'openrouter/openai/gpt-oss-120b']);
    const r = selectAuto({ pool, ignore: ['groq'], needs: needs() });
    expect(r.excluded).toEqual([
      { provider: 'groq', model: 'openai/gpt-oss-120b', reason: 'ignored' },
      { provider: 'groq', model: 'llama-3.3-70b-versatile', reason: 'ignored' },
    ]);
  });

  it('drops one provider/model (by id or alias, case-insensitive)', () => {
    expect(left(['groq/llama-3.3-70b-versatile'])).toEqual(['cerebras/gpt-oss-120b', 'groq/openai/gpt-oss-120b', 'openrouter/openai/gpt-5', 'openrouter/openai/gpt-oss-120b']);
    expect(left(['groq/GPT-OSS-120B'])).toEqual(['cerebras/gpt-oss-120b', 'groq/llama-3.3-70b-versatile', 'openrouter/openai/gpt-5', 'openrouter/openai/gpt-oss-120b']);
    expect(left(['openrouter/openai/gpt-5'])).toEqual(['cerebras/gpt-oss-120b', 'groq/llama-3.3-70b-versatile', 'groq/openai/gpt-oss-120b', 'openrouter/openai/gpt-oss-120b']);
  });

  it('drops every host of a bare id', () => {
    expect(left(['gpt-oss-120b'])).toEqual(['groq/llama-3.3-70b-versatile', 'openrouter/openai/gpt-5']);
  });

  it('ignores unknown entries', () => {
    expect(left(['mistral', 'nope/x', 'x'])).toHaveLength(5);
  });
});

describe('reasoning sentence', () => {
  it('names the winner, the deciding criterion and its value', () => {
    const r = selectAuto({ pool: POOL, sort: [{ metric: 'coding' }, { metric: 'price' }], needs: needs({ inputTokens: 120_000, tools: true }) });
    expect(r.reasoning).toBe('Picked a/alpha for the highest coding score (80) among 5 models that support tools and a 120k-token prompt; price broke no tie.');
  });

  it('says which later criterion broke a tie', () => {
    const r = selectAuto({ pool: POOL, needs: needs() });
    expect(r.reasoning).toBe('Picked b/delta for the lowest expected price ($0.018 for this request) among 5 models that support a 1k-token prompt; it ties with a/alpha on intelligence (60).');
  });

  it('describes live and prior latency', () => {
    const r = selectAuto({ pool: POOL, sort: [{ metric: 'latency' }], needs: needs({ inputTokens: 350 }) });
    expect(r.reasoning).toBe('Picked a/beta for the fastest time to first token (300 ms catalog prior) among 5 models that support a 350-token prompt.');
    const t = selectAuto({ pool: POOL, sort: [{ metric: 'throughput' }], needs: needs() });
    expect(t.reasoning).toContain('for the highest throughput (1000 tokens/s catalog prior)');
  });

  it('covers a single candidate and full ties', () => {
    expect(selectAuto({ pool: [entry(alpha)], needs: needs({ images: false, tools: true, maxTokens: 4096 }) }).reasoning).toBe(
      'Picked a/alpha, the only candidate that supports tools and a 1k-token prompt with max_tokens 4096.',
    );
    const twinA = model('x', 'twin', { intelligence: 5, ttft: 400 });
    const twinB = model('y', 'twin', { intelligence: 5, ttft: 500 });
    expect(selectAuto({ pool: [twinB, twinA].map(entry), needs: needs() }).reasoning).toBe(
      'Picked x/twin among 2 models that support a 1k-token prompt: it ties with y/twin on intelligence and price and has the faster time to first token (400 ms catalog prior vs 500 ms catalog prior).',
    );
    const twinC = model('z', 'twin', { intelligence: 5, ttft: 400 });
    expect(selectAuto({ pool: [twinC, twinA].map(entry), needs: needs() }).reasoning).toBe(
      'Picked x/twin among 2 models that support a 1k-token prompt: it ties with z/twin on intelligence and price and time to first token, so the name decided.',
    );
  });
});

describe('against the built-in catalog', () => {
  const catalog = Catalog.builtin();
  const configured = ['anthropic', 'openai', 'google-ai-studio', 'groq', 'cerebras', 'deepinfra'];
  const { pool } = expandPool(catalog, configured);
  const best = (values: Array<number | null>, dir: 'min' | 'max') => {
    const known = values.filter((v): v is number => v !== null);
    return dir === 'min' ? Math.min(...known) : Math.max(...known);
  };

  it.each<[SortCriterion[], (r: AutoResult) => void]>([
    [[{ metric: 'price' }], (r) => expect(r.ranked[0].price).toBe(best(r.ranked.map((x) => x.price), 'min'))],
    [[{ metric: 'price', direction: 'descending' }], (r) => expect(r.ranked[0].price).toBe(best(r.ranked.map((x) => x.price), 'max'))],
    [[{ metric: 'latency' }], (r) => expect(r.ranked[0].ttftMs).toBe(best(r.ranked.map((x) => x.ttftMs), 'min'))],
    [[{ metric: 'throughput' }], (r) => expect(r.ranked[0].throughput).toBe(best(r.ranked.map((x) => x.throughput), 'max'))],
    [[{ metric: 'intelligence' }], (r) => expect(r.ranked[0].scores.intelligence).toBe(best(r.ranked.map((x) => x.scores.intelligence), 'max'))],
    [[{ metric: 'coding' }], (r) => expect(r.ranked[0].scores.coding).toBe(best(r.ranked.map((x) => x.scores.coding), 'max'))],
  ])('%j puts the catalog best first', (sort, check) => {
    check(selectAuto({ pool, sort, needs: needs({ tools: true }) }));
  });

  it('picks what the catalog says for common requests', () => {
    // Highest intelligence (Claude Opus 4.8, 61.4) by default.
    const def = selectAuto({ pool, needs: needs({ tools: true }) });
    expect(names(def)[0]).toBe('anthropic/claude-opus-4-8');
    expect(def.reasoning).toMatch(/^Picked anthropic\/claude-opus-4-8 for the highest intelligence score \(61\.4\) among \d+ models that support tools and a 1k-token prompt; price broke no tie\.$/);
    // Coding: GPT-5.5 (88.7) over Opus 4.8 (88.6).
    expect(names(selectAuto({ pool, sort: [{ metric: 'coding' }], needs: needs() }))[0]).toBe('openai/gpt-5.5');
    // Fastest prior first token: Cerebras zai-glm-4.7 (300 ms); highest prior throughput: Cerebras gpt-oss-120b.
    expect(names(selectAuto({ pool, sort: [{ metric: 'latency' }], needs: needs() }))[0]).toBe('cerebras/zai-glm-4.7');
    expect(names(selectAuto({ pool, sort: [{ metric: 'throughput' }], needs: needs() }))[0]).toBe('cerebras/gpt-oss-120b');
    // gpt-oss-120b scores 41.8 on every host, so among its hosts price decides: DeepInfra is cheapest.
    const oss = expandPool(catalog, configured, ['gpt-oss-120b']).pool;
    expect(names(selectAuto({ pool: oss, needs: needs() }))[0]).toBe('deepinfra/openai/gpt-oss-120b');
  });

  it('keeps a 182k-token Claude Code request with max_tokens 32000 off 200k-context models', () => {
    const r = selectAuto({ pool, needs: needs({ inputTokens: 182_000, maxTokens: 32_000, tools: true, thinking: true }) });
    expect(r.excluded).toContainEqual({ provider: 'anthropic', model: 'claude-sonnet-4-5', reason: 'context 200000 < 182000 input tokens + max_tokens 32000' });
    expect(r.excluded).toContainEqual({ provider: 'groq', model: 'openai/gpt-oss-120b', reason: 'context 131072 < 182000 input tokens' });
    for (const x of r.ranked) expect(catalog.get(x.provider, x.model)!.context).toBeGreaterThanOrEqual(214_000);
  });
});
