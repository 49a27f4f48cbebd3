import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCel } from './cel-loader.js';
import { parseRouter, parseSort, routerId, toApiJson } from './schema.js';
import type { Router } from './types.js';

// Validation compiles CEL conditions, which is imported on demand (cel-loader.ts).
beforeAll(() => loadCel());

/** Fixtures are edited as free-form JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The union-of-every-field example of hosted-router-notes 3.1, in the hosted docs' spelling. */
const HOSTED_EXAMPLE = {
  name: 'routers/example-router',
  displayName: 'Example Router',
  defaults: {
    text_generation_config: { max_new_tokens: 1024, temperature: 0.7 },
    message_templates: [{ role: 'system', content: 'You are {{agent_name}}, who loves {{item}}.' }],
  },
  routes: [
    {
      route: {
        route_id: 'premium-tier',
        variants: [
          {
            variant: {
              variant_id: 'premium-gpt5',
              model_id: 'openai/gpt-5.2',
              model_selection: {
                models: ['anthropic/claude-opus-4-6', 'google-ai-studio/gemini-2.5-flash'],
                sort: [{ metric: 'SORT_METRIC_LATENCY', direction: 'SORT_DIRECTION_ASCENDING' }],
                ignore: ['groq'],
                provider: { order: ['inworld', 'deepseek'], allow_fallbacks: true },
              },
              text_generation_config: {
                max_tokens: 512,
                top_p: 1,
                temperature: 0.7,
                repetition_penalty: 1,
                frequency_penalty: 0,
                presence_penalty: 0,
                stop_sequences: ['\n\n'],
                seed: 42,
                logit_bias: [{ token_id: '50256', bias_value: -100 }],
                reasoning: { effort: 'unspecified', max_tokens: 1024, exclude: true },
              },
              message_templates: [
                {
                  role: 'system',
                  content: '...',
                  content_items: [{ text: '...' }],
                  tool_calls: [{ id: '...', name: '...', args: '...' }],
                  tool_call_id: '...',
                  compression: { aggressiveness: 0.5 },
                },
              ],
              web_search: { engine: 'exa', max_results: 3, max_steps: 1 },
              compression: { aggressiveness: 0.7 },
            },
            weight: 100,
          },
        ],
      },
      condition: { cel_expression: 'tier == "premium"' },
    },
  ],
  defaultRoute: {
    route_id: 'default',
    variants: [{ variant: { variant_id: 'default-variant', model_id: 'google-ai-studio/gemini-2.5-flash' }, weight: 100 }],
  },
};

function camelKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()), camelKeys(x)]));
}

function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(x)]));
}

function ok(input: unknown): Router {
  const r = parseRouter(input);
  if (!r.ok) throw new Error(`unexpected errors: ${JSON.stringify(r.errors)}`);
  return r.router;
}

function errors(input: unknown): Array<{ path: string; message: string }> {
  const r = parseRouter(input);
  if (r.ok) throw new Error('expected validation errors');
  return r.errors;
}

/** A valid two-route router in snake_case, for mutation by the error tests. */
function base(): Record<string, Json> {
  return {
    name: 'routers/support',
    routes: [
      {
        route: { route_id: 'refunds', variants: [{ variant: { variant_id: 'opus', model_id: 'anthropic/claude-opus-4-6' }, weight: 100 }] },
        condition: { cel_expression: 'messages.last().content.matches("(?i).*refund.*")' },
      },
      {
        route: {
          route_id: 'ab',
          variants: [
            { variant: { variant_id: 'a', model_id: 'openai/gpt-5' }, weight: 50 },
            { variant: { variant_id: 'b', model_id: 'auto', model_selection: { sort: ['price'] } }, weight: 50 },
          ],
        },
        condition: { cel_expression: 'tier == "pro"' },
      },
    ],
    default_route: { route_id: 'default', variants: [{ variant: { variant_id: 'flash', model_id: 'google-ai-studio/gemini-2.5-flash' }, weight: 100 }] },
  };
}

