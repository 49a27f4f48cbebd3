import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentileSorted } from '../../src/routing/stats/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { ADMIN_KEY, expectError, get, message, stored } from './support.js';

/** `GET /admin/v1/usage` over known traffic: three answers, a failover and a 404, inside a fixed window. */
let primary: Simulator;
let backup: Simulator;
let h: Harness;
let from: number;
let to: number;
const ids: string[] = [];

interface Row {
  time?: string;
  group: string | null;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
}
interface Usage {
  bucket: string;
  group_by: string;
  from: string;
  to: string;
  data: Row[];
  totals: Row;
}
interface Summary {
  id: string;
  status: number;
  cost_usd: number | null;
  latency: { ttft_ms: number | null; total_ms: number };
}

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
  from = Date.now();
  for (const [input, output] of [[10, 5], [20, 5], [30, 5]]) {
    primary.script([{ content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: input, output_tokens: output } }]);
    ids.push((await message(h, { model: `anthropic/${SONNET}` })).id);
  }
  primary.fault({ fault: { kind: 'status', status: 529 }, times: 1 });
  backup.script([{ content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: 40, output_tokens: 10, cache_read_input_tokens: 100 } }]);
  ids.push((await message(h, { model: `anthropic/${SONNET}`, models: [`backup/${SONNET}`] })).id);
  ids.push((await message(h, { model: 'nope/never' })).id);
  await stored(h, ids);
  // Only the five requests above fall in [from, to): the admin calls below come after.
  to = Date.now() + 1;
  await new Promise((r) => setTimeout(r, 2));
});
afterAll(async () => {
  await h.close();
  await primary.close();
  await backup.close();
});

