import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createApp } from '../../src/app.js';
import { checkExposure, isLoopbackHost } from '../../src/cli/exposure.js';
import { startRouter } from '../../src/cli/start.js';
import { parseConfig } from '../../src/config/index.js';
import { openStore } from '../../src/store/index.js';
import { createClientKey } from '../../src/auth/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const ADMIN_KEY = 'admin-key-for-exposure-tests-0001';
const METRICS_KEY = 'metrics-scrape-key-for-tests-0001';

const MESSAGE = { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

async function get(url: string, headers: Record<string, string> = {}, dispatcher?: Agent) {
  const r = await request(url, { headers, dispatcher });
  return { status: r.statusCode, text: await r.body.text() };
}

describe('binding beyond loopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['router.example.com', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('refuses a non-loopback host while only the quick-start key exists, saying why', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sy-expose-'));
    const config = parseConfig({ server: { host: '0.0.0.0' } }, 'test');
    const store = await openStore(config, dataDir);
    try {
      await expect(checkExposure(config, store)).rejects.toThrow(/refusing to listen on 0\.0\.0\.0: .*no client key is configured.*auth\.keys.*keys create/);
      await createClientKey(store, 'local', [], 'local');
      await expect(checkExposure(config, store)).rejects.toThrow(/refusing/);
      await createClientKey(store, 'team', [], 'cli');
      await expect(checkExposure(config, store)).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('`start --host 0.0.0.0` without configured keys fails before listening', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sy-expose-start-'));
    const file = path.join(dir, 'switchyard.yaml');
    writeFileSync(file, 'telemetry:\n  log_level: silent\n');
    const out: string[] = [];
    await expect(startRouter({ config: file, dataDir: path.join(dir, 'data'), host: '0.0.0.0', port: '0' }, (l) => out.push(l))).rejects.toThrow(/refusing to listen on 0\.0\.0\.0/);
    expect(out.join('\n')).not.toMatch(/listening/);
  });

  it('a loopback host starts without configured keys (the quick start)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sy-expose-start-'));
    const file = path.join(dir, 'switchyard.yaml');
    writeFileSync(file, 'telemetry:\n  log_level: silent\n');
    const { app } = await startRouter({ config: file, dataDir: path.join(dir, 'data'), host: '127.0.0.1', port: '0' }, () => undefined);
    await app.close(0);
  });
});

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('TLS', () => {
  let dir: string;
  let h: Harness;
  let ca: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sy-tls-'));
    // A throwaway self-signed certificate for 127.0.0.1, made for this test only.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    ca = readFileSync(path.join(dir, 'cert.pem'));
    h = await startHarness({ server: { port: 0, tls: { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') } } });
  });
  afterAll(async () => h?.close());

  it('serves HTTPS with the configured certificate', async () => {
    expect(h.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const trusting = new Agent({ connect: { ca } });
    try {
      expect((await get(`${h.url}/healthz`, {}, trusting)).status).toBe(200);
      const r = await request(`${h.url}/v1/messages`, { method: 'POST', dispatcher: trusting, headers: { 'x-api-key': h.key, 'content-type': 'application/json' }, body: JSON.stringify(MESSAGE) });
      expect(r.statusCode).toBe(200);
      expect(((await r.body.json()) as { model: string }).model).toBe('anthropic/claude-sonnet-4-5');
    } finally {
      await trusting.close();
    }
  });

  it('refuses a client that does not trust the certificate, and plain HTTP', async () => {
    await expect(get(`${h.url}/healthz`)).rejects.toThrow(/self[- ]signed|certificate/i);
    await expect(get(h.url.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
  });

  it('a missing certificate file stops the start with the file named', async () => {
    const config = parseConfig({ server: { tls: { cert: path.join(dir, 'nope.pem'), key: path.join(dir, 'key.pem') } }, telemetry: { log_level: 'silent' } }, 'test');
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sy-tls-bad-'));
    await expect(createApp({ config, dataDir, logger: pino({ level: 'silent' }), env: {}, demoWhenEmpty: false })).rejects.toThrow(/server\.tls\.cert: cannot read .*nope\.pem \(ENOENT\)/);
  });
});

describe('admin endpoints on their own listener', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ auth: { admin_key: ADMIN_KEY }, server: { port: 0, admin_bind: '127.0.0.1:0' } });
  });
  afterAll(async () => h.close());

  it('serves the admin API and the portal only on admin_bind', async () => {
    const admin = h.app.adminUrl!;
    expect(admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(admin).not.toBe(h.url);
    const auth = { authorization: `Bearer ${ADMIN_KEY}` };

    expect((await get(`${admin}/admin/v1/circuits`, auth)).status).toBe(200);
    expect((await get(`${h.url}/admin/v1/circuits`, auth)).status).toBe(404);
    expect((await get(`${h.url}/admin/v1/keys`, auth)).status).toBe(404);
    expect((await get(`${h.url}/portal`)).status).toBe(404);
    expect((await get(`${h.url}/portal/`)).status).toBe(404);
    expect((await get(`${admin}/portal/`)).status).not.toBe(404);

    // The client API stays on the main listener only; probes answer on both.
    const r = await request(`${admin}/v1/messages`, { method: 'POST', headers: { 'x-api-key': h.key, 'content-type': 'application/json' }, body: JSON.stringify(MESSAGE) });
    expect(r.statusCode).toBe(404);
    await r.body.dump();
    const ok = await request(`${h.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': h.key, 'content-type': 'application/json' }, body: JSON.stringify(MESSAGE) });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
    expect((await get(`${admin}/healthz`)).status).toBe(200);
    expect((await get(`${h.url}/healthz`)).status).toBe(200);
  });

  it('without admin_bind the main listener serves the admin API as before', async () => {
    const plain = await startHarness({ auth: { admin_key: ADMIN_KEY } });
    try {
      expect(plain.app.adminUrl).toBeNull();
      expect((await get(`${plain.url}/admin/v1/circuits`, { authorization: `Bearer ${ADMIN_KEY}` })).status).toBe(200);
    } finally {
      await plain.close();
    }
  });
});

describe('/metrics behind a key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ auth: { admin_key: ADMIN_KEY }, metrics: { require_key: true, key: METRICS_KEY } });
  });
  afterAll(async () => h.close());

  it('needs the metrics key or the admin key; a client key is not enough', async () => {
    const none = await get(`${h.url}/metrics`);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.text)).toMatchObject({ error: { type: 'authentication_error' } });
    expect((await get(`${h.url}/metrics`, { authorization: `Bearer ${h.key}` })).status).toBe(401);
    const scraped = await get(`${h.url}/metrics`, { authorization: `Bearer ${METRICS_KEY}` });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toMatch(/# HELP/);
    expect((await get(`${h.url}/metrics`, { 'x-api-key': ADMIN_KEY })).status).toBe(200);
    // The scrape key is for /metrics only.
    const r = await request(`${h.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': METRICS_KEY, 'content-type': 'application/json' }, body: JSON.stringify(MESSAGE) });
    expect(r.statusCode).toBe(401);
    await r.body.dump();
  });

  it('is open by default', async () => {
    const open = await startHarness();
    try {
      expect((await get(`${open.url}/metrics`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('metrics.key without require_key is a config error', () => {
    expect(() => parseConfig({ metrics: { key: METRICS_KEY } }, 'test')).toThrow(/metrics/);
  });
});

