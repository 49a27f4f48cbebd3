import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addressPolicy, fetchRemoteImage, inlineRemoteImages, refusedClass, RemoteFetchError, type RemoteFetchOptions, type Resolver } from './index.js';
import type { Request } from '../../formats/canonical/types.js';

/** A PNG signature plus filler: what the server hands out as an image. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);

let server: http.Server;
let base: string;
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(`${req.headers.host} ${req.url}`);
    const url = new URL(req.url!, 'http://x');
    switch (url.pathname) {
      case '/img.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
        return res.end(PNG);
      case '/redirect':
        res.writeHead(302, { location: url.searchParams.get('to')! });
        return res.end();
      case '/loop':
        res.writeHead(301, { location: '/loop' });
        return res.end();
      case '/svg':
        res.writeHead(200, { 'content-type': 'image/svg+xml' });
        return res.end('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      case '/html':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html></html>');
      case '/none':
        res.writeHead(200, {});
        return res.end('x');
      case '/declared-big':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': 5000 });
        return res.end(Buffer.alloc(5000));
      case '/chunked-big': {
        // No length announced: the cap must hold while reading.
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        const chunk = Buffer.alloc(1024, 1);
        let sent = 0;
        const pump = () => {
          while (sent < 64 && res.write(chunk)) sent++;
          if (sent >= 64) res.end();
          else res.once('drain', pump);
        };
        pump();
        return;
      }
      case '/hang':
        return; // never answers
      case '/missing':
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end('no');
      default:
        res.writeHead(500);
        res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  hits.length = 0;
});

/** Only 127.0.0.1 is let through (the test server); every other refused class keeps the default rule. */
const opts: RemoteFetchOptions = { maxBytes: 4096, timeoutMs: 2000, policy: addressPolicy(['127.0.0.1']) };

async function refusal(url: string, o: RemoteFetchOptions = opts): Promise<RemoteFetchError> {
  const err = await fetchRemoteImage(url, o).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RemoteFetchError);
  return err as RemoteFetchError;
}

describe('address classes', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.100.100.200', 'private'],
    ['fc00::1', 'private'],
    ['fd00:ec2::254', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    // IPv4 inside IPv6: what they carry decides.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::ffff:0:a9fe:a9fe', 'metadata'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['not-an-ip', 'invalid'],
  ])('%s is %s', (ip, cls) => {
    expect(refusedClass(ip)).toBe(cls);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::'])('%s is public', (ip) => {
    expect(refusedClass(ip)).toBeNull();
  });

  it('an allowlist lets the named range through and nothing else', () => {
    const p = addressPolicy(['10.20.0.0/16', 'fd12::/16']);
    expect(p('10.20.3.4')).toBeNull();
    expect(p('10.21.0.1')).toBe('private');
    expect(p('fd12::5')).toBeNull();
    expect(p('fd13::5')).toBe('private');
    expect(p('127.0.0.1')).toBe('loopback');
  });
});

