/** The HTTP control surface drives the simulator from another process. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './index.js';
import { AUTH_HEADERS, GEMINI_HEADERS, OPENAI_HEADERS } from './test-support.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ label: 'ctl' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const BODY = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] };

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sim.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

async function message(model = BODY.model): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}/v1/messages`, { method: 'POST', headers: AUTH_HEADERS, body: JSON.stringify({ ...BODY, model }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('/_sim control surface', () => {
  it('POST /_sim/script queues turns (optionally per model)', async () => {
    expect(await control('POST', '/_sim/script', { turns: [{ content: [{ type: 'text', text: 'from control' }] }] })).toEqual({
      status: 200,
      json: { ok: true, queued: 1 },
    });
    await control('POST', '/_sim/script', { turns: [{ content: [{ type: 'text', text: 'opus only' }] }], match: { model: 'claude-opus-4-8' } });
    expect((await message('claude-opus-4-8')).json.content).toEqual([{ type: 'text', text: 'opus only' }]);
    expect((await message()).json.content).toEqual([{ type: 'text', text: 'from control' }]);
  });

  it('POST /_sim/fault adds a rule, POST /_sim/faults/clear drops them', async () => {
    expect((await control('POST', '/_sim/fault', { fault: { kind: 'status', status: 529 }, times: 1 })).status).toBe(200);
    expect((await message()).status).toBe(529);
    expect((await message()).status).toBe(200);
    await control('POST', '/_sim/fault', { fault: { kind: 'status', status: 500 } });
    await control('POST', '/_sim/faults/clear');
    expect((await message()).status).toBe(200);
  });

  it('rejects invalid scripts, rules and JSON with 400', async () => {
    expect((await control('POST', '/_sim/fault', { fault: { kind: 'explode' } })).status).toBe(400);
    expect((await control('POST', '/_sim/script', { turns: 'nope' })).status).toBe(400);
    const res = await fetch(`${sim.url}/_sim/script`, { method: 'POST', body: '{nope' });
    expect(res.status).toBe(400);
    expect((await control('GET', '/_sim/nothing')).status).toBe(404);
  });

  it('GET /_sim/requests lists logged requests with UTF-8 bodies; control calls are not logged', async () => {
    await message();
    await message('claude-opus-4-8');
    const { status, json } = await control('GET', '/_sim/requests');
    expect(status).toBe(200);
    const list = json as Array<Record<string, unknown>>;
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ method: 'POST', path: '/v1/messages', model: 'claude-sonnet-4-5', stream: false, protocol: 'anthropic' });
    expect(JSON.parse(list[1].body as string)).toMatchObject({ model: 'claude-opus-4-8' });
    const limited = (await control('GET', '/_sim/requests?limit=1')).json as Array<Record<string, unknown>>;
    expect(limited).toHaveLength(1);
    expect(limited[0].model).toBe('claude-opus-4-8');
    expect(sim.requests).toHaveLength(2);
  });

  it('scripts set over HTTP serve every protocol; the log says which one served each request', async () => {
    await control('POST', '/_sim/script', {
      turns: [{ content: [{ type: 'tool_use', name: 'get_weather', input: { city: 'Oslo' } }] }, { content: [{ type: 'text', text: 'gemini turn' }] }],
    });
    const oa = await fetch(`${sim.url}/v1/chat/completions`, {
      method: 'POST',
      headers: OPENAI_HEADERS,
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
    });
    const call = ((await oa.json()) as { choices: Array<{ message: { tool_calls: Array<{ function: { arguments: string } }> } }> }).choices[0].message.tool_calls[0];
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Oslo' });
    const g = await fetch(`${sim.url}/v1beta/models/gemini-2.0-flash:generateContent`, {
      method: 'POST',
      headers: GEMINI_HEADERS,
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x' }] }] }),
    });
    expect(JSON.stringify(await g.json())).toContain('gemini turn');
    const list = (await control('GET', '/_sim/requests')).json as Array<Record<string, unknown>>;
    expect(list.map((r) => [r.protocol, r.model])).toEqual([
      ['openai', 'gpt-4o'],
      ['gemini', 'gemini-2.0-flash'],
    ]);
  });

  it('POST /_sim/reset clears requests, scripts and faults; GET /_sim/status reports counts', async () => {
    await control('POST', '/_sim/script', { turns: [{ content: [{ type: 'text', text: 'x' }] }] });
    await control('POST', '/_sim/fault', { fault: { kind: 'latency', ms: 1 } });
    await message();
    await control('POST', '/_sim/script', { turns: [{ content: [{ type: 'text', text: 'y' }] }] });
    expect((await control('GET', '/_sim/status')).json).toEqual({ label: 'ctl', requests: 1, scripted: 1, faults: 1, replays: 0 });
    expect((await control('POST', '/_sim/reset')).json).toEqual({ ok: true });
    expect((await control('GET', '/_sim/status')).json).toEqual({ label: 'ctl', requests: 0, scripted: 0, faults: 0, replays: 0 });
    expect(sim.requests).toHaveLength(0);
  });
});
