import { beforeAll, describe, expect, it } from 'vitest';
import { loadCel } from './cel-loader.js';
import { compileRouter, decide, isNoRouteMatched, NO_ROUTE_MATCHED, type NoRouteMatched, type RouteDecision } from './engine.js';
import { factsFromRequest } from './facts.js';
import { parseRouter } from './schema.js';
import { facts, request, seededRandom } from './test-helpers.js';
import type { Router } from './types.js';

// Routers with routes compile CEL, which is imported on demand (cel-loader.ts).
beforeAll(() => loadCel());

function router(input: unknown): Router {
  const r = parseRouter(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.router;
}

function variants(split: Record<string, number>) {
  return Object.entries(split).map(([id, weight]) => ({ variant: { variant_id: id, model_id: `openai/${id}` }, weight }));
}

/** One conditional route per expression (ids r0, r1, ...), optionally a default route. */
function conditional(exprs: string[], withDefault = true): Router {
  return router({
    name: 'routers/t',
    routes: exprs.map((e, i) => ({ route: { route_id: `r${i}`, variants: variants({ [`v${i}`]: 100 }) }, condition: { cel_expression: e } })),
    ...(withDefault ? { defaultRoute: { route_id: 'default', variants: variants({ fallback: 100 }) } } : {}),
  });
}

function ok(d: RouteDecision | NoRouteMatched): RouteDecision {
  if (isNoRouteMatched(d)) throw new Error(`no route matched; cel errors: ${JSON.stringify(d.celErrors)}`);
  return d;
}

/** Evaluates one expression as the only route: the route id, or null when it was false. */
function matches(expr: string, f = facts()): boolean {
  const d = ok(decide(compileRouter(conditional([expr])), f));
  if (d.celErrors.length > 0) throw new Error(d.celErrors[0].error);
  return d.routeId === 'r0';
}

describe('route selection', () => {
  it('takes the first route whose condition is true, in order', () => {
    const c = compileRouter(conditional(['tier == "free"', 'tier == "pro"', 'tier != ""']));
    const d = ok(decide(c, facts({ metadata: { tier: 'pro' } })));
    expect(d).toMatchObject({ routeId: 'r1', variantId: 'v1', matchedExpression: 'tier == "pro"', isDefault: false, celErrors: [] });
    expect(d.variant?.modelId).toBe('openai/v1');
    expect(d.reason).toBe('Router "t": route "r1" matched tier == "pro"; variant "v1".');
  });

  it('falls back to defaultRoute when nothing matches', () => {
    const d = ok(decide(compileRouter(conditional(['tier == "pro"'])), facts({ metadata: { tier: 'free' } })));
    expect(d).toMatchObject({ routeId: 'default', variantId: 'fallback', matchedExpression: null, isDefault: true });
    expect(d.reason).toBe('Router "t": no condition matched, default route "default"; variant "fallback".');
  });

  it('answers the exact hosted error text when nothing matches and there is no default', () => {
    const d = decide(compileRouter(conditional(['tier == "pro"'], false)), facts({ metadata: { tier: 'free' } }));
    expect(isNoRouteMatched(d)).toBe(true);
    expect((d as NoRouteMatched).error).toBe('No route matched. Configure a default route or adjust conditions.');
    expect(NO_ROUTE_MATCHED).toBe('No route matched. Configure a default route or adjust conditions.');
  });

  it('counts a condition that errors (missing metadata key) as false, records it, and goes on', () => {
    const c = compileRouter(conditional(['tier == "pro"', 'size(messages) > 0']));
    const d = ok(decide(c, facts({ metadata: {} })));
    expect(d.routeId).toBe('r1');
    expect(d.celErrors).toEqual([{ routeId: 'r0', expression: 'tier == "pro"', error: expect.stringMatching(/unresolved attribute|tier/) }]);
    expect(d.reason).toMatch(/1 condition failed to evaluate and counted as false\.$/);
  });

  it('records runtime errors of several kinds, and reports them with the no-route error too', () => {
    const c = compileRouter(
      conditional(['user.plan == "pro"', 'request.input_tokens / 0 > 1', 'messages[5].content == ""', '"abc"', 'tier + 1 > 2', 'messages.last().role == "x"'], false),
    );
    const d = decide(c, facts({ metadata: { user: {}, tier: 3 }, messages: [] }));
    expect(isNoRouteMatched(d)).toBe(true);
    const errs = (d as NoRouteMatched).celErrors;
    expect(errs.map((e) => e.routeId)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    expect(errs[0].error).toMatch(/plan/);
    expect(errs[1].error).toMatch(/divide by zero|division by zero/);
    expect(errs[2].error).toMatch(/index/);
    expect(errs[3].error).toBe('condition evaluated to string "abc", not a bool');
    expect(errs[4].error).toMatch(/overload/);
    expect(errs[5].error).toBe('last() called on an empty list');
  });

  it('an erroring operand is absorbed by || and && as CEL specifies', () => {
    expect(matches('missing == "x" || request.stream', facts({ stream: true }))).toBe(true);
    expect(matches('missing == "x" && request.stream', facts({ stream: false }))).toBe(false);
  });

  it('metadata cannot override the derived `request` and `messages` variables', () => {
    const f = facts({ key: 'ci', metadata: { request: { key: 'admin' }, messages: [], tier: 'x' } });
    expect(matches('request.key == "ci" && size(messages) == 1 && tier == "x"', f)).toBe(true);
  });

  it('a metadata key named __proto__ is ignored, not turned into a prototype', () => {
    const metadata = JSON.parse('{"__proto__": {"tier": "pro"}, "plan": "x"}') as Record<string, unknown>;
    expect(Object.keys(metadata)).toContain('__proto__');
    const d = ok(decide(compileRouter(conditional(['tier == "pro"', 'plan == "x"'])), facts({ metadata })));
    expect(d.routeId).toBe('r1');
    expect(d.celErrors).toHaveLength(1);
  });

  it('caches the compiled router per object and only computes the facts conditions read', () => {
    const r = conditional(['tier == "pro"']);
    const c = compileRouter(r);
    expect(compileRouter(r)).toBe(c);
    expect(c.needs).toEqual({ messages: false, inputTokens: false });
    let estimates = 0;
    let built = 0;
    const lazy = facts({
      metadata: { tier: 'pro' },
      inputTokens: () => (estimates++, 5),
      messages: () => (built++, []),
    });
    const d = ok(decide(c, lazy));
    expect([estimates, built]).toEqual([0, 0]);
    expect(d.inputs).not.toHaveProperty('messages');
    const explained = ok(decide(c, lazy, { explain: true }));
    expect([estimates, built]).toEqual([1, 1]);
    expect(explained.inputs).toMatchObject({ tier: 'pro', messages: [], request: { input_tokens: 5 } });
    expect(compileRouter(conditional(['request.input_tokens > 1'])).needs).toEqual({ messages: false, inputTokens: true });
    expect(compileRouter(conditional(['request.stream'])).needs).toEqual({ messages: false, inputTokens: false });
    expect(compileRouter(conditional(['messages.exists(m, m.role == "tool")'])).needs).toEqual({ messages: true, inputTokens: false });
    expect(compileRouter(conditional(['request["input_tokens"] > 1'])).needs).toEqual({ messages: false, inputTokens: true });
  });

  it('returns JSON-safe inputs for the dry-run tester', () => {
    const d = ok(decide(compileRouter(conditional(['request.input_tokens > 1000'])), facts({ inputTokens: 1500, metadata: { tier: 'pro' } })));
    expect(d.routeId).toBe('r0');
    expect(() => JSON.stringify(d.inputs)).not.toThrow();
    expect(d.inputs).toEqual({
      tier: 'pro',
      request: { api: 'anthropic', model: 'router/test', has_tools: false, has_images: false, thinking: false, stream: false, client: 'curl', key: 'dev', headers: {}, input_tokens: 1500 },
    });
  });
});

describe('CEL variables', () => {
  it('metadata keys at top level: strings, numbers (as double), bools, null, lists, nested maps', () => {
    const f = facts({ metadata: { tier: 'premium', score: 5, beta: true, region: null, langs: ['es', 'en'], org: { plan: 'pro', seats: 12 } } });
    expect(matches('tier == "premium"', f)).toBe(true);
    expect(matches("tier == 'premium'", f)).toBe(true);
    expect(matches('score > 3 && score == 5 && score < 5.5', f)).toBe(true);
    expect(matches('beta && region == null', f)).toBe(true);
    expect(matches('"es" in langs && size(langs) == 2', f)).toBe(true);
    expect(matches('org.plan == "pro" && org.seats >= 10 && has(org.plan) && !has(org.trial)', f)).toBe(true);
    expect(matches('tier in ["premium", "enterprise"]', f)).toBe(true);
  });

  it('messages: list of {role, content} with content as text; last(); RE2 (?i)', () => {
    const f = facts({
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'Hi' },
        { role: 'user', content: 'I want a REFUND for order 42' },
      ],
    });
    expect(matches('messages.last().content.matches("(?i).*(refund|chargeback).*")', f)).toBe(true);
    expect(matches('messages[0].role == "system" && size(messages) == 3', f)).toBe(true);
    expect(matches('messages.exists(m, m.role == "user" && m.content.matches("\\\\d+"))', f)).toBe(true);
    expect(matches('messages.filter(m, m.role == "user").size() == 2', f)).toBe(true);
    expect(matches('messages.last().content.lowerAscii().contains("refund")', f)).toBe(true);
    expect(matches('messages.last().content.matches("(?i)^hi$")', f)).toBe(false);
  });

  it('request facts: api, model, input_tokens (int), has_tools, has_images, thinking, stream, client, key, headers', () => {
    const f = facts({
      api: 'openai',
      model: 'inworld/support',
      inputTokens: 25_000,
      hasTools: true,
      hasImages: true,
      thinking: true,
      stream: true,
      client: 'claude-code',
      key: 'team-ml',
      headers: { 'x-team': 'ml', 'user-agent': 'claude-cli/2.1.197 (external, cli)' },
    });
    expect(matches('request.api == "openai" && request.model == "inworld/support"', f)).toBe(true);
    expect(matches('request.input_tokens > 20000 && type(request.input_tokens) == int', f)).toBe(true);
    expect(matches('request.has_tools && request.has_images && request.thinking && request.stream', f)).toBe(true);
    expect(matches('request.client == "claude-code" && request.key.startsWith("team-")', f)).toBe(true);
    expect(matches('request.headers["x-team"] == "ml" && "user-agent" in request.headers && !has(request.headers.cookie)', f)).toBe(true);
  });

  it('derives the facts from a canonical request, headers and key', () => {
    const req = request({
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] },
        { role: 'assistant', content: [{ type: 'tool_call', id: 't1', name: 'look', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 't1', content: [{ type: 'text', text: 'a cat' }] }] },
      ],
      tools: [{ name: 'look', inputSchema: { type: 'object' } }],
      thinking: { type: 'enabled', budgetTokens: 1024 },
      stream: true,
      user: 'user-7',
    });
    const f = factsFromRequest({
      api: 'anthropic',
      request: req,
      metadata: { tier: 'pro' },
      headers: { 'User-Agent': 'claude-cli/2.1.197 (external, cli)', Authorization: 'Bearer sk-secret', 'X-Team': ['a', 'b'] },
      keyName: 'laptop',
      estimateInputTokens: () => 1234,
    });
    const expr = [
      'request.api == "anthropic"',
      'request.model == "router/test"',
      'request.input_tokens == 1234',
      'request.has_tools',
      'request.has_images',
      'request.thinking',
      'request.stream',
      'request.client == "claude-code"',
      'request.key == "laptop"',
      'request.headers["x-team"] == "a, b"',
      'request.headers.authorization == "[redacted]"',
      'messages.map(m, m.role) == ["system", "user", "assistant", "tool"]',
      'messages[0].content == "Be brief."',
      'messages[3].content == "a cat"',
      'messages[1].content == "What is in this picture?"',
      'tier == "pro"',
    ].join(' && ');
    expect(matches(expr, f)).toBe(true);
    expect(f.user).toBe('user-7');
    expect(JSON.stringify(ok(decide(compileRouter(conditional(['true'])), f, { explain: true })).inputs)).not.toContain('sk-secret');
  });
});