describe('parseRouter: casing and round trip', () => {
  it('reads the hosted example into the internal camelCase form', () => {
    const r = ok(HOSTED_EXAMPLE);
    expect(r.name).toBe('routers/example-router');
    expect(r.displayName).toBe('Example Router');
    expect(r.defaults?.textGenerationConfig).toEqual({ maxTokens: 1024, temperature: 0.7 });
    const v = r.routes[0].route.variants[0].variant;
    expect(v.variantId).toBe('premium-gpt5');
    expect(v.modelSelection).toEqual({
      models: ['anthropic/claude-opus-4-6', 'google-ai-studio/gemini-2.5-flash'],
      sort: [{ metric: 'latency', direction: 'ascending' }],
      ignore: ['groq'],
      provider: { order: ['inworld', 'deepseek'], allowFallbacks: true },
    });
    expect(v.textGenerationConfig?.logitBias).toEqual([{ tokenId: '50256', biasValue: -100 }]);
    expect(v.messageTemplates?.[0].contentItems).toEqual([{ text: '...' }]);
    expect(r.routes[0].condition.celExpression).toBe('tier == "premium"');
    expect(r.defaultRoute?.routeId).toBe('default');
  });

  it('reads all-camelCase and all-snake_case input to the same router', () => {
    const snake = { ...(snakeKeys(HOSTED_EXAMPLE) as object) };
    const camel = camelKeys(HOSTED_EXAMPLE);
    expect(Object.keys(snake)).toContain('default_route');
    expect(Object.keys(snake)).toContain('display_name');
    expect(ok(camel)).toEqual(ok(HOSTED_EXAMPLE));
    expect(ok(snake)).toEqual(ok(HOSTED_EXAMPLE));
  });

  it('writes the API form: displayName/defaultRoute camel, inner fields snake, sort as enums', () => {
    const api = toApiJson(ok(camelKeys(HOSTED_EXAMPLE))) as Json;
    expect(Object.keys(api)).toEqual(['name', 'displayName', 'defaults', 'routes', 'defaultRoute']);
    expect(api.defaults.text_generation_config).toEqual({ max_tokens: 1024, temperature: 0.7 });
    expect(api.routes[0].condition).toEqual({ cel_expression: 'tier == "premium"' });
    const v = api.routes[0].route.variants[0];
    expect(v.weight).toBe(100);
    expect(v.variant.model_selection.provider).toEqual({ order: ['inworld', 'deepseek'], allow_fallbacks: true });
    expect(v.variant.model_selection.sort).toEqual([{ metric: 'SORT_METRIC_LATENCY', direction: 'SORT_DIRECTION_ASCENDING' }]);
    expect(v.variant.text_generation_config.logit_bias).toEqual([{ token_id: '50256', bias_value: -100 }]);
    expect(v.variant.web_search).toEqual({ engine: 'exa', max_results: 3, max_steps: 1 });
    expect(api.defaultRoute.route_id).toBe('default');
    // The API form is itself the example, except the alias max_new_tokens is written as max_tokens.
    const expected = structuredClone(HOSTED_EXAMPLE) as Json;
    expected.defaults.text_generation_config = { max_tokens: 1024, temperature: 0.7 };
    expect(api).toEqual(expected);
  });

  it('round-trips: parse(toApiJson(r)) equals r, and toApiJson is stable', () => {
    for (const input of [HOSTED_EXAMPLE, camelKeys(HOSTED_EXAMPLE), base()]) {
      const r = ok(input);
      expect(ok(toApiJson(r))).toEqual(r);
      expect(toApiJson(ok(toApiJson(r)))).toEqual(toApiJson(r));
    }
  });

  it('accepts any mix of casings key by key (property)', () => {
    const reference = ok(HOSTED_EXAMPLE);
    const api = toApiJson(reference);
    const recase = (v: unknown, coin: () => boolean): unknown => {
      if (Array.isArray(v)) return v.map((x) => recase(x, coin));
      if (v === null || typeof v !== 'object') return v;
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => {
          const camel = k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
          const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
          return [coin() ? camel : snake, recase(x, coin)];
        }),
      );
    };
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), (bits) => {
        let i = 0;
        const input = recase(api, () => bits[i++ % bits.length]);
        expect(ok(input)).toEqual(reference);
      }),
      { numRuns: 200 },
    );
  });

  it('sort: request form ["price","latency"] and router form, output in router form', () => {
    const input = base();
    input.routes[1].route.variants[1].variant.model_selection.sort = ['price', 'latency', { metric: 'SORT_METRIC_CODING', direction: 'SORT_DIRECTION_DESCENDING' }, { metric: 'intelligence' }];
    const r = ok(input);
    expect(r.routes[1].route.variants[1].variant.modelSelection?.sort).toEqual([
      { metric: 'price' },
      { metric: 'latency' },
      { metric: 'coding', direction: 'descending' },
      { metric: 'intelligence' },
    ]);
    expect((toApiJson(r) as Json).routes[1].route.variants[1].variant.model_selection.sort).toEqual([
      { metric: 'SORT_METRIC_PRICE' },
      { metric: 'SORT_METRIC_LATENCY' },
      { metric: 'SORT_METRIC_CODING', direction: 'SORT_DIRECTION_DESCENDING' },
      { metric: 'SORT_METRIC_INTELLIGENCE' },
    ]);
    expect(parseSort(['price', 'latency'])).toEqual({ ok: true, sort: [{ metric: 'price' }, { metric: 'latency' }] });
    expect(parseSort(['cheap'])).toMatchObject({ ok: false, errors: [{ path: '[0]' }] });
  });

  it('name: routers/<id>, bare <id> and inworld/<id> all become routers/<id>', () => {
    for (const name of ['routers/support', 'support', 'inworld/support']) {
      const r = ok({ ...base(), name });
      expect(r.name).toBe('routers/support');
      expect(routerId(r)).toBe('support');
    }
  });

  it('a single-variant route may omit its weight (it can only be 100)', () => {
    const input = base();
    delete input.default_route.variants[0].weight;
    expect(ok(input).defaultRoute?.variants[0].weight).toBe(100);
  });

  it('a router with only a defaultRoute is valid (the failover pattern)', () => {
    const r = ok({ name: 'fallbacks', defaultRoute: { routeId: 'main', variants: [{ variant: { variantId: 'v', modelId: 'openai/gpt-5', modelSelection: { models: ['anthropic/claude-opus-4-6'] } }, weight: 100 }] } });
    expect(r.routes).toEqual([]);
  });
});

