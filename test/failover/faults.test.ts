import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type FaultKind, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * Each fault of the primary provider, through both client formats: the request must be answered by the backup
 * (or, for a cut after the first token, end with a well-formed error), and `metadata.attempts` must say what happened.
 */
let primary: Simulator;
let backup: Simulator;
let h: Harness;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  primary = await startSimulator({ port: 0, label: 'primary' });
  backup = await startSimulator({ port: 0, label: 'backup' });
  h = await startHarness(
    {
      providers: {
        backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-key-0001', models: ['claude-sonnet-4-6'] },
        refused: { format: 'anthropic', base_url: 'http://127.0.0.1:9', api_key: 'refused-key-0001', models: ['claude-sonnet-4-6'] },
        openai: { api_key: 'sk-openai-primary-0001', base_url: `${primary.url}/v1` },
        'backup-oai': { format: 'openai', base_url: `${backup.url}/v1`, api_key: 'backup-oai-0001', models: ['gpt-5.1'] },
      },
      // These cases fail the primary on purpose many times over; breakers have their own tests.
      failover: { breaker: { consecutiveFailures: 1_000_000, errorRate: 1 } },
    },
    { sim: primary },
  );
  anthropic = new Anthropic({ baseURL: h.url, apiKey: h.key, maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.key, maxRetries: 0 });
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

const ROUTING = { models: ['backup/claude-sonnet-4-6'], fallback: { ttft_timeout: '400ms' } };
type Attempt = { provider: string; success: boolean; status: number | null; error: string | null };

async function viaAnthropic(stream: boolean, model = 'anthropic/claude-sonnet-4-6'): Promise<{ text: string; attempts: Attempt[] }> {
  const params = { model, max_tokens: 100, messages: [{ role: 'user' as const, content: 'hello' }], ...ROUTING } as unknown as Anthropic.MessageCreateParamsNonStreaming;
  if (stream) {
    // The SDK's accumulated message drops unknown fields; metadata rides on the final message_delta event.
    let attempts: Attempt[] = [];
    const s = anthropic.messages.stream(params);
    s.on('streamEvent', (ev) => {
      const m = (ev as unknown as { metadata?: { attempts: Attempt[] } }).metadata;
      if (ev.type === 'message_delta' && m) attempts = m.attempts;
    });
    const msg = await s.finalMessage();
    return { text: (msg.content[0] as Anthropic.TextBlock).text, attempts };
  }
  const msg = await anthropic.messages.create(params);
  return { text: (msg.content[0] as Anthropic.TextBlock).text, attempts: (msg as unknown as { metadata: { attempts: Attempt[] } }).metadata.attempts };
}

async function viaOpenAI(stream: boolean, model = 'anthropic/claude-sonnet-4-6'): Promise<{ text: string; attempts: Attempt[] }> {
  const params = { model, messages: [{ role: 'user' as const, content: 'hello' }], ...ROUTING } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
  if (stream) {
    const chunks: Array<{ metadata?: { attempts: Attempt[] } }> = [];
    const s = openai.chat.completions.stream({ ...params, stream: true });
    s.on('chunk', (c) => chunks.push(c as unknown as { metadata?: { attempts: Attempt[] } }));
    const done = await s.finalChatCompletion();
    return { text: done.choices[0].message.content ?? '', attempts: chunks.find((c) => c.metadata)?.metadata?.attempts ?? [] };
  }
  const done = await openai.chat.completions.create(params);
  return { text: done.choices[0].message.content ?? '', attempts: (done as unknown as { metadata: { attempts: Attempt[] } }).metadata.attempts };
}

const FAULTS: Array<[string, FaultKind, { streamOnly?: boolean }]> = [
  ['429 with retry-after', { kind: 'status', status: 429, retryAfter: 1 }, {}],
  ['429 without retry-after', { kind: 'status', status: 429 }, {}],
  ['500', { kind: 'status', status: 500 }, {}],
  ['503', { kind: 'status', status: 503 }, {}],
  ['529', { kind: 'status', status: 529 }, {}],
  ['upstream 401', { kind: 'status', status: 401 }, {}],
  ['TTFT timeout (slow first token)', { kind: 'slow_first_token', ms: 3000 }, { streamOnly: true }],
  ['hang', { kind: 'hang' }, { streamOnly: true }],
  ['cut before the first token', { kind: 'cut', afterEvents: 1 }, { streamOnly: true }],
  ['malformed event before the first token', { kind: 'malformed', afterEvents: 1 }, { streamOnly: true }],
  ['error event before the first token', { kind: 'stream_error', afterEvents: 1 }, { streamOnly: true }],
  ['connection reset', { kind: 'reset' }, {}],
];

describe.each([
  ['anthropic client (passthrough)', viaAnthropic],
  ['openai client (translated)', viaOpenAI],
] as const)('%s', (_name, call) => {
  describe.each([false, true])('stream=%s', (stream) => {
    for (const [label, fault, opts] of FAULTS) {
      if (opts.streamOnly && !stream) continue;
      it(`${label}: the backup answers and metadata shows both attempts`, async () => {
        primary.fault({ fault, times: 1 });
        const out = await call(stream);
        expect(out.text).toMatch(/via backup/);
        expect(out.attempts.map((a) => [a.provider, a.success])).toEqual([
          ['anthropic', false],
          ['backup', true],
        ]);
        expect(backup.requests).toHaveLength(1);
      }, 15_000);
    }

    it('connection refused: the next provider answers', async () => {
      const out = await call(stream, 'refused/claude-sonnet-4-6');
      expect(out.text).toMatch(/via backup/);
      expect(out.attempts.map((a) => [a.provider, a.success])).toEqual([
        ['refused', false],
        ['backup', true],
      ]);
    });
  });
});

