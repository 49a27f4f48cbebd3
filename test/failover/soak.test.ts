import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { startSimulator, type FaultKind, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * Soak: 2,000 requests at concurrency 32 while the primary fails about 30% of the time across every fault that can be
 * failed over (all but a cut after the first token). A healthy backup exists, so every request must succeed, no
 * stream may be cut, and the records must account for every attempt the simulators saw.
 */
const TOTAL = 2000;
const CONCURRENCY = 32;

let primary: Simulator;
let backup: Simulator;
let h: Harness;

beforeAll(async () => {
  primary = await startSimulator({ port: 0, label: 'primary', seed: 42 });
  backup = await startSimulator({ port: 0, label: 'backup', seed: 7 });
  h = await startHarness(
    {
      providers: { backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-soak-0001', models: ['claude-sonnet-4-6'] } },
      telemetry: { records: { flush_interval: 50, queue_limit: 100_000 }, log_level: 'silent' },
    },
    { sim: primary },
  );
  // Nine fault kinds at ~4% each: together about 30% of requests fail.
  const kinds: Array<[FaultKind, boolean?]> = [
    [{ kind: 'status', status: 429 }],
    [{ kind: 'status', status: 500 }],
    [{ kind: 'status', status: 503 }],
    [{ kind: 'status', status: 529 }],
    [{ kind: 'reset' }],
    [{ kind: 'cut', afterEvents: 1 }, true],
    [{ kind: 'malformed', afterEvents: 1 }, true],
    [{ kind: 'stream_error', afterEvents: 1 }, true],
    [{ kind: 'hang' }, true],
  ];
  for (const [fault, streamOnly] of kinds) primary.fault({ fault, probability: 0.04, match: streamOnly ? { stream: true, path: '/v1/messages' } : { path: '/v1/messages' } });
});
afterAll(async () => {
  await h.close();
  await primary.close();
  await backup.close();
});

describe('soak', () => {
  it(`${TOTAL} requests at concurrency ${CONCURRENCY} with a 30% failing primary all succeed`, async () => {
    const pool = new Pool(h.url, { connections: CONCURRENCY });
    const outcomes: Array<{ status: number; ok: boolean; id: string }> = [];
    let next = 0;
    const worker = async () => {
      while (next < TOTAL) {
        const i = next++;
        const stream = i % 2 === 0;
        const body = JSON.stringify({
          model: 'anthropic/claude-sonnet-4-6',
          max_tokens: 50,
          stream,
          messages: [{ role: 'user', content: `request ${i}` }],
          models: ['backup/claude-sonnet-4-6'],
          fallback: { ttft_timeout: '300ms' },
        });
        const res = await pool.request({ path: '/v1/messages', method: 'POST', headers: { 'x-api-key': h.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body });
        const text = await res.body.text();
        const ok = res.statusCode === 200 && (stream ? text.includes('event: message_stop') && !text.includes('event: error') : text.includes('"stop_reason":"end_turn"'));
        outcomes.push({ status: res.statusCode, ok, id: String(res.headers['x-request-id']) });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await pool.close();

    expect(outcomes).toHaveLength(TOTAL);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    const faulted = primary.requests.filter((r) => r.fault).length;
    const primaryRequests = primary.requests.filter((r) => r.path === '/v1/messages').length;
    // About 30% of what reached the primary failed (breakers may have kept some requests away from it).
    expect(faulted / primaryRequests).toBeGreaterThan(0.2);
    expect(faulted / primaryRequests).toBeLessThan(0.4);

    await h.flush();
    const records = (await h.app.services.store.listRecords({ limit: TOTAL + 100 })).filter((r) => r.endpoint === 'messages');
    expect(records).toHaveLength(TOTAL);
    expect(records.every((r) => r.status === 200 && r.errorClass === null)).toBe(true);
    // Attempts a circuit breaker skipped sent nothing; every other attempt is one request a simulator saw.
    const sent = records.flatMap((r) => r.attempts).filter((a) => a.errorClass !== 'circuit_open');
    const seen = primary.requests.filter((r) => r.path === '/v1/messages').length + backup.requests.filter((r) => r.path === '/v1/messages').length;
    expect(sent.length).toBe(seen);
    expect(sent.filter((a) => a.provider === 'anthropic' && !a.success).length).toBe(faulted);
  }, 120_000);
});
