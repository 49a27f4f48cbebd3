import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createClientKey } from '../../src/auth/index.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const ADMIN = 'sy-admin-key-for-router-api-tests-0001';

/** A valid router in the hosted docs' spelling (camel top level, snake inside). */
function snakeRouter(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `routers/${id}`,
    displayName: `Router ${id}`,
    routes: [
      {
        route: { route_id: 'pro', variants: [{ variant: { variant_id: 'sonnet', model_id: 'anthropic/claude-sonnet-4-6' }, weight: 100 }] },
        condition: { cel_expression: 'tier == "pro"' },
      },
    ],
    defaultRoute: { route_id: 'default', variants: [{ variant: { variant_id: 'haiku', model_id: 'anthropic/claude-haiku-4-5' }, weight: 100 }] },
    ...extra,
  };
}

/** The same router written entirely in lowerCamelCase. */
function camelRouter(id: string): Record<string, unknown> {
  return {
    name: `routers/${id}`,
    displayName: `Router ${id}`,
    routes: [
      {
        route: { routeId: 'pro', variants: [{ variant: { variantId: 'sonnet', modelId: 'anthropic/claude-sonnet-4-6' }, weight: 100 }] },
        condition: { celExpression: 'tier == "pro"' },
      },
    ],
    defaultRoute: { routeId: 'default', variants: [{ variant: { variantId: 'haiku', modelId: 'anthropic/claude-haiku-4-5' }, weight: 100 }] },
  };
}

let h: Harness;
let writer: string;

beforeAll(async () => {
  h = await startHarness({ auth: { admin_key: ADMIN }, routers: [snakeRouter('from-config', { displayName: 'Declared in config' })] });
  const { key, record } = await createClientKey(h.app.services.store, 'router-writer', ['routers:write']);
  h.app.services.keys.noteCreated(record);
  writer = key;
});
afterAll(async () => h.close());

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