describe('openai client to an OpenAI-format upstream (passthrough)', () => {
  async function viaOpenAIPassthrough(stream: boolean) {
    const params = { model: 'openai/gpt-5.1', messages: [{ role: 'user' as const, content: 'hello' }], models: ['backup-oai/gpt-5.1'], fallback: { ttft_timeout: '400ms' } } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    if (!stream) {
      const done = await openai.chat.completions.create(params);
      return { text: done.choices[0].message.content ?? '', attempts: (done as unknown as { metadata: { attempts: Attempt[] } }).metadata.attempts };
    }
    const chunks: Array<{ metadata?: { attempts: Attempt[] } }> = [];
    const s = openai.chat.completions.stream({ ...params, stream: true });
    s.on('chunk', (c) => chunks.push(c as unknown as { metadata?: { attempts: Attempt[] } }));
    const done = await s.finalChatCompletion();
    return { text: done.choices[0].message.content ?? '', attempts: chunks.find((c) => c.metadata)?.metadata?.attempts ?? [] };
  }
  describe.each([false, true])('stream=%s', (stream) => {
    for (const [label, fault, opts] of FAULTS) {
      if (opts.streamOnly && !stream) continue;
      it(`${label}: the backup answers`, async () => {
        primary.fault({ fault, times: 1 });
        const out = await viaOpenAIPassthrough(stream);
        expect(out.text).toMatch(/via backup/);
        expect(out.attempts.map((a) => [a.provider, a.success])).toEqual([
          ['openai', false],
          ['backup-oai', true],
        ]);
      }, 15_000);
    }
  });
});

describe('after the first token a failure is not hidden', () => {
  it('Anthropic stream cut after commit ends with an error event and the record says stream_cut', async () => {
    primary.fault({ fault: { kind: 'cut', afterEvents: 5 }, times: 1 });
    primary.script([{ content: [{ type: 'text', text: 'one two three four five six seven eight nine ten eleven twelve' }] }]);
    const stream = anthropic.messages.stream({ model: 'anthropic/claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }], ...ROUTING } as unknown as Anthropic.MessageCreateParamsNonStreaming);
    const err = await stream.finalMessage().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(backup.requests).toHaveLength(0);
    const id = (await stream.withResponse()).response.headers.get('x-request-id')!;
    await h.flush();
    const rec = await h.app.services.store.getRecord(id);
    expect(rec!.errorClass).toBe('stream_cut');
  });

  it('OpenAI stream cut after commit ends with an error chunk, not [DONE]', async () => {
    primary.fault({ fault: { kind: 'cut', afterEvents: 5 }, times: 1 });
    primary.script([{ content: [{ type: 'text', text: 'one two three four five six seven eight nine ten eleven twelve' }] }]);
    const r = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'anthropic/claude-sonnet-4-6', stream: true, messages: [{ role: 'user', content: 'hello' }], ...ROUTING }) });
    const text = await r.text();
    expect(text).toContain('"error"');
    expect(text).not.toContain('[DONE]');
  });

  it("the caller's own 400 is not failed over and comes back with the upstream message", async () => {
    primary.fault({ fault: { kind: 'status', status: 400, message: 'messages.0: bad thing' }, times: 1 });
    const err = (await viaAnthropic(false).catch((e: unknown) => e)) as InstanceType<typeof Anthropic.BadRequestError>;
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toMatch(/bad thing/);
    expect(backup.requests).toHaveLength(0);
  });
});

describe('Retry-After', () => {
  it('is waited out when no other candidate is left and it fits the deadline', async () => {
    primary.fault({ fault: { kind: 'status', status: 429, retryAfter: 1 }, times: 1 });
    const started = Date.now();
    const msg = await anthropic.messages.create({ model: 'anthropic/claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((msg as unknown as { metadata: { attempts: Attempt[] } }).metadata.attempts.map((a) => [a.provider, a.success])).toEqual([
      ['anthropic', false],
      ['anthropic', true],
    ]);
  });
});

describe('client disconnect', () => {
  it.each([
    ['anthropic', '/v1/messages', { model: 'anthropic/claude-sonnet-4-6', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }],
    ['openai (translated)', '/v1/chat/completions', { model: 'anthropic/claude-sonnet-4-6', stream: true, messages: [{ role: 'user', content: 'hi' }] }],
  ])('%s: closing the connection cancels the upstream at once and is recorded as client_closed', async (_name, path, body) => {
    primary.fault({ fault: { kind: 'slow_first_token', ms: 5000 }, times: 1 });
    const ac = new AbortController();
    const pending = fetch(`${h.url}${path}`, { method: 'POST', headers: { 'x-api-key': h.key, authorization: `Bearer ${h.key}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal: ac.signal }).catch(() => null);
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    await pending;
    const started = Date.now();
    let rec = null;
    while (Date.now() - started < 3000) {
      await h.flush();
      rec = (await h.app.services.store.listRecords({ limit: 1 }))[0];
      if (rec && rec.errorClass === 'client_closed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rec).toMatchObject({ status: 499, errorClass: 'client_closed' });
    // Well before the upstream's first token (5 s): the upstream request was cancelled, not waited out.
    expect(rec!.durationMs).toBeLessThan(2000);
    expect(backup.requests).toHaveLength(0);
  });
});
