import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 3)]);

let images: http.Server;
let imageBase: string;
const imageHits: string[] = [];
let sim: Simulator;

beforeAll(async () => {
  images = http.createServer((req, res) => {
    imageHits.push(req.url!);
    if (req.url === '/cat.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG);
    } else if (req.url === '/to-metadata') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>');
    }
  });
  await new Promise<void>((r) => images.listen(0, '127.0.0.1', r));
  imageBase = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => {
  await new Promise((r) => images.close(r));
  await sim.close();
});

function providers() {
  return { gem: { format: 'gemini' as const, base_url: sim.url, api_key: 'gemini-test-key-000001', models: ['gemini-2.5-flash'] } };
}

function openaiImage(url: string) {
  return { model: 'gem/gemini-2.5-flash', messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url } }] }] };
}

function anthropicImage(url: string) {
  return { model: 'gem/gemini-2.5-flash', max_tokens: 50, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url } }, { type: 'text', text: 'what is this?' }] }] };
}

async function post(h: Harness, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown>; id: string }> {
  const r = await fetch(`${h.url}${path}`, { method: 'POST', headers: { 'x-api-key': h.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown>, id: r.headers.get('x-request-id')! };
}

function lastGeminiParts(): Array<Record<string, unknown>> {
  const req = sim.requests.filter((r) => r.protocol === 'gemini').at(-1)!;
  const body = JSON.parse(req.body.toString('utf8')) as { contents: Array<{ parts: Array<Record<string, unknown>> }> };
  return body.contents.flatMap((c) => c.parts);
}

describe('remote images for Gemini, fetching on (loopback allowed for the test image server only)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ providers: providers(), remote_fetch: { allow_addresses: ['127.0.0.1'] } }, { sim });
  });
  afterAll(async () => h.close());
  beforeEach(() => {
    sim.reset();
    imageHits.length = 0;
  });

  it('an OpenAI image_url is fetched by the router and sent to Gemini inline', async () => {
    const r = await post(h, '/v1/chat/completions', openaiImage(`${imageBase}/cat.png`));
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(imageHits).toEqual(['/cat.png']);
    expect(lastGeminiParts()).toContainEqual({ inlineData: { mimeType: 'image/png', data: PNG.toString('base64') } });
  });

  it('an Anthropic url image source is fetched the same way', async () => {
    const r = await post(h, '/v1/messages', anthropicImage(`${imageBase}/cat.png`));
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(lastGeminiParts()).toContainEqual({ inlineData: { mimeType: 'image/png', data: PNG.toString('base64') } });
  });

  it.each([
    ['http://10.0.0.7/a.png', 'private'],
    ['http://127.0.0.2/a.png', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'metadata'],
    ['http://[fe80::1]/a.png', 'link-local'],
  ])('a refused URL (%s) gets a 400 in the OpenAI format saying why, and a record', async (url, cls) => {
    const r = await post(h, '/v1/chat/completions', openaiImage(url));
    expect(r.status).toBe(400);
    const err = r.json.error as { type: string; message: string };
    expect(err.type).toBe('invalid_request_error');
    expect(err.message).toContain(cls);
    expect(sim.requests).toHaveLength(0);
    await h.flush();
    const rec = await h.app.services.store.getRecord(r.id);
    expect(rec?.status).toBe(400);
    expect(rec?.errorClass).toBe('remote_fetch_refused_address');
  });

  it('a redirect into the metadata address gets a 400 in the Anthropic format', async () => {
    const r = await post(h, '/v1/messages', anthropicImage(`${imageBase}/to-metadata`));
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect((r.json.error as { message: string }).message).toContain('metadata');
    expect(imageHits).toEqual(['/to-metadata']);
    expect(sim.requests).toHaveLength(0);
  });

  it('a URL that is not an image gets a 400', async () => {
    const r = await post(h, '/v1/chat/completions', openaiImage(`${imageBase}/page.png`));
    expect(r.status).toBe(400);
    expect((r.json.error as { message: string }).message).toMatch(/content type text\/html/);
  });
});

describe('remote images for Gemini, fetching off', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ providers: providers(), remote_fetch: { enabled: false } }, { sim });
  });
  afterAll(async () => h.close());

  it('the router fetches nothing and passes the URL on as fileData', async () => {
    sim.reset();
    imageHits.length = 0;
    const r = await post(h, '/v1/chat/completions', openaiImage(`${imageBase}/cat.png`));
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(imageHits).toEqual([]);
    expect(lastGeminiParts()).toContainEqual({ fileData: { mimeType: 'image/png', fileUri: `${imageBase}/cat.png` } });
  });
});
