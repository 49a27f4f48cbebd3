import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let sim: Simulator;
let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  h = await startHarness({ providers: { openai: { api_key: 'sk-openai-pt-0001', base_url: `${sim.url}/v1` } } }, { sim });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.key, maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
  await sim.close();
});
beforeEach(() => sim.reset());

const post = (body: string) => fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.key}`, 'content-type': 'application/json' }, body });

describe('OpenAI client to an OpenAI-format upstream: passthrough', () => {
  it('forwards the caller bytes with only model, extension fields and stream_options edited', async () => {
    const body = '{ "model":"openai/gpt-5.1", "messages":[{"role":"user","content":"caf\\u00e9 1.50e1"}],\n "models":["x"], "logprobs":true, "stream":true }';
    const r = await post(body);
    expect(r.status).toBe(200);
    await r.text();
    expect(sim.requests.at(-1)!.body.toString()).toBe('{ "model":"gpt-5.1", "messages":[{"role":"user","content":"caf\\u00e9 1.50e1"}], "logprobs":true, "stream":true ,"stream_options":{"include_usage":true}}');
  });

  it('non-streaming: served model and metadata added, usage recorded', async () => {
    sim.script([{ content: [{ type: 'text', text: 'Hello from upstream.' }] }]);
    const { data, response } = await client.chat.completions.create({ model: 'openai/gpt-5.1', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.model).toBe('openai/gpt-5.1');
    expect(data.choices[0].message.content).toBe('Hello from upstream.');
    expect((data as unknown as { metadata: { attempts: unknown[] } }).metadata.attempts).toHaveLength(1);
    await h.flush();
    const rec = await h.app.services.store.getRecord(response.headers.get('x-request-id')!);
    expect(rec).toMatchObject({ api: 'openai', endpoint: 'chat_completions', status: 200, provider: 'openai', stopReason: 'stop' });
    expect(rec!.usage!.output).toBe(data.usage!.completion_tokens);
  });

  it('streaming without include_usage: the usage chunk Switchyard asked for is removed, the record still has usage', async () => {
    sim.script([{ content: [{ type: 'text', text: 'Streamed words arrive here.' }] }]);
    const r = await post(JSON.stringify({ model: 'openai/gpt-5.1', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    const text = await r.text();
    const chunks = text.split('\n\n').filter((c) => c.startsWith('data: ') && c !== 'data: [DONE]').map((c) => JSON.parse(c.slice(6)) as { model: string; choices: unknown[]; metadata?: unknown; usage?: unknown });
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(chunks.every((c) => c.model === 'openai/gpt-5.1')).toBe(true);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(chunks.at(-1)!.metadata).toBeDefined();
    await h.flush();
    const rec = await h.app.services.store.getRecord(r.headers.get('x-request-id')!);
    expect(rec!.usage!.output).toBeGreaterThan(0);
  });

  it('streaming with include_usage: the SDK gets usage and the full text', async () => {
    sim.script([{ content: [{ type: 'text', text: 'Counting tokens works.' }] }]);
    const stream = client.chat.completions.stream({ model: 'openai/gpt-5.1', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } });
    const done = await stream.finalChatCompletion();
    expect(done.choices[0].message.content).toBe('Counting tokens works.');
    expect(done.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('errors come back in OpenAI format: 401, 404 model_not_found, 400, upstream 429', async () => {
    await expect(new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'nope-nope-nope-nope', maxRetries: 0 }).chat.completions.create({ model: 'openai/gpt-5.1', messages: [] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const nf = (await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.NotFoundError>;
    expect(nf).toBeInstanceOf(OpenAI.NotFoundError);
    expect(nf.code).toBe('model_not_found');
    const bad = await post('{"model": 5}');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    sim.fault({ fault: { kind: 'status', status: 429, retryAfter: 2 } });
    await expect(client.chat.completions.create({ model: 'openai/gpt-5.1', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});