async function call(method: string, path: string, opts: { key?: string | null; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = opts.key === undefined ? writer : opts.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const res = await fetch(h.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

describe('router API round trip', () => {
  it('create (router_id query), get, list, PATCH with a mask, PATCH without, delete', async () => {
    const body = snakeRouter('round');
    delete body.name;
    const created = await call('POST', '/router/v1/routers?router_id=round', { body });
    expect(created.status).toBe(200);
    expect(created.headers.get('x-request-id')).toMatch(/^req_/);
    expect(created.body).toMatchObject({ name: expect.stringMatching(/^operations\/create-round-v1-/), done: true, response: { name: 'routers/round', displayName: 'Router round' } });
    expect(created.body.response.routes[0]).toEqual({
      route: { route_id: 'pro', variants: [{ variant: { variant_id: 'sonnet', model_id: 'anthropic/claude-sonnet-4-6' }, weight: 100 }] },
      condition: { cel_expression: 'tier == "pro"' },
    });
    expect(created.body.response.createTime).toMatch(/^\d{4}-\d\d-\d\dT/);

    const got = await call('GET', '/router/v1/routers/round');
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body.response);

    const listed = await call('GET', '/router/v1/routers');
    expect(listed.status).toBe(200);
    expect(listed.body.routers.map((r: { name: string }) => r.name)).toContain('routers/round');
    expect(listed.body.next_page_token).toBeUndefined();

    // Only the masked field changes, though the body carries others.
    const patched = await call('PATCH', '/router/v1/routers/round?update_mask=display_name', { body: { displayName: 'Renamed', routes: [] } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: expect.stringMatching(/^operations\/update-round-v2-/), done: true, response: { name: 'routers/round', displayName: 'Renamed' } });
    expect(patched.body.response.routes).toHaveLength(1);

    // Nested mask path, camelCase body.
    const nested = await call('PATCH', '/router/v1/routers/round?update_mask=defaults.text_generation_config', { body: { defaults: { textGenerationConfig: { temperature: 0.2 } } } });
    expect(nested.status).toBe(200);
    expect(nested.body.response.defaults).toEqual({ text_generation_config: { temperature: 0.2 } });

    // Without a mask, the fields given replace the stored ones.
    const replaced = await call('PATCH', '/router/v1/routers/round', { body: { routes: [] } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.response).toMatchObject({ displayName: 'Renamed', routes: [], defaultRoute: { route_id: 'default' } });

    // The merged result is validated as a whole.
    const broken = await call('PATCH', '/router/v1/routers/round?update_mask=default_route', { body: {} });
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', errors: [{ path: 'routes', message: 'a router needs at least one route or a defaultRoute' }] });
    const rename = await call('PATCH', '/router/v1/routers/round', { body: { name: 'routers/other' } });
    expect(rename.status).toBe(400);
    expect(rename.body.error.errors[0].path).toBe('name');
    const badMask = await call('PATCH', '/router/v1/routers/round?update_mask=routes[0]', { body: {} });
    expect(badMask.status).toBe(400);
    expect(badMask.body.error.errors[0].path).toBe('update_mask');

    const deleted = await call('DELETE', '/router/v1/routers/round');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    expect((await call('GET', '/router/v1/routers/round')).status).toBe(404);
  });

  it('accepts both casings and answers in the API form', async () => {
    const a = await call('POST', '/router/v1/routers', { body: snakeRouter('case-snake') });
    const b = await call('POST', '/router/v1/routers', { body: camelRouter('case-camel') });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const strip = (r: Record<string, unknown>) => ({ ...r, name: undefined, displayName: undefined, createTime: undefined, updateTime: undefined });
    expect(strip(b.body.response)).toEqual(strip(a.body.response));
    // snake_case top-level fields too.
    const c = await call('POST', '/router/v1/routers', { body: { name: 'case-top', display_name: 'Top', default_route: { route_id: 'd', variants: [{ variant: { variant_id: 'v', model_id: 'anthropic/claude-haiku-4-5' } }] } } });
    expect(c.status).toBe(200);
    expect(c.body.response).toMatchObject({ name: 'routers/case-top', displayName: 'Top', defaultRoute: { route_id: 'd' } });
  });

  it('409 when the id exists; 400 when router_id and name disagree or no id is given', async () => {
    expect((await call('POST', '/router/v1/routers', { body: snakeRouter('dup') })).status).toBe(200);
    const again = await call('POST', '/router/v1/routers', { body: snakeRouter('dup') });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 409, status: 'ALREADY_EXISTS', message: expect.stringContaining('already exists') });
    const mismatch = await call('POST', '/router/v1/routers?router_id=other', { body: snakeRouter('dup2') });
    expect(mismatch.status).toBe(400);
    const noId = await call('POST', '/router/v1/routers', { body: { ...snakeRouter('x'), name: undefined } });
    expect(noId.status).toBe(400);
    expect(noId.body.error.errors).toEqual([{ path: 'name', message: expect.stringContaining('router_id') }]);
  });

  it('400 lists every validation error with its JSON path, in the writer spelling', async () => {
    const body = {
      name: 'routers/invalid',
      routes: [
        {
          route: { route_id: 'a', variants: [{ variant: { variant_id: 'x', model_id: 'anthropic/claude-haiku-4-5' }, weight: 60 }, { variant: { variant_id: 'x' }, weight: 30 }] },
          condition: { cel_expression: 'tier ==', cel_expresion: 'typo' },
        },
      ],
    };
    const r = await call('POST', '/router/v1/routers', { body });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', type: 'invalid_request_error' });
    expect(r.body.error.errors).toEqual([
      { path: 'routes[0].route.variants', message: 'variant weights sum to 90; they must sum to exactly 100' },
      { path: 'routes[0].route.variants[1].variant.variant_id', message: 'duplicate variant id "x" in this route' },
      { path: 'routes[0].route.variants[1].variant.model_id', message: 'a variant needs model_id or model_selection' },
      { path: 'routes[0].condition.cel_expression', message: expect.stringContaining('invalid CEL') },
      { path: 'routes[0].condition.cel_expresion', message: 'unknown field' },
    ]);
    expect(r.body.error.details[0]).toMatchObject({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: expect.arrayContaining([{ field: 'routes[0].condition.cel_expresion', description: 'unknown field' }]) });
    const notJson = await fetch(h.url + '/router/v1/routers', { method: 'POST', headers: { authorization: `Bearer ${writer}` }, body: '{nope' });
    expect(notJson.status).toBe(400);
  });
});

describe('router API permissions', () => {
  it('401 without a key; a plain client key reads but gets 403 on writes; routers:write and admin keys write', async () => {
    expect((await call('GET', '/router/v1/routers', { key: null })).status).toBe(401);
    const bad = await call('GET', '/router/v1/routers', { key: 'sk-sy-not-a-key' });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toMatchObject({ code: 401, status: 'UNAUTHENTICATED' });

    const plain = h.key;
    expect((await call('POST', '/router/v1/routers', { key: writer, body: snakeRouter('perm') })).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/router/v1/routers', snakeRouter('perm-plain')],
      ['PATCH', '/router/v1/routers/perm', { displayName: 'x' }],
      ['DELETE', '/router/v1/routers/perm', undefined],
    ] as const) {
      const r = await call(method, path, { key: plain, body });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.body.error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED', type: 'permission_error', message: expect.stringContaining('routers:write') });
    }
    expect((await call('GET', '/router/v1/routers/perm', { key: plain })).status).toBe(200);
    expect((await call('GET', '/router/v1/routers', { key: plain })).status).toBe(200);
    expect((await call('POST', '/router/v1/routers/perm:test', { key: plain, body: { request: { messages: [{ role: 'user', content: 'hi' }] } } })).status).toBe(200);

    expect((await call('PATCH', '/router/v1/routers/perm', { key: ADMIN, body: { displayName: 'By admin' } })).body.response.displayName).toBe('By admin');
    expect((await call('POST', '/router/v1/routers', { key: ADMIN, body: snakeRouter('perm-admin') })).status).toBe(200);
    expect((await call('DELETE', '/router/v1/routers/perm-admin', { key: ADMIN })).status).toBe(200);
    expect((await call('DELETE', '/router/v1/routers/perm', { key: writer })).status).toBe(200);
  });

  it('404 for unknown routers on every verb', async () => {
    for (const [method, path, body] of [
      ['GET', '/router/v1/routers/missing', undefined],
      ['PATCH', '/router/v1/routers/missing', { displayName: 'x' }],
      ['DELETE', '/router/v1/routers/missing', undefined],
      ['POST', '/router/v1/routers/missing:test', { request: { messages: [] } }],
    ] as const) {
      const r = await call(method, path, { body });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body.error).toMatchObject({ code: 404, status: 'NOT_FOUND', message: expect.stringContaining('"missing" does not exist') });
    }
  });
});