describe('weighted variants', () => {
  const split = (w: Record<string, number>, order?: string[]) =>
    compileRouter(
      router({
        name: 'routers/ab',
        defaultRoute: { route_id: 'main', variants: variants(order ? Object.fromEntries(order.map((k) => [k, w[k]])) : w) },
      }),
    );

  it('10,000 draws without a user land within 2 points of each weight (seeded)', () => {
    const weights = { a: 70, b: 20, c: 10 };
    const c = split(weights);
    const random = seededRandom(42);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) counts[ok(decide(c, facts(), { random })).variantId!]++;
    for (const [k, w] of Object.entries(weights)) expect(Math.abs((counts[k] / 10_000) * 100 - w)).toBeLessThan(2);
  });

  it('a weight of 0 is never drawn', () => {
    const c = split({ a: 0, b: 100 });
    const random = seededRandom(1);
    for (let i = 0; i < 1000; i++) expect(ok(decide(c, facts(), { random })).variantId).toBe('b');
    for (let i = 0; i < 1000; i++) expect(ok(decide(c, facts({ user: `u${i}` }))).variantId).toBe('b');
  });

  it('the same user always gets the same variant (whatever the random source), and users spread by weight', () => {
    const c = split({ a: 50, b: 30, c: 20 });
    const again = split({ a: 50, b: 30, c: 20 });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) {
      const user = `user-${i}`;
      const first = ok(decide(c, facts({ user }), { random: () => 0 })).variantId!;
      expect(ok(decide(c, facts({ user }), { random: () => 0.999 })).variantId).toBe(first);
      expect(ok(decide(again, facts({ user }))).variantId).toBe(first);
      counts[first]++;
    }
    expect(Math.abs(counts.a / 100 - 50)).toBeLessThan(2);
    expect(Math.abs(counts.b / 100 - 30)).toBeLessThan(2);
    expect(Math.abs(counts.c / 100 - 20)).toBeLessThan(2);
    const d = ok(decide(c, facts({ user: 'user-1' })));
    expect(d.sticky).toBe(true);
    expect(d.reason).toMatch(/sticky for the user \(a 50, b 30, c 20\)/);
  });

  const moved = (before: ReturnType<typeof split>, after: ReturnType<typeof split>, n = 10_000) => {
    let count = 0;
    for (let i = 0; i < n; i++) {
      const f = facts({ user: `customer-${i}@example.com` });
      if (ok(decide(before, f)).variantId !== ok(decide(after, f)).variantId) count++;
    }
    return count / n;
  };

  it('50/50 -> 60/40 moves about 10% of users (8-12%), all of them to the variant that grew', () => {
    const before = split({ a: 50, b: 50 });
    const after = split({ a: 60, b: 40 });
    const share = moved(before, after);
    expect(share).toBeGreaterThanOrEqual(0.08);
    expect(share).toBeLessThanOrEqual(0.12);
    for (let i = 0; i < 2000; i++) {
      const f = facts({ user: `customer-${i}@example.com` });
      if (ok(decide(before, f)).variantId === 'a') expect(ok(decide(after, f)).variantId).toBe('a');
    }
  });

  it('50/50 -> 50/50 moves nobody, nor does reordering the variants', () => {
    expect(moved(split({ a: 50, b: 50 }), split({ a: 50, b: 50 }))).toBe(0);
    expect(moved(split({ a: 50, b: 30, c: 20 }), split({ a: 50, b: 30, c: 20 }, ['c', 'a', 'b']))).toBe(0);
  });

  it('adding a 10% variant moves about 10% of users, only into the new variant', () => {
    const before = split({ a: 50, b: 50 });
    const after = split({ a: 45, b: 45, c: 10 });
    const share = moved(before, after);
    expect(share).toBeGreaterThanOrEqual(0.08);
    expect(share).toBeLessThanOrEqual(0.12);
    for (let i = 0; i < 2000; i++) {
      const f = facts({ user: `customer-${i}@example.com` });
      const b = ok(decide(before, f)).variantId;
      const a = ok(decide(after, f)).variantId;
      if (a !== b) expect(a).toBe('c');
    }
  });

  it('assignment depends on router and route, so two experiments are independent', () => {
    const one = split({ a: 50, b: 50 });
    const other = compileRouter(router({ name: 'routers/other', defaultRoute: { route_id: 'main', variants: variants({ a: 50, b: 50 }) } }));
    const share = moved(one, other);
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
  });
});
