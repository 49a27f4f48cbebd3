import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
// A second client address on the loopback network: Linux routes all of 127.0.0.0/8 to lo.
const other = new Agent({ localAddress: '127.0.0.2' });
const main = new Agent({ localAddress: '127.0.0.1' });

beforeAll(async () => {
  h = await startHarness({ auth: { failure_throttle: { max_failures: 3, window: '1m' } } });
});
afterAll(async () => {
  await other.close();
  await main.close();
  await h.close();
});

const BODY = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });

async function call(dispatcher: Agent, path: string, key: string) {
  const r = await request(`${h.url}${path}`, { method: 'POST', dispatcher, headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: path.includes('chat') ? JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] }) : BODY });
  return { status: r.statusCode, headers: r.headers, json: (await r.body.json()) as Record<string, unknown> };
}

describe('repeated authentication failures from one address', () => {
  it('are answered 401 up to the limit, then 429 with retry-after in the caller format, while other addresses are unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await call(main, '/v1/messages', `sk-sy-wrong-guess-${i}`)).status).toBe(401);

    const blocked = await call(main, '/v1/messages', 'sk-sy-wrong-guess-4');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });

    // A throttled address learns nothing from a right key either: it is answered before the key is looked at.
    expect((await call(main, '/v1/messages', h.key)).status).toBe(429);
    const openai = await call(main, '/v1/chat/completions', 'sk-sy-wrong-guess-5');
    expect(openai.status).toBe(429);
    expect(openai.json).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } });

    // Another address: served as usual, and its own failures count separately.
    const first = await call(other, '/v1/messages', h.key);
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect((await call(other, '/v1/messages', 'sk-sy-other-wrong')).status).toBe(401);
    expect((await call(other, '/v1/chat/completions', h.key)).status).toBe(200);

    await h.flush();
    const id = (blocked.headers['x-request-id'] as string) ?? '';
    const rec = await h.app.services.store.getRecord(id);
    expect(rec?.status).toBe(429);
    expect(rec?.errorClass).toBe('auth_throttled');
  });
});
