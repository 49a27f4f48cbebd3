import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { ADMIN_KEY, call, expectError, get, message, stored, type Reply } from './support.js';

/** `GET /admin/v1/requests[/{id}]` over real traffic: a plain answer, a failover, a translation, 404, 401 and a 500. */
let primary: Simulator;
let backup: Simulator;
let h: Harness;
let keyId: string;
const ids: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f', string> = { a: '', b: '', c: '', d: '', e: '', f: '' };
const statuses: Record<string, number> = {};

interface Summary {
  id: string;
  time: string;
  key_id: string | null;
  key_name: string | null;
  api: string;
  endpoint: string;
  client: string | null;
  requested_model: string | null;
  model: string | null;
  provider: string | null;
  status: number;
  attempt_count: number;
  usage: Record<string, number> | null;
  latency: { overhead_ms: number | null; ttft_ms: number | null; generation_ms: number | null; total_ms: number };
}
type Page = { data: Summary[]; next_cursor: string | null };

const SONNET = 'claude-sonnet-4-6';

beforeAll(async () => {
  primary = await startSimulator({ port: 0, label: 'primary' });
  backup = await startSimulator({ port: 0, label: 'backup' });
  h = await startHarness(
    {
      auth: { admin_key: ADMIN_KEY },
      providers: { backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-key-0001', models: [SONNET] } },
      failover: { breaker: { consecutiveFailures: 1_000_000, errorRate: 1 } },
    },
    { sim: primary },
  );
  keyId = (await h.app.services.store.listKeys()).find((k) => k.name === 'test-key')!.id;

  primary.script([{ content: [{ type: 'text', text: 'plain answer' }], usage: { input_tokens: 11, output_tokens: 7 } }]);
  let r = await message(h, { model: `anthropic/${SONNET}` }, { userAgent: 'client-a/1.0' });
  ids.a = r.id;
  statuses.a = r.status;

  primary.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
  backup.script([{ content: [{ type: 'text', text: 'after failover' }], usage: { input_tokens: 13, output_tokens: 9 } }]);
  r = await message(h, { model: `anthropic/${SONNET}`, models: [`backup/${SONNET}`] }, { userAgent: 'client-b/2.0' });
  ids.b = r.id;
  statuses.b = r.status;

  const chat = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.key}`, 'content-type': 'application/json', 'user-agent': 'OpenAI/JS test' },
    body: JSON.stringify({ model: `anthropic/${SONNET}`, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await chat.arrayBuffer();
  ids.c = chat.headers.get('x-request-id') ?? '';
  statuses.c = chat.status;

  r = await message(h, { model: 'nope/never' });
  ids.d = r.id;
  statuses.d = r.status;

  r = await message(h, { model: `anthropic/${SONNET}` }, { key: 'sk-sy-not-a-real-key-000000000000' });
  ids.e = r.id;
  statuses.e = r.status;

  primary.fault({ fault: { kind: 'status', status: 500 }, times: 10 });
  r = await message(h, { model: `anthropic/${SONNET}`, fallback: { max_attempts: 1 } });
  ids.f = r.id;
  statuses.f = r.status;
  primary.reset();

  await stored(h, Object.values(ids));
});
afterAll(async () => {
  await h.close();
  await primary.close();
  await backup.close();
});

const ours = (page: Summary[]) => page.map((s) => s.id).filter((id) => Object.values(ids).includes(id));
const name = (id: string) => Object.entries(ids).find(([, v]) => v === id)?.[0];

async function list(query: string): Promise<Summary[]> {
  const r = await get<Page>(h, `/admin/v1/requests?limit=500&${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.next_cursor).toBeNull();
  return r.body.data;
}

describe('GET /admin/v1/requests', () => {
  it('the traffic went as planned', () => {
    expect(statuses).toEqual({ a: 200, b: 200, c: 200, d: 404, e: 401, f: 500 });
  });

  it('lists every request newest first, as summaries', async () => {
    const data = await list('');
    expect(ours(data).map(name)).toEqual(['f', 'e', 'd', 'c', 'b', 'a']);
    const times = data.map((s) => Date.parse(s.time));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    const a = data.find((s) => s.id === ids.a)!;
    expect(a).toMatchObject({
      key_id: keyId,
      key_name: 'test-key',
      api: 'anthropic',
      endpoint: 'messages',
      client: 'client-a/1.0',
      requested_model: `anthropic/${SONNET}`,
      model: `anthropic/${SONNET}`,
      provider: 'anthropic',
      status: 200,
      attempt_count: 1,
      usage: { input_tokens: 11, output_tokens: 7, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, reasoning_tokens: 0 },
    });
    expect(new Date(a.time).toISOString()).toBe(a.time);
    expect(a.latency.total_ms).toBeGreaterThan(0);
    expect(Object.keys(a).sort()).toEqual(
      ['api', 'attempt_count', 'client', 'cost_usd', 'endpoint', 'error', 'error_class', 'id', 'key_id', 'key_name', 'latency', 'model', 'provider', 'requested_model', 'route_id', 'router', 'status', 'stop_reason', 'stream', 'time', 'usage', 'variant_id'].sort(),
    );
    expect(data.find((s) => s.id === ids.b)).toMatchObject({ provider: 'backup', attempt_count: 2, status: 200, usage: { input_tokens: 13, output_tokens: 9 } });
    expect(data.find((s) => s.id === ids.e)).toMatchObject({ key_id: null, key_name: null, status: 401 });
  });

  it('filters by model, provider, key, status, client, free text and time range', async () => {
    const check = async (query: string, expected: string[], each?: (s: Summary) => boolean) => {
      const data = await list(query);
      expect(ours(data).map(name), query).toEqual(expected);
      if (each) for (const s of data) expect(each(s), `${query}: ${s.id}`).toBe(true);
    };
    // A bare id matches the served `provider/model` of any provider; `provider/model` also the requested model.
    await check(`model=${SONNET}`, ['c', 'b', 'a'], (s) => s.model?.endsWith(`/${SONNET}`) || s.requested_model === SONNET);
    await check(`model=backup/${SONNET}`, ['b']);
    // The 401 was answered before its body was read: it has no requested model.
    await check(`model=anthropic/${SONNET}`, ['f', 'c', 'b', 'a']);
    await check('model=nope/never', ['d']);
    await check('provider=backup', ['b'], (s) => s.provider === 'backup');
    await check('key=test-key', ['f', 'd', 'c', 'b', 'a'], (s) => s.key_name === 'test-key');
    await check(`key=${keyId}`, ['f', 'd', 'c', 'b', 'a'], (s) => s.key_id === keyId);
    await check('status=200', ['c', 'b', 'a'], (s) => s.status === 200);
    await check('status=ok', ['c', 'b', 'a'], (s) => s.status < 400);
    await check('status=4xx', ['e', 'd'], (s) => s.status >= 400 && s.status < 500);
    await check('status=5xx', ['f'], (s) => s.status >= 500);
    await check('status=error', ['f', 'e', 'd'], (s) => s.status >= 400);
    await check('client=CLIENT-B', ['b'], (s) => /client-b/i.test(s.client ?? ''));
    await check('client=openai%2Fjs', ['c']);
    await check(`q=${ids.d}`, ['d']);
    await check('q=NOPE%2Fnever', ['d']);
    await check(`model=anthropic/${SONNET}&status=error&key=test-key`, ['f']);
    await check('router=nowhere', []);
    const c = (await h.app.services.store.getRecord(ids.c))!;
    const d = (await h.app.services.store.getRecord(ids.d))!;
    // `from` inclusive, `to` exclusive, ISO or epoch ms.
    await check(`from=${new Date(c.time).toISOString()}&to=${d.time + 1}`, ['d', 'c'], (s) => Date.parse(s.time) >= c.time && Date.parse(s.time) <= d.time);
    await check(`from=${c.time}&to=${c.time}`, []);
  });

  it('shows model traffic by default; endpoint=all adds the admin calls, endpoint=<name> shows only that endpoint', async () => {
    await list('');
    await h.flush();
    const byDefault = await list('');
    expect(byDefault.every((s) => ['messages', 'chat_completions', 'count_tokens'].includes(s.endpoint))).toBe(true);
    const all = await list('endpoint=all');
    expect(all.some((s) => s.endpoint === 'admin.requests.list')).toBe(true);
    expect(all.length).toBeGreaterThan(byDefault.length);
    const admin = await list('endpoint=admin.requests.list');
    expect(admin.length).toBeGreaterThan(0);
    expect(admin.every((s) => s.endpoint === 'admin.requests.list')).toBe(true);
  });

  it('pages with the cursor until exhausted: every record once, in order', async () => {
    await h.flush();
    // A fixed upper bound: the admin calls made while paging are recorded too, but after it.
    const to = Date.now();
    const whole = await list(`to=${to}`);
    expect(whole.length).toBeGreaterThanOrEqual(6);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: Reply<Page> = await get<Page>(h, `/admin/v1/requests?limit=2&to=${to}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.data.map((s) => s.id));
      cursor = r.body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 100);
    expect(seen).toEqual(whole.map((s) => s.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(whole.length / 2));
    // With a filter too.
    const first = await get<Page>(h, `/admin/v1/requests?limit=2&status=200&key=test-key&to=${to}`);
    const second = await get<Page>(h, `/admin/v1/requests?limit=2&status=200&key=test-key&to=${to}&cursor=${encodeURIComponent(first.body.next_cursor!)}`);
    expect([...first.body.data, ...second.body.data].map((s) => name(s.id))).toEqual(['c', 'b', 'a']);
    expect(second.body.next_cursor).toBeNull();
  });

  it('rejects bad parameters with 400 in the OpenAI error shape, naming the parameter', async () => {
    expectError(await get(h, '/admin/v1/requests?status=teapot'), 400, 'invalid_request_error', 'status');
    expectError(await get(h, '/admin/v1/requests?limit=0'), 400, 'invalid_request_error', 'limit');
    expectError(await get(h, '/admin/v1/requests?limit=501'), 400, 'invalid_request_error', 'limit');
    expectError(await get(h, '/admin/v1/requests?limit=ten'), 400, 'invalid_request_error', 'limit');
    expectError(await get(h, '/admin/v1/requests?from=yesterday'), 400, 'invalid_request_error', 'from');
    expectError(await get(h, '/admin/v1/requests?from=2026-02-01&to=2026-01-01'), 400, 'invalid_request_error', 'from');
    expectError(await get(h, '/admin/v1/requests?cursor=not-a-cursor'), 400, 'invalid_request_error', 'cursor');
    expectError(await get(h, '/admin/v1/requests?statsu=200'), 400, 'invalid_request_error', 'statsu');
    expectError(await get(h, '/admin/v1/requests?model=a&model=b'), 400, 'invalid_request_error', 'model');
    // An empty value is no filter (a blank form field).
    expect((await get(h, '/admin/v1/requests?model=&status=')).status).toBe(200);
  });

  it('needs the admin key: 401 without or with a wrong key, 403 for a client key', async () => {
    expectError(await get(h, '/admin/v1/requests', null), 401, 'invalid_request_error');
    expectError(await get(h, '/admin/v1/requests', 'sk-sy-wrong-key-000000000000000'), 401, 'invalid_request_error');
    expectError(await get(h, '/admin/v1/requests', h.key), 403, 'permission_error');
    expectError(await get(h, `/admin/v1/requests/${ids.a}`, h.key), 403, 'permission_error');
  });
});

describe('GET /admin/v1/requests/{id}', () => {
  it('returns the record with its attempts: the failover has two', async () => {
    const r = await get<Record<string, unknown> & { attempts: Array<Record<string, unknown>> }>(h, `/admin/v1/requests/${ids.b}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: ids.b, status: 200, provider: 'backup', model: `backup/${SONNET}`, attempt_count: 2, key_name: 'test-key' });
    expect(r.body.attempts.map((a) => [a.provider, a.model, a.status, a.success])).toEqual([
      ['anthropic', SONNET, 529, false],
      ['backup', SONNET, 200, true],
    ]);
    for (const a of r.body.attempts) {
      expect(Object.keys(a).sort()).toEqual(['cost_usd', 'duration_ms', 'error', 'error_class', 'key_id', 'model', 'provider', 'start_ms', 'status', 'success', 'ttft_ms', 'usage'].sort());
      expect(a.duration_ms).toEqual(expect.any(Number));
    }
    expect(r.body.attempts[0].error_class).not.toBeNull();
    expect(r.body).toHaveProperty('routing');
    expect(r.body).toHaveProperty('metadata');
    // Bodies are off by default.
    expect(r.body.bodies).toBeNull();
  });

  it('answers 404 not_found_error for an unknown id', async () => {
    expectError(await get(h, '/admin/v1/requests/req_doesnotexist'), 404, 'invalid_request_error');
    const r = await get<{ error: { code: string } }>(h, '/admin/v1/requests/req_doesnotexist');
    expect(r.body.error.code).toBe('not_found');
  });

  it('a portal-style GET with a trailing slash still routes', async () => {
    expect((await call(h, 'GET', `/admin/v1/requests/${ids.a}/`)).status).toBe(200);
  });
});
