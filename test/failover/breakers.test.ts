import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const ADMIN = 'sy-admin-key-for-breaker-tests-0001';
let primary: Simulator;
let backup: Simulator;
let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  primary = await startSimulator({ port: 0, label: 'primary' });
  backup = await startSimulator({ port: 0, label: 'backup' });
  h = await startHarness(
    {
      auth: { admin_key: ADMIN },
      providers: { backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-breaker-0001', models: ['claude-sonnet-4-6'] } },
      failover: { breaker: { consecutiveFailures: 3, cooldownMs: 600, halfOpenProbes: 1 } },
    },
    { sim: primary },
  );
  client = new Anthropic({ baseURL: h.url, apiKey: h.key, maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
  await primary.close();
  await backup.close();
});

const ask = () =>
  client.messages
    .create({ model: 'anthropic/claude-sonnet-4-6', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }], models: ['backup/claude-sonnet-4-6'] } as unknown as Anthropic.MessageCreateParamsNonStreaming)
    .withResponse();

async function circuits() {
  const r = await fetch(`${h.url}/admin/v1/circuits`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return ((await r.json()) as { data: Array<{ provider: string; state: string }> }).data;
}

describe('circuit breakers', () => {
  it('open after consecutive failures, skip the provider without sending anything, probe after the cool-down, close on success', async () => {
    primary.fault({ fault: { kind: 'status', status: 500 } });
    for (let i = 0; i < 3; i++) expect((await ask()).response.headers.get('x-switchyard-provider')).toBe('backup');
    expect(primary.requests).toHaveLength(3);
    expect((await circuits()).find((c) => c.provider === 'anthropic')?.state).toBe('open');

    // While open: answered by the backup, and the simulator's log proves nothing was sent to the primary.
    const { data } = await ask();
    expect((data as unknown as { metadata: { attempts: Array<{ provider: string; error: string | null }> } }).metadata.attempts[0]).toMatchObject({ provider: 'anthropic', error: expect.stringMatching(/circuit open/) });
    expect(primary.requests).toHaveLength(3);

    // After the cool-down one probe goes through; the primary is healthy again, so the circuit closes.
    primary.clearFaults();
    await new Promise((r) => setTimeout(r, 700));
    expect((await ask()).response.headers.get('x-switchyard-provider')).toBe('anthropic');
    expect(primary.requests).toHaveLength(4);
    expect((await circuits()).find((c) => c.provider === 'anthropic')?.state).toBe('closed');
  });

  it('the caller’s own 400 does not count against the provider', async () => {
    primary.fault({ fault: { kind: 'status', status: 400 } });
    for (let i = 0; i < 5; i++) await ask().catch(() => undefined);
    primary.clearFaults();
    expect((await circuits()).find((c) => c.provider === 'anthropic')?.state).toBe('closed');
  });

  it('/admin/v1/circuits needs the admin key', async () => {
    const r = await fetch(`${h.url}/admin/v1/circuits`, { headers: { authorization: `Bearer ${h.key}` } });
    expect(r.status).toBe(403);
  });
});

describe('/metrics', () => {
  it('exposes circuit states, failovers, attempts and request counters in Prometheus format', async () => {
    const r = await fetch(`${h.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await r.text();
    expect(text).toMatch(/switchyard_circuit_state\{provider="anthropic",model="claude-sonnet-4-6",key="key0"\} [012]/);
    expect(text).toMatch(/switchyard_failovers_total\{provider="backup",model="backup\/claude-sonnet-4-6"\} [1-9]/);
    expect(text).toMatch(/switchyard_attempts_total\{provider="anthropic",model="claude-sonnet-4-6",outcome="circuit_open"\} [1-9]/);
    expect(text).toContain('switchyard_record_queue_depth');
    expect(text).toContain('switchyard_time_to_first_token_seconds_bucket');
    expect(text).not.toContain(h.key);
  });
});
