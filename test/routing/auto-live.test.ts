import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * `auto` end to end: two providers host the same model (each a separate simulator); the catalog prior says the first
 * is faster, then it turns slow and `sort: ["latency"]` moves away once the router has measured it.
 */
let fast: Simulator;
let slow: Simulator;
let h: Harness;
let client: Anthropic;

beforeAll(async () => {
  slow = await startSimulator({ port: 0, label: 'fireworks' });
  fast = await startSimulator({ port: 0, label: 'together' });
  h = await startHarness({
    providers: {
      fireworks: { api_key: 'fw-test-0001', base_url: `${slow.url}/v1` },
      together: { api_key: 'tg-test-0001', base_url: `${fast.url}/v1` },
    },
  });
  client = new Anthropic({ baseURL: h.url, apiKey: h.key, maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
  await slow.close();
  await fast.close();
});

async function autoRequest(extra: Record<string, unknown>) {
  const { data, response } = await client.messages
    .create({ model: 'auto', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }], ...extra } as Anthropic.MessageCreateParamsNonStreaming)
    .withResponse();
  return { provider: response.headers.get('x-switchyard-provider'), metadata: (data as unknown as { metadata: { reasoning: string } }).metadata, model: data.model };
}

describe('auto', () => {
  it('ranks by the catalog prior first, then by measured latency', async () => {
    const first = await autoRequest({ models: ['gpt-oss-120b'], sort: ['latency'] });
    // Catalog priors: Fireworks 500 ms, Together 600 ms.
    expect(first.provider).toBe('fireworks');
    expect(first.metadata.reasoning).toMatch(/fireworks/);
    expect(first.metadata.reasoning).toMatch(/latency|time to first token/i);

    slow.fault({ fault: { kind: 'latency', ms: 800 } });
    // Live figures replace the prior once 5 samples exist (the first request above was one, fast): four slow answers
    // later the median is ~800 ms, above Together's 600 ms prior.
    const seen: Array<string | null> = [];
    let last = first;
    for (let i = 0; i < 5; i++) {
      last = await autoRequest({ models: ['gpt-oss-120b'], sort: ['latency'] });
      seen.push(last.provider);
    }
    expect(seen).toEqual(['fireworks', 'fireworks', 'fireworks', 'fireworks', 'together']);
    expect(last.model).toBe('together/openai/gpt-oss-120b');
    expect(last.metadata.reasoning).toMatch(/together/);
  });

  it('sort by price picks the cheapest host; extra_body wins over top-level fields; ignore removes a provider', async () => {
    // Prices for gpt-oss-120b: Fireworks and Together both 0.15/0.6; ignoring one leaves the other.
    const r = await autoRequest({ sort: ['latency'], extra_body: { models: ['gpt-oss-120b'], sort: ['price'], ignore: ['fireworks'] } });
    expect(r.provider).toBe('together');
  });

  it('a capability the pool lacks is a clear 404 listing why each model was excluded', async () => {
    const err = (await client.messages
      .create({ model: 'auto', max_tokens: 100, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }], models: ['gpt-oss-120b'] } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.message).toMatch(/no image input/);
  });
});

describe('routing hints from headers (Claude Code cannot add body fields)', () => {
  it('x-switchyard-route and x-switchyard-metadata steer the request and never reach the upstream', async () => {
    fast.reset();
    slow.reset();
    const hinted = new Anthropic({
      baseURL: h.url,
      apiKey: h.key,
      maxRetries: 0,
      defaultHeaders: { 'x-switchyard-route': JSON.stringify({ models: ['gpt-oss-120b'], ignore: ['fireworks'] }), 'x-switchyard-metadata': 'team=ml; tier=pro' },
    });
    const { response } = await hinted.messages.create({ model: 'auto', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.headers.get('x-switchyard-provider')).toBe('together');
    const upstream = fast.requests.at(-1)!;
    expect(Object.keys(upstream.headers).filter((k) => k.startsWith('x-switchyard'))).toEqual([]);
    expect(upstream.body.toString()).not.toContain('tier');

    const bad = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': h.key, 'content-type': 'application/json', 'x-switchyard-route': '{not json' }, body: JSON.stringify({ model: 'auto', max_tokens: 5, messages: [] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/x-switchyard-route is not valid JSON/);
  });
});
