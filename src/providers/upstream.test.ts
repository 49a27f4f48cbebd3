import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProvider, type Provider } from './registry.js';
import { createUpstreamAgent, sendUpstream, upstreamPath } from './upstream.js';

describe('sendUpstream', () => {
  const seen: Array<{ method?: string; url?: string; body: string }> = [];
  let server: http.Server;
  let origin: string;
  const agent = createUpstreamAgent({ connectTimeoutMs: 2000 });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString() });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await agent.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const provider = (baseUrl: string, format: Provider['format'] = 'anthropic'): Provider => ({ ...demoProvider(baseUrl), format });

  async function pathSeen(p: Provider, path: string): Promise<string | undefined> {
    const resp = await sendUpstream(agent, p, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await resp.body.text()).toBe('ok');
    const last = seen.at(-1)!;
    expect(last.method).toBe('POST');
    expect(last.body).toBe('{"a":1}');
    return last.url;
  }

  it('sends to the base URL path joined with the operation path', async () => {
    expect(await pathSeen(provider(origin), upstreamPath(provider(origin), 'messages', undefined, '?beta=true'))).toBe('/v1/messages?beta=true');
    const openai = provider(`${origin}/v1`, 'openai');
    expect(await pathSeen(openai, upstreamPath(openai, 'chat'))).toBe('/v1/chat/completions');
    const nested = provider(`${origin}/proxy/openai/v1`, 'openai');
    expect(await pathSeen(nested, upstreamPath(nested, 'chat'))).toBe('/proxy/openai/v1/chat/completions');
  });

  it('keeps a Gemini model id encoded and the alt=sse query', async () => {
    const gemini = provider(origin, 'gemini');
    expect(await pathSeen(gemini, upstreamPath(gemini, 'stream_generate', 'models/gemini 2.5'))).toBe('/v1beta/models/models%2Fgemini%202.5:streamGenerateContent?alt=sse');
  });

  it('reads the origin from the base URL as a URL parser does (case, default port)', async () => {
    const shouting = provider(origin.replace('http://', 'HTTP://'));
    expect(await pathSeen(shouting, upstreamPath(shouting, 'count_tokens'))).toBe('/v1/messages/count_tokens');
  });
});
