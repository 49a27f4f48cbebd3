import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let slow: Simulator;
let backup: Simulator;
let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  slow = await startSimulator({ port: 0, label: 'slow' });
  backup = await startSimulator({ port: 0, label: 'backup' });
  h = await startHarness(
    {
      providers: {
        'slow-ttft': { format: 'anthropic', base_url: slow.url, api_key: 'slow-1', models: ['m1'], timeouts: { ttft: '300ms' } },
        'slow-total': { format: 'anthropic', base_url: slow.url, api_key: 'slow-2', models: ['m2'], timeouts: { total: '300ms' } },
        backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-3', models: ['m1', 'm2'] },
      },
      failover: { breaker: { consecutiveFailures: 1000, errorRate: 1 } },
    },
    { sim: slow },
  );
  client = new Anthropic({ baseURL: h.url, apiKey: h.key, maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
  await slow.close();
  await backup.close();
});

describe('per-provider timeouts', () => {
  it("a provider's own ttft timeout moves a slow stream to the next candidate", async () => {
    slow.fault({ fault: { kind: 'slow_first_token', ms: 3000 }, times: 1 });
    const started = Date.now();
    const msg = await client.messages.stream({ model: 'slow-ttft/m1', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }], models: ['backup/m1'] } as unknown as Anthropic.MessageCreateParamsNonStreaming).finalMessage();
    expect((msg.content[0] as Anthropic.TextBlock).text).toMatch(/via backup/);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("a provider's own total timeout bounds each attempt on it (non-streaming too)", async () => {
    slow.fault({ fault: { kind: 'latency', ms: 3000 }, times: 1 });
    const started = Date.now();
    const msg = await client.messages.create({ model: 'slow-total/m2', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }], models: ['backup/m2'] } as unknown as Anthropic.MessageCreateParamsNonStreaming);
    expect((msg.content[0] as Anthropic.TextBlock).text).toMatch(/via backup/);
    const attempts = (msg as unknown as { metadata: { attempts: Array<{ provider: string; error: string | null }> } }).metadata.attempts;
    expect(attempts[0]).toMatchObject({ provider: 'slow-total', error: expect.stringMatching(/did not finish within its 300 ms limit/) });
    expect(Date.now() - started).toBeLessThan(2500);
  });
});

describe('per-request limits in `fallback`', () => {
  it('max_attempts caps the chain and timeout bounds the whole request', async () => {
    slow.fault({ fault: { kind: 'status', status: 500 }, times: 1 });
    const backupBefore = backup.requests.length;
    const err = (await client.messages
      .create({ model: 'slow-ttft/m1', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }], models: ['backup/m1'], fallback: { max_attempts: 1 } } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err.status).toBe(500);
    expect(backup.requests.length).toBe(backupBefore);

    slow.fault({ fault: { kind: 'latency', ms: 3000 }, times: 1 });
    const started = Date.now();
    const late = (await client.messages
      .create({ model: 'slow-ttft/m1', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }], fallback: { timeout: '400ms' } } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(late.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('an invalid fallback field is a 400 naming it', async () => {
    const err = (await client.messages
      .create({ model: 'slow-ttft/m1', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }], fallback: { ttft_timeout: '100ms' } } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/fallback.ttft_timeout must be at least 300ms/);
  });
});
