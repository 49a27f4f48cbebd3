import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let primary: Simulator;
let backup: Simulator;
let h: Harness;
let client: Anthropic;
const adminKey = 'sy-admin-key-for-hedging-tests-01';

beforeAll(async () => {
  primary = await startSimulator({ port: 0, label: 'primary' });
  backup = await startSimulator({ port: 0, label: 'backup' });
  h = await startHarness({ auth: { admin_key: adminKey }, providers: { backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-hedge-0001', models: ['claude-sonnet-4-6'] } } }, { sim: primary });
  client = new Anthropic({ baseURL: h.url, apiKey: h.key, maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
  await primary.close();
  await backup.close();
});
beforeEach(() => {
  primary.reset();
  backup.reset();
});

type Attempt = { provider: string; success: boolean; error: string | null };

async function hedgedStream(hedgeAfter: string) {
  let attempts: Attempt[] = [];
  const started = Date.now();
  const s = client.messages.stream({
    model: 'anthropic/claude-sonnet-4-6',
    max_tokens: 50,
    messages: [{ role: 'user', content: 'hello' }],
    models: ['backup/claude-sonnet-4-6'],
    fallback: { hedge_after: hedgeAfter },
  } as unknown as Anthropic.MessageCreateParamsNonStreaming);
  s.on('streamEvent', (ev) => {
    const m = (ev as unknown as { metadata?: { attempts: Attempt[] } }).metadata;
    if (ev.type === 'message_delta' && m) attempts = m.attempts;
  });
  const msg = await s.finalMessage();
  const id = (await s.withResponse()).response.headers.get('x-request-id')!;
  return { text: (msg.content[0] as Anthropic.TextBlock).text, attempts, ms: Date.now() - started, id };
}

describe('hedging', () => {
  it('a slow first attempt gets a parallel second one; the first to produce content wins, the loser is cancelled and recorded', async () => {
    primary.fault({ fault: { kind: 'slow_first_token', ms: 3000 }, times: 1 });
    const out = await hedgedStream('300ms');
    expect(out.text).toMatch(/via backup/);
    expect(out.ms).toBeLessThan(2500);
    await h.flush();
    const rec = await h.app.services.store.getRecord(out.id);
    const byProvider = Object.fromEntries(rec!.attempts.map((a) => [a.provider, a]));
    expect(byProvider.backup).toMatchObject({ success: true });
    expect(byProvider.anthropic).toMatchObject({ success: false, errorClass: 'hedged_loser' });
    expect(rec!.provider).toBe('backup');
    expect(primary.requests).toHaveLength(1);
    expect(backup.requests).toHaveLength(1);
  });

  it('a fast first attempt never starts the hedge', async () => {
    const out = await hedgedStream('1s');
    expect(out.text).toMatch(/via primary/);
    expect(out.attempts.map((a) => a.provider)).toEqual(['anthropic']);
    expect(backup.requests).toHaveLength(0);
  });

  it('if the hedge fails, the slow first attempt still answers', async () => {
    primary.fault({ fault: { kind: 'slow_first_token', ms: 800 }, times: 1 });
    backup.fault({ fault: { kind: 'status', status: 500 }, times: 1 });
    const out = await hedgedStream('200ms');
    expect(out.text).toMatch(/via primary/);
    expect(out.attempts.find((a) => a.provider === 'backup')).toMatchObject({ success: false });
  });
});

describe('hedging configured on a router variant', () => {
  it('a variant with fallback.hedge_after hedges its requests', async () => {
    const created = await fetch(`${h.url}/router/v1/routers?router_id=hedged`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        defaultRoute: {
          route_id: 'main',
          variants: [{ variant: { variant_id: 'v', model_id: 'anthropic/claude-sonnet-4-6', model_selection: { models: ['backup/claude-sonnet-4-6'] }, fallback: { hedge_after: '300ms' } }, weight: 100 }],
        },
      }),
    });
    expect(created.status, await created.clone().text()).toBe(200);
    const bad = await fetch(`${h.url}/router/v1/routers?router_id=bad-hedge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ defaultRoute: { route_id: 'main', variants: [{ variant: { variant_id: 'v', model_id: 'x', fallback: { hedge_after: 'soon' } }, weight: 100 }] } }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('defaultRoute.variants[0].variant.fallback.hedge_after');

    primary.fault({ fault: { kind: 'slow_first_token', ms: 3000 }, times: 1 });
    const started = Date.now();
    const msg = await client.messages.stream({ model: 'router/hedged', max_tokens: 30, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    expect((msg.content[0] as Anthropic.TextBlock).text).toMatch(/via backup/);
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