describe('parseRouter: validation errors with the caller-spelled path', () => {
  const cases: Array<[string, (r: Record<string, Json>) => unknown, Array<{ path: string; message: string | RegExp }>]> = [
    ['not an object', () => [1, 2], [{ path: '', message: 'a router must be a JSON object' }]],
    ['missing name', (r) => void delete r.name, [{ path: 'name', message: 'required' }]],
    ['bad router id', (r) => void (r.name = 'routers/Support_Bot'), [{ path: 'name', message: /router id "Support_Bot" must match/ }]],
    ['bad route id (snake)', (r) => void (r.routes[0].route.route_id = '-refunds'), [{ path: 'routes[0].route.route_id', message: /must match \^\[a-z0-9\]/ }]],
    [
      'bad route id (camel)',
      (r) => {
        const route = r.routes[0].route;
        delete route.route_id;
        route.routeId = 'Refunds';
      },
      [{ path: 'routes[0].route.routeId', message: /must match/ }],
    ],
    ['bad variant id', (r) => void (r.routes[1].route.variants[0].variant.variant_id = 'A B'), [{ path: 'routes[1].route.variants[0].variant.variant_id', message: /must match/ }]],
    ['duplicate route id', (r) => void (r.routes[1].route.route_id = 'refunds'), [{ path: 'routes[1].route.route_id', message: 'duplicate route id "refunds" (also at routes[0].route.route_id)' }]],
    ['default route reusing a route id', (r) => void (r.default_route.route_id = 'ab'), [{ path: 'default_route.route_id', message: /duplicate route id "ab"/ }]],
    ['duplicate variant id', (r) => void (r.routes[1].route.variants[1].variant.variant_id = 'a'), [{ path: 'routes[1].route.variants[1].variant.variant_id', message: 'duplicate variant id "a" in this route' }]],
    ['weights not summing to 100', (r) => void (r.routes[1].route.variants[1].weight = 40), [{ path: 'routes[1].route.variants', message: 'variant weights sum to 90; they must sum to exactly 100' }]],
    [
      'fractional weight',
      (r) => {
        r.routes[1].route.variants[0].weight = 50.5;
        r.routes[1].route.variants[1].weight = 49.5;
      },
      [
        { path: 'routes[1].route.variants[0].weight', message: 'must be a whole number' },
        { path: 'routes[1].route.variants[1].weight', message: 'must be a whole number' },
      ],
    ],
    ['negative weight', (r) => void (r.routes[1].route.variants[0].weight = -50), [{ path: 'routes[1].route.variants', message: /sum to 0/ }, { path: 'routes[1].route.variants[0].weight', message: 'must be >= 0' }]],
    ['missing weight with several variants', (r) => void delete r.routes[1].route.variants[0].weight, [{ path: 'routes[1].route.variants[0].weight', message: 'required' }]],
    ['weight as a string', (r) => void (r.routes[1].route.variants[0].weight = '50'), [{ path: 'routes[1].route.variants[0].weight', message: 'expected number, got string' }]],
    ['CEL syntax error', (r) => void (r.routes[1].condition.cel_expression = 'tier = "pro"'), [{ path: 'routes[1].condition.cel_expression', message: /^invalid CEL: line 1, column 6: / }]],
    ['CEL unknown function', (r) => void (r.routes[1].condition.cel_expression = 'tier.startWith("p")'), [{ path: 'routes[1].condition.cel_expression', message: "invalid CEL: unknown function 'startWith'" }]],
    ['CEL wrong arity', (r) => void (r.routes[1].condition.cel_expression = 'size(tier, 2) > 1'), [{ path: 'routes[1].condition.cel_expression', message: /invalid CEL: no overload of 'size' takes 2 arguments/ }]],
    ['CEL has() without a field', (r) => void (r.routes[1].condition.cel_expression = 'has(tier)'), [{ path: 'routes[1].condition.cel_expression', message: /has\(\) takes a field selection/ }]],
    ['CEL empty', (r) => void (r.routes[1].condition.cel_expression = '  '), [{ path: 'routes[1].condition.cel_expression', message: 'invalid CEL: empty expression' }]],
    [
      'CEL error, camelCase caller',
      (r) => void (r.routes[1].condition = { celExpression: 'tier ==' }),
      [{ path: 'routes[1].condition.celExpression', message: /^invalid CEL/ }],
    ],
    ['missing condition', (r) => void delete r.routes[1].condition, [{ path: 'routes[1].condition', message: 'required' }]],
    ['variant without model', (r) => void delete r.routes[1].route.variants[0].variant.model_id, [{ path: 'routes[1].route.variants[0].variant.model_id', message: 'a variant needs model_id or model_selection' }]],
    [
      'variant without model, camelCase caller',
      (r) => void (r.routes[1].route.variants[0].variant = { variantId: 'a' }),
      [{ path: 'routes[1].route.variants[0].variant.modelId', message: 'a variant needs model_id or model_selection' }],
    ],
    ['unknown field keeps its spelling', (r) => void (r.routes[0].condition.cel_expresion = 'x'), [{ path: 'routes[0].condition.cel_expresion', message: 'unknown field' }]],
    ['field given in both casings', (r) => void (r.routes[0].route.routeId = 'other'), [{ path: 'routes[0].route.route_id', message: 'given twice, as "route_id" and "routeId"' }]],
    ['route without variants', (r) => void (r.routes[0].route.variants = []), [{ path: 'routes[0].route.variants', message: 'a route needs at least one variant' }]],
    [
      'no routes and no default',
      (r) => {
        r.routes = [];
        delete r.default_route;
      },
      [{ path: 'routes', message: 'a router needs at least one route or a defaultRoute' }],
    ],
    [
      'bad sort metric',
      (r) => void (r.routes[1].route.variants[1].variant.model_selection.sort = ['price', { metric: 'SORT_METRIC_CHEAPNESS' }]),
      [{ path: 'routes[1].route.variants[1].variant.model_selection.sort[1].metric', message: /must be one of "price", "latency"/ }],
    ],
    [
      'bad sort direction',
      (r) => void (r.routes[1].route.variants[1].variant.model_selection.sort = [{ metric: 'price', direction: 'UP' }]),
      [{ path: 'routes[1].route.variants[1].variant.model_selection.sort[0].direction', message: /SORT_DIRECTION_ASCENDING/ }],
    ],
    ['temperature out of range', (r) => void (r.defaults = { text_generation_config: { temperature: 3 } }), [{ path: 'defaults.text_generation_config.temperature', message: 'must be <= 2' }]],
    ['template without content', (r) => void (r.defaults = { message_templates: [{ role: 'system' }] }), [{ path: 'defaults.message_templates[0].content', message: /needs content/ }]],
    ['template with a bad role', (r) => void (r.defaults = { message_templates: [{ role: 'narrator', content: 'x' }] }), [{ path: 'defaults.message_templates[0].role', message: /must be system/ }]],
    [
      'web_search with web_search_options',
      (r) => {
        const v = r.routes[0].route.variants[0].variant;
        v.web_search = { engine: 'exa' };
        v.web_search_options = { search_context_size: 'low' };
      },
      [{ path: 'routes[0].route.variants[0].variant.web_search_options', message: 'web_search and web_search_options are mutually exclusive' }],
    ],
  ];

  for (const [name, mutate, expected] of cases) {
    it(name, () => {
      const input = base();
      const replaced = mutate(input);
      const errs = errors(replaced === undefined ? input : replaced);
      expect(errs).toHaveLength(expected.length);
      expected.forEach((e, i) => {
        expect(errs[i].path).toBe(e.path);
        if (typeof e.message === 'string') expect(errs[i].message).toBe(e.message);
        else expect(errs[i].message).toMatch(e.message);
      });
    });
  }

  it('reports every problem at once', () => {
    const input = base();
    input.name = 'Bad Name';
    input.routes[0].route.variants[0].weight = 30;
    input.routes[1].condition.cel_expression = 'tier ==';
    input.routes[1].route.variants[1].variant.variant_id = 'a';
    input.default_route.variants[0].variant.modelId = 'x';
    expect(errors(input).map((e) => e.path)).toEqual([
      'name',
      'routes[0].route.variants',
      'routes[1].route.variants[1].variant.variant_id',
      'routes[1].condition.cel_expression',
      'default_route.variants[0].variant.model_id',
    ]);
  });
});