describe('paging', () => {
  it('page_size and opaque page_token walk every router exactly once', async () => {
    for (const id of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) expect((await call('POST', '/router/v1/routers', { body: snakeRouter(id) })).status).toBe(200);
    const all = (await call('GET', '/router/v1/routers?page_size=1000')).body.routers.map((r: { name: string }) => r.name);
    expect(all).toEqual([...all].sort());
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await call('GET', `/router/v1/routers?page_size=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.routers.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.routers.map((x: { name: string }) => x.name));
      token = r.body.next_page_token;
      pages++;
    } while (token);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect((await call('GET', '/router/v1/routers?page_size=5000')).status).toBe(200);
    expect((await call('GET', '/router/v1/routers?page_size=-1')).status).toBe(400);
    const badToken = await call('GET', '/router/v1/routers?page_token=garbage');
    expect(badToken.status).toBe(400);
    expect(badToken.body.error.errors[0].path).toBe('page_token');
  });
});

describe('routers from the config file', () => {
  it('are listed and readable but not writable', async () => {
    const listed = await call('GET', '/router/v1/routers?page_size=1000');
    expect(listed.body.routers.find((r: { name: string }) => r.name === 'routers/from-config')).toMatchObject({ displayName: 'Declared in config' });
    expect((await call('GET', '/router/v1/routers/from-config')).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/router/v1/routers', snakeRouter('from-config')],
      ['PATCH', '/router/v1/routers/from-config', { displayName: 'x' }],
      ['DELETE', '/router/v1/routers/from-config', undefined],
    ] as const) {
      const r = await call(method, path, { key: ADMIN, body });
      expect(r.status, `${method} ${path}`).toBe(409);
      expect(r.body.error).toMatchObject({ code: 409, status: 'FAILED_PRECONDITION', message: expect.stringContaining('declared in the config file') });
    }
  });
});

describe(':test dry run', () => {
  const anthropicRequest = { model: 'whatever', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Where is my refund?' }] };

  it('returns route, variant, candidate chain and CEL inputs without calling a provider', async () => {
    const router = snakeRouter('tester', {
      routes: [
        { route: { route_id: 'broken', variants: [{ variant: { variant_id: 'x', model_id: 'anthropic/claude-opus-4-6' } }] }, condition: { cel_expression: 'missing_var == 1' } },
        {
          route: { route_id: 'refunds', variants: [{ variant: { variant_id: 'sonnet', model_id: 'anthropic/claude-sonnet-4-6', model_selection: { models: ['anthropic/claude-haiku-4-5'] } } }] },
          condition: { cel_expression: 'tier == "pro" && messages.last().content.contains("refund")' },
        },
      ],
    });
    expect((await call('POST', '/router/v1/routers', { body: router })).status).toBe(200);
    h.sim.reset();
    const r = await call('POST', '/router/v1/routers/tester:test', { body: { request: anthropicRequest, metadata: { tier: 'pro' }, headers: { 'User-Agent': 'claude-cli/2.1.0', 'x-team': 'ml' } } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      router: 'routers/tester',
      version: 1,
      source: 'api',
      api: 'anthropic',
      api_guessed: true,
      route_id: 'refunds',
      variant_id: 'sonnet',
      matched_expression: 'tier == "pro" && messages.last().content.contains("refund")',
      default_route: false,
      candidates: [
        { provider: 'anthropic', model: expect.stringContaining('claude-sonnet-4-6') },
        { provider: 'anthropic', model: expect.stringContaining('claude-haiku-4-5') },
      ],
      cel_errors: [{ route_id: 'broken', expression: 'missing_var == 1', error: expect.any(String) }],
      error: null,
    });
    expect(r.body.reason).toContain('route "refunds" matched');
    expect(r.body.cel_inputs).toMatchObject({
      tier: 'pro',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Where is my refund?' },
      ],
      request: { api: 'anthropic', model: 'router/tester', client: 'claude-code', headers: { 'x-team': 'ml' }, key: 'router-writer' },
    });
    expect(typeof r.body.cel_inputs.request.input_tokens).toBe('number');
    // No provider was called.
    expect(h.sim.requests).toHaveLength(0);
  });

  it('guesses OpenAI requests, reads metadata from the request itself, and reports a default route', async () => {
    const r = await call('POST', '/router/v1/routers/tester:test', {
      body: { request: { model: 'x', messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hello' }], extra_body: { metadata: { tier: 'free' } } } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ api: 'openai', api_guessed: true, route_id: 'default', variant_id: 'haiku', matched_expression: null, default_route: true });
    expect(r.body.cel_inputs.tier).toBe('free');
    const forced = await call('POST', '/router/v1/routers/tester:test', { body: { api: 'anthropic', request: { max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] } } });
    expect(forced.body).toMatchObject({ api: 'anthropic', api_guessed: false });
    expect(h.sim.requests).toHaveLength(0);
  });

  it('reports a request that would fail (no route matched) with the CEL inputs, and rejects bad test bodies', async () => {
    const noDefault = { name: 'routers/no-default', routes: [{ route: { route_id: 'only', variants: [{ variant: { variant_id: 'v', model_id: 'anthropic/claude-haiku-4-5' } }] }, condition: { cel_expression: 'tier == "gold"' } }] };
    expect((await call('POST', '/router/v1/routers', { body: noDefault })).status).toBe(200);
    const r = await call('POST', '/router/v1/routers/no-default:test', { body: { request: anthropicRequest, metadata: { tier: 'tin' } } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ route_id: null, candidates: [], error: { code: 400, message: 'No route matched. Configure a default route or adjust conditions.' } });
    expect(r.body.cel_inputs.tier).toBe('tin');

    const bad = await call('POST', '/router/v1/routers/no-default:test', { body: { req: {}, api: 'gemini' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.errors.map((e: { path: string }) => e.path)).toEqual(['req', 'request', 'api']);
    const undecodable = await call('POST', '/router/v1/routers/no-default:test', { body: { api: 'openai', request: { messages: 'nope' } } });
    expect(undecodable.status).toBe(400);
    expect(h.sim.requests).toHaveLength(0);
  });

  it('the literal :test suffix does not clash with the id routes', async () => {
    expect((await call('GET', '/router/v1/routers/tester:test')).status).toBe(404);
    expect((await call('POST', '/router/v1/routers/tester:tset', { body: {} })).status).toBe(404);
    expect((await call('POST', '/router/v1/routers/tester', { body: {} })).status).toBe(404);
  });
});

describe('integration with the request path', () => {
  it('a router created through the API serves /v1/messages at once, and every API call is recorded', async () => {
    expect((await call('POST', '/router/v1/routers', { body: snakeRouter('live') })).status).toBe(200);
    h.sim.reset();
    const res = await fetch(h.url + '/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': h.key, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'router/live', max_tokens: 20, metadata: { tier: 'pro' }, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(JSON.parse(text).model).toContain('claude-sonnet-4-6');
    expect(h.sim.requests).toHaveLength(1);

    await h.flush();
    const records = await h.app.services.store.listRecords({ limit: 1000 });
    const endpoints = new Set(records.map((r) => r.endpoint));
    for (const e of ['routers.create', 'routers.list', 'routers.get', 'routers.update', 'routers.delete', 'routers.test']) expect(endpoints, e).toContain(e);
    const forbidden = records.find((r) => r.endpoint === 'routers.create' && r.status === 403);
    expect(forbidden).toMatchObject({ keyName: 'test-key', errorClass: 'permission_error' });
    const tested = records.find((r) => r.endpoint === 'routers.test' && r.status === 200);
    expect(tested).toMatchObject({ requestedModel: expect.stringMatching(/^router\//), attempts: [] });
  });
});

describe('start-up', () => {
  it('an invalid config router fails createApp with a ConfigError naming the file, the path and the reason', async () => {
    const bad = snakeRouter('bad', { routes: [{ route: { route_id: 'r', variants: [{ variant: { variant_id: 'v', model_id: 'm' } }] }, condition: { cel_expression: 'nope(' } }] });
    const config = parseConfig({ routers: [bad], telemetry: { log_level: 'silent' } }, 'sw.yaml', {});
    const err = await createApp({ config, dataDir: mkdtempSync(path.join(tmpdir(), 'sy-bad-router-')), configFile: 'sw.yaml', logger: pino({ level: 'silent' }), providers: [], demoWhenEmpty: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^sw\.yaml: invalid configuration\n {2}routers\[0\]\.routes\[0\]\.condition\.cel_expression: invalid CEL/);
  });
});