async function usage(query: string): Promise<Usage> {
  const r = await get<Usage>(h, `/admin/v1/usage?from=${from}&to=${to}&${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function summaries(): Promise<Summary[]> {
  const r = await get<{ data: Summary[] }>(h, `/admin/v1/requests?from=${from}&to=${to}`);
  expect(r.body.data.map((s) => s.id).sort()).toEqual([...ids].sort());
  return r.body.data;
}

function pct(values: number[], p: number): number {
  return percentileSorted([...values].sort((a, b) => a - b), p);
}

describe('GET /admin/v1/usage', () => {
  it('groups by provider: requests, errors and token sums per group; totals over all', async () => {
    const u = await usage('bucket=day&group_by=provider');
    expect(u).toMatchObject({ bucket: 'day', group_by: 'provider', from: new Date(from).toISOString(), to: new Date(to).toISOString() });
    const sum = (group: string | null, k: keyof Row) => u.data.filter((r) => r.group === group).reduce((n, r) => n + (r[k] as number), 0);
    expect([sum('anthropic', 'requests'), sum('anthropic', 'errors'), sum('anthropic', 'input_tokens'), sum('anthropic', 'output_tokens')]).toEqual([3, 0, 60, 15]);
    expect([sum('backup', 'requests'), sum('backup', 'input_tokens'), sum('backup', 'output_tokens'), sum('backup', 'cache_read_tokens')]).toEqual([1, 40, 10, 100]);
    expect([sum(null, 'requests'), sum(null, 'errors'), sum(null, 'input_tokens')]).toEqual([1, 1, 0]);
    expect(u.totals).toMatchObject({ group: null, requests: 5, errors: 1, input_tokens: 100, output_tokens: 25, cache_read_tokens: 100, cache_write_tokens: 0 });
    expect(u.totals).not.toHaveProperty('time');
    // Cost is the sum of the records' costs (null counts as 0), whether or not prices are known yet.
    const cost = (await summaries()).reduce((n, s) => n + (s.cost_usd ?? 0), 0);
    expect(u.totals.cost_usd).toBeCloseTo(cost, 9);
  });

  it('latency percentiles per status group are those of the records (linear interpolation)', async () => {
    const u = await usage('bucket=day&group_by=status');
    const s = await summaries();
    const ok = s.filter((x) => x.status === 200);
    const notFound = s.find((x) => x.status === 404)!;
    // One day bucket unless the traffic straddled midnight UTC; percentiles of split cells cannot be recombined.
    const days = new Set(u.data.map((r) => r.time));
    if (days.size === 1) {
      expect(u.data.map((r) => r.group)).toEqual(['200', '404']);
      const r200 = u.data.find((r) => r.group === '200')!;
      expect(r200.requests).toBe(4);
      expect(r200.latency_p50_ms).toBeCloseTo(pct(ok.map((x) => x.latency.total_ms), 0.5), 6);
      expect(r200.latency_p95_ms).toBeCloseTo(pct(ok.map((x) => x.latency.total_ms), 0.95), 6);
      const ttfts = ok.flatMap((x) => (x.latency.ttft_ms === null ? [] : [x.latency.ttft_ms]));
      if (ttfts.length) expect(r200.ttft_p50_ms).toBeCloseTo(pct(ttfts, 0.5), 6);
      else expect(r200.ttft_p50_ms).toBeNull();
      const r404 = u.data.find((r) => r.group === '404')!;
      expect(r404).toMatchObject({ requests: 1, errors: 1, latency_p50_ms: notFound.latency.total_ms, latency_p95_ms: notFound.latency.total_ms, ttft_p50_ms: null });
    }
    expect(u.totals.latency_p50_ms).toBeCloseTo(pct(s.map((x) => x.latency.total_ms), 0.5), 6);
    expect(u.totals.latency_p95_ms).toBeCloseTo(pct(s.map((x) => x.latency.total_ms), 0.95), 6);
  });

  it('groups by model and key; minute buckets start on the minute and add up', async () => {
    const byModel = await usage('bucket=day&group_by=model');
    const count = (u: Usage, g: string | null) => u.data.filter((r) => r.group === g).reduce((n, r) => n + r.requests, 0);
    expect([count(byModel, `anthropic/${SONNET}`), count(byModel, `backup/${SONNET}`), count(byModel, null)]).toEqual([3, 1, 1]);
    const byKey = await usage('bucket=hour&group_by=key');
    expect(count(byKey, 'test-key')).toBe(5);
    const minutes = await usage('bucket=minute');
    expect(minutes.group_by).toBe('none');
    for (const r of minutes.data) {
      const t = Date.parse(r.time!);
      expect(t % 60_000).toBe(0);
      expect(t).toBeGreaterThan(from - 60_000);
      expect(t).toBeLessThan(to);
    }
    expect(minutes.data.reduce((n, r) => n + r.requests, 0)).toBe(5);
    // Filters apply: only the backup's record.
    const backupOnly = await usage('bucket=day&provider=backup');
    expect(backupOnly.totals).toMatchObject({ requests: 1, input_tokens: 40 });
  });

  it('defaults: the last 24 hours in hour buckets; a short range gets minute buckets', async () => {
    const r = await get<Usage>(h, '/admin/v1/usage');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ bucket: 'hour', group_by: 'none' });
    expect(Date.parse(r.body.to) - Date.parse(r.body.from)).toBe(86_400_000);
    expect(r.body.totals.requests).toBeGreaterThanOrEqual(5);
    expect((await usage('')).bucket).toBe('minute');
    const week = await get<Usage>(h, `/admin/v1/usage?from=${to - 7 * 86_400_000}&to=${to}`);
    expect(week.body.bucket).toBe('hour');
    const month = await get<Usage>(h, `/admin/v1/usage?from=${to - 30 * 86_400_000}&to=${to}`);
    expect(month.body.bucket).toBe('day');
  });

  it('400 for an unknown bucket, group_by or parameter; 403 for a client key', async () => {
    expectError(await get(h, '/admin/v1/usage?bucket=week'), 400, 'invalid_request_error', 'bucket');
    expectError(await get(h, '/admin/v1/usage?group_by=colour'), 400, 'invalid_request_error', 'group_by');
    expectError(await get(h, '/admin/v1/usage?limit=5'), 400, 'invalid_request_error', 'limit');
    expectError(await get(h, '/admin/v1/usage', h.key), 403, 'permission_error');
  });
});
