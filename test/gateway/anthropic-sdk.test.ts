import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  h = await startHarness();
  client = new Anthropic({ baseURL: h.url, apiKey: h.key, maxRetries: 0 });
});
afterAll(async () => h.close());
beforeEach(() => h.sim.reset());

async function recordFor(id: string) {
  await h.flush();
  const r = await h.app.services.store.getRecord(id);
  expect(r, `record ${id}`).not.toBeNull();
  return r!;
}

const base = { model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user' as const, content: 'Hello there' }] };

describe('Anthropic SDK through the router to an Anthropic-format upstream', () => {
  it('non-streaming text: answer, served model, metadata, headers and record', async () => {
    const { data, response } = await client.messages.create(base).withResponse();
    expect(data.type).toBe('message');
    expect(data.content[0].type).toBe('text');
    expect((data.content[0] as Anthropic.TextBlock).text.length).toBeGreaterThan(0);
    expect(data.model).toBe('anthropic/claude-sonnet-4-6');
    expect(data.stop_reason).toBe('end_turn');
    const metadata = (data as unknown as { metadata: { attempts: Array<Record<string, unknown>>; generation_id: string } }).metadata;
    expect(metadata.attempts).toHaveLength(1);
    expect(metadata.attempts[0]).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-6', success: true, status: 200 });
    const id = response.headers.get('x-request-id')!;
    expect(id).toMatch(/^req_/);
    expect(metadata.generation_id).toBe(id);
    expect(response.headers.get('x-switchyard-provider')).toBe('anthropic');
    expect(response.headers.get('x-switchyard-model')).toBe('anthropic/claude-sonnet-4-6');
    expect(response.headers.get('x-switchyard-attempts')).toBe('1');
    expect(Number(response.headers.get('x-switchyard-overhead-ms'))).toBeGreaterThanOrEqual(0);

    const rec = await recordFor(id);
    expect(rec).toMatchObject({ keyName: 'test-key', api: 'anthropic', requestedModel: 'claude-sonnet-4-6', model: 'anthropic/claude-sonnet-4-6', provider: 'anthropic', status: 200, stream: false, stopReason: 'end_turn', errorClass: null });
    expect(rec.usage!.input).toBe(data.usage.input_tokens);
    expect(rec.usage!.output).toBe(data.usage.output_tokens);
    expect(rec.ttftMs).not.toBeNull();
  });

  it('streaming text: the SDK accumulates a complete message; usage and stop reason reach the record', async () => {
    const stream = client.messages.stream({ ...base, model: 'anthropic/claude-sonnet-4-6' });
    const msg = await stream.finalMessage();
    expect(msg.model).toBe('anthropic/claude-sonnet-4-6');
    expect((msg.content[0] as Anthropic.TextBlock).text.length).toBeGreaterThan(0);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
    const id = (await stream.withResponse()).response.headers.get('x-request-id')!;
    const rec = await recordFor(id);
    expect(rec.stream).toBe(true);
    expect(rec.usage!.output).toBe(msg.usage.output_tokens);
    expect(rec.usage!.input).toBe(msg.usage.input_tokens);
    expect(rec.stopReason).toBe('end_turn');
    expect(rec.ttftMs).toBeGreaterThan(0);
  });

  it('tool use, streaming and not: the input object survives', async () => {
    const tools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
    h.sim.script([{ content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', name: 'get_weather', input: { city: 'Paris', days: [1, 2] } }] }]);
    const plain = await client.messages.create({ ...base, tools });
    const tu = plain.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
    expect(tu.name).toBe('get_weather');
    expect(tu.input).toEqual({ city: 'Paris', days: [1, 2] });
    expect(plain.stop_reason).toBe('tool_use');

    h.sim.script([{ content: [{ type: 'tool_use', name: 'get_weather', input: { city: 'Oslo' } }] }]);
    const streamed = await client.messages.stream({ ...base, tools }).finalMessage();
    const stu = streamed.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
    expect(stu.input).toEqual({ city: 'Oslo' });
    expect(streamed.stop_reason).toBe('tool_use');
  });

  it('thinking blocks keep their signatures, streaming and not', async () => {
    const thinking = { type: 'enabled' as const, budget_tokens: 1024 };
    h.sim.script([{ content: [{ type: 'thinking', thinking: 'Consider the question.', signature: 'EqQBCkYIBxgCKkBsig==' }, { type: 'text', text: 'Answer.' }] }]);
    const plain = await client.messages.create({ ...base, max_tokens: 2048, thinking });
    expect(plain.content[0]).toMatchObject({ type: 'thinking', thinking: 'Consider the question.', signature: 'EqQBCkYIBxgCKkBsig==' });

    h.sim.script([{ content: [{ type: 'thinking', thinking: 'Streaming thought.', signature: 'SIGstream123==' }, { type: 'text', text: 'Done.' }] }]);
    const streamed = await client.messages.stream({ ...base, max_tokens: 2048, thinking }).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: 'thinking', thinking: 'Streaming thought.', signature: 'SIGstream123==' });
    expect(streamed.content[1]).toMatchObject({ type: 'text', text: 'Done.' });
  });

  it('count_tokens is forwarded and exact', async () => {
    const body = { model: 'claude-sonnet-4-6', messages: [{ role: 'user' as const, content: 'Count these tokens, please, all of them.' }], system: 'Be brief.' };
    const viaRouter = await client.messages.countTokens(body);
    const direct = await new Anthropic({ baseURL: h.sim.url, apiKey: 'x', maxRetries: 0 }).messages.countTokens(body);
    expect(viaRouter.input_tokens).toBe(direct.input_tokens);
    expect(viaRouter.input_tokens).toBeGreaterThan(0);
    const forwarded = h.sim.requests.filter((r) => r.path === '/v1/messages/count_tokens');
    expect(forwarded.length).toBe(2);
  });

  it('forwards ?beta=true and every anthropic-beta value', async () => {
    const betas = ['claude-code-20250219', 'interleaved-thinking-2025-05-14', 'context-1m-2025-08-07', 'some-future-beta-2031-01-01'];
    const r = await fetch(`${h.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.key}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': betas.join(',') },
      body: JSON.stringify(base),
    });
    expect(r.status).toBe(200);
    await client.beta.messages.create({ ...base, betas });
    expect(String(h.sim.requests.at(-1)!.headers['anthropic-beta']).split(',')).toEqual(betas);
    const req = h.sim.requests.at(-2)!;
    expect(req.query).toContain('beta=true');
    expect(String(req.headers['anthropic-beta']).split(',')).toEqual(betas);
  });
});

describe('errors come back in Anthropic format', () => {
  async function raw(body: string | Buffer, headers: Record<string, string> = {}) {
    const r = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': h.key, 'anthropic-version': '2023-06-01', ...headers }, body });
    return { status: r.status, body: (await r.json()) as { type: string; error: { type: string; message: string }; request_id: string }, headers: r.headers };
  }

  it('401 for a missing, unknown or revoked key', async () => {
    await expect(new Anthropic({ baseURL: h.url, apiKey: 'sk-sy-unknown-key-000000000000', maxRetries: 0 }).messages.create(base)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const missing = await fetch(`${h.url}/v1/messages`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { type: string } }).error.type).toBe('authentication_error');

    const { createClientKey } = await import('../../src/auth/index.js');
    const made = await createClientKey(h.app.services.store, 'soon-revoked');
    h.app.services.keys.noteCreated(made.record);
    const c = new Anthropic({ baseURL: h.url, apiKey: made.key, maxRetries: 0 });
    await c.messages.create(base);
    const revoked = await h.app.services.store.revokeKey('soon-revoked');
    h.app.services.keys.noteRevoked(revoked!);
    await expect(c.messages.create(base)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it('400 for malformed JSON, missing fields and wrong types, naming the field; each gets a record', async () => {
    const malformed = await raw('{"model": "claude-sonnet-4-6", "max_tokens": 10,');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.type).toBe('invalid_request_error');
    expect(malformed.body.error.message).toMatch(/not valid JSON/);

    const noMax = await raw(JSON.stringify({ model: 'claude-sonnet-4-6', messages: [] }));
    expect(noMax.status).toBe(400);
    expect(noMax.body.error.message).toMatch(/^max_tokens: field required/);

    const noMessages = await raw(JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 5 }));
    expect(noMessages.body.error.message).toMatch(/^messages: field required/);

    const wrongType = await raw(JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: '5', messages: [] }));
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toMatch(/^max_tokens: expected a number, got a string/);

    const wrongStream = await raw(JSON.stringify({ ...base, stream: 'yes' }));
    expect(wrongStream.body.error.message).toMatch(/^stream: expected a boolean/);

    const notObject = await raw('[1,2]');
    expect(notObject.status).toBe(400);

    const rec = await recordFor(wrongType.headers.get('x-request-id')!);
    expect(rec).toMatchObject({ status: 400, errorClass: 'invalid_request_error', keyName: 'test-key' });
    expect(h.sim.requests.length).toBe(0);
  });

  it('404 not_found_error naming an unknown model', async () => {
    const err = await client.messages.create({ ...base, model: 'no-such-model-xyz' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect((err as InstanceType<typeof Anthropic.NotFoundError>).message).toMatch(/no-such-model-xyz/);
    expect((err as InstanceType<typeof Anthropic.NotFoundError>).message).toMatch(/GET \/v1\/models/);
  });

  it('upstream 429 keeps its status, type, message and retry-after', async () => {
    h.sim.fault({ fault: { kind: 'status', status: 429, retryAfter: 7, message: 'slow down please' } });
    const err = (await client.messages.create(base).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.RateLimitError>;
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.message).toMatch(/slow down please/);
    expect(err.headers?.get('retry-after')).toBe('7');
    expect((err.error as { error: { type: string } }).error.type).toBe('rate_limit_error');
  });

  it('upstream 529 and 500 keep their status and type', async () => {
    h.sim.fault({ fault: { kind: 'status', status: 529 } });
    const e529 = (await client.messages.create(base).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(e529.status).toBe(529);
    expect((e529.error as { error: { type: string } }).error.type).toBe('overloaded_error');
    h.sim.clearFaults();
    h.sim.fault({ fault: { kind: 'status', status: 500 } });
    const e500 = (await client.messages.create(base).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(e500).toBeInstanceOf(Anthropic.InternalServerError);
    expect((e500.error as { error: { type: string } }).error.type).toBe('api_error');
    const rec = await recordFor(e500.headers!.get('x-request-id')!);
    expect(rec.status).toBe(500);
    expect(rec.attempts).toHaveLength(1);
    expect(rec.attempts[0]).toMatchObject({ provider: 'anthropic', status: 500, success: false });
  });

  it("an upstream 401 is the operator's problem: 502, not the caller's 401", async () => {
    h.sim.fault({ fault: { kind: 'status', status: 401 } });
    const err = (await client.messages.create(base).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/rejected Switchyard's credentials/);
  });

  it('413 for a body over the limit', async () => {
    const small = await startHarness({ server: { body_limit: 4096 } }, { sim: h.sim });
    try {
      const r = await fetch(`${small.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': small.key, 'content-type': 'application/json' }, body: JSON.stringify({ ...base, messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }) });
      expect(r.status).toBe(413);
      expect(((await r.json()) as { error: { type: string } }).error.type).toBe('request_too_large');
    } finally {
      await small.close();
    }
  });
});