describe('fetchRemoteImage', () => {
  it('fetches an image from an allowed address', async () => {
    const img = await fetchRemoteImage(`${base}/img.png`, opts);
    expect(img.mediaType).toBe('image/png');
    expect(img.data.equals(PNG)).toBe(true);
  });

  // Literal addresses are refused before any connection is attempted, so these never leave the machine.
  it.each([
    ['http://127.0.0.2/x.png', 'loopback'],
    ['http://[::1]/x.png', 'loopback'],
    ['http://10.0.0.1/x.png', 'private'],
    ['http://192.168.0.10/x.png', 'private'],
    ['http://100.64.1.1/x.png', 'private'],
    ['http://[fd00::1]/x.png', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'metadata'],
    ['http://169.254.1.1/x.png', 'link-local'],
    ['http://[fe80::1]/x.png', 'link-local'],
    ['http://0.0.0.0/x.png', 'unspecified'],
    ['http://224.0.0.1/x.png', 'multicast'],
    ['http://[::ffff:127.0.0.1]/x.png', 'loopback'],
    ['http://[::ffff:a9fe:a9fe]/x.png', 'metadata'],
  ])('refuses %s (%s) without connecting', async (url, cls) => {
    const err = await refusal(url, { maxBytes: 4096, timeoutMs: 2000 });
    expect(err.code).toBe('refused_address');
    expect(err.message).toContain(cls);
  });

  it('refuses loopback with the default policy too (the test server itself)', async () => {
    const err = await refusal(`${base}/img.png`, { maxBytes: 4096, timeoutMs: 2000 });
    expect(err.code).toBe('refused_address');
    expect(hits).toEqual([]);
  });

  it.each([
    ['10.9.8.7', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['::ffff:192.168.1.1', 'private'],
  ])('refuses a host name whose DNS answer is %s', async (address, cls) => {
    const resolver: Resolver = async () => [{ address, family: address.includes(':') ? 6 : 4 }];
    const err = await refusal('http://images.example.com/cat.png', { maxBytes: 4096, timeoutMs: 2000, resolver });
    expect(err.code).toBe('refused_address');
    expect(err.message).toContain(cls);
  });

  it('refuses a host when any of its addresses is private, even if another is public', async () => {
    const resolver: Resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.1', family: 4 },
    ];
    const err = await refusal('http://mixed.example.com/cat.png', { maxBytes: 4096, timeoutMs: 2000, resolver });
    expect(err.code).toBe('refused_address');
  });

  it('connects to the address it checked: a second, different DNS answer is never asked for (no rebinding)', async () => {
    const answers = ['127.0.0.1', '10.0.0.1'];
    let calls = 0;
    const resolver: Resolver = async () => [{ address: answers[Math.min(calls++, 1)], family: 4 }];
    const port = new URL(base).port;
    const img = await fetchRemoteImage(`http://images.test:${port}/img.png`, { ...opts, resolver });
    expect(img.data.equals(PNG)).toBe(true);
    expect(calls).toBe(1);
    // The request reached the checked address and still carried the URL's host name.
    expect(hits).toEqual([`images.test:${port} /img.png`]);
  });

  it.each([
    ['http://10.0.0.1/internal.png', 'private'],
    ['http://127.0.0.2:1/x.png', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'metadata'],
    ['http://[::ffff:10.1.1.1]/x.png', 'private'],
  ])('refuses a redirect into %s (%s)', async (target, cls) => {
    const err = await refusal(`${base}/redirect?to=${encodeURIComponent(target)}`);
    expect(err.code).toBe('refused_address');
    expect(err.message).toContain(cls);
    expect(hits).toHaveLength(1);
  });

  it('refuses a redirect to a host name that resolves privately', async () => {
    const resolver: Resolver = async (host) => (host === 'evil.example.com' ? [{ address: '192.168.0.1', family: 4 }] : []);
    const err = await refusal(`${base}/redirect?to=${encodeURIComponent('http://evil.example.com/x.png')}`, { ...opts, resolver });
    expect(err.code).toBe('refused_address');
  });

  it('follows a redirect to an allowed address', async () => {
    const img = await fetchRemoteImage(`${base}/redirect?to=${encodeURIComponent(`${base}/img.png`)}`, opts);
    expect(img.mediaType).toBe('image/png');
    expect(hits).toHaveLength(2);
  });

  it('stops after three redirects', async () => {
    const err = await refusal(`${base}/loop`);
    expect(err.code).toBe('too_many_redirects');
    expect(hits).toHaveLength(4);
  });

  it.each([
    ['/html', 'content_type'],
    ['/svg', 'content_type'],
    ['/none', 'content_type'],
    ['/missing', 'status'],
    ['/declared-big', 'too_large'],
    ['/chunked-big', 'too_large'],
  ])('%s is refused as %s', async (path, code) => {
    const err = await refusal(`${base}${path}`);
    expect(err.code).toBe(code);
  });

  it('gives up on a host that never answers within the time limit', async () => {
    const err = await refusal(`${base}/hang`, { ...opts, timeoutMs: 200 });
    expect(err.code).toBe('timeout');
  });

  it('gives up on DNS that never answers within the time limit', async () => {
    const resolver: Resolver = () => new Promise(() => undefined);
    const err = await refusal('http://slow-dns.example.com/x.png', { ...opts, timeoutMs: 100, resolver });
    expect(err.code).toBe('timeout');
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/x.png', 'gopher://127.0.0.1/', 'http://user:pw@example.com/x.png', 'not a url'])('refuses %s', async (url) => {
    const err = await refusal(url);
    expect(err.code).toBe('bad_url');
  });
});

describe('inlineRemoteImages', () => {
  const request = (urls: string[]): Request => ({
    model: 'm',
    system: [],
    stream: false,
    extensions: {},
    messages: [
      { role: 'user', content: urls.map((url) => ({ type: 'image' as const, source: { kind: 'url' as const, url } })) },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 't', content: [{ type: 'image', source: { kind: 'url', url: urls[0] } }] }] },
    ],
  });

  it('replaces remote URLs with the fetched bytes, fetching each URL once, and leaves the original alone', async () => {
    const req = request([`${base}/img.png`, `${base}/img.png`, 'data:image/png;base64,AAAA']);
    const out = await inlineRemoteImages(req, opts);
    expect(hits).toHaveLength(1);
    const first = out.messages[0].content[0];
    expect(first).toMatchObject({ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG.toString('base64') } });
    expect(out.messages[0].content[2]).toMatchObject({ source: { kind: 'url', url: 'data:image/png;base64,AAAA' } });
    expect(out.messages[1].content[0]).toMatchObject({ type: 'tool_result', content: [{ source: { kind: 'base64' } }] });
    expect(req.messages[0].content[0]).toMatchObject({ source: { kind: 'url' } });
  });

  it('fails as a whole when one image is refused', async () => {
    const err = await inlineRemoteImages(request([`${base}/img.png`, 'http://10.0.0.1/x.png']), opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteFetchError);
  });
});
