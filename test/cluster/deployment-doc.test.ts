import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createTestDatabase, dropTestDatabases, postgresAvailable } from '../store/pg.js';
import { dropPrefix, REDIS_URL, redisAvailable, testPrefix, until } from '../helpers/redis.js';
import { ADMIN, message, simProviders, startPair, type Pair } from './support.js';

/**
 * docs/deployment.md is exercised as written: its config example must parse, and its nginx example (taken from the
 * markdown, so the doc cannot drift) runs on loopback in front of two instances, plain requests and streams going
 * through it. nginx comes from the distribution's package (.ci/run installs it); without it this part is skipped
 * with a notice, or fails under REQUIRE_SERVICES=1.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = readFileSync(path.join(ROOT, 'docs/deployment.md'), 'utf8');

function fencedBlock(afterMarker: string | null, lang: string): string {
  const from = afterMarker === null ? 0 : DOC.indexOf(afterMarker);
  if (from < 0) throw new Error(`docs/deployment.md: marker ${afterMarker} not found`);
  const open = DOC.indexOf('```' + lang + '\n', from);
  if (open < 0) throw new Error(`docs/deployment.md: no \`\`\`${lang} block`);
  const start = open + lang.length + 4;
  return DOC.slice(start, DOC.indexOf('\n```', start));
}

describe('docs/deployment.md', () => {
  it('its config example is a valid configuration', () => {
    const env = {
      SWITCHYARD_DATABASE_URL: 'postgres://switchyard:pw@db.internal:5432/switchyard',
      SWITCHYARD_ADMIN_KEY: 'sy-admin-0123456789abcdef',
      CI_ROUTER_KEY: 'sk-sy-ci-0123456789abcdef',
      ANTHROPIC_API_KEY: 'sk-ant-0123',
    };
    const config = parseConfig(parseYaml(fencedBlock(null, 'yaml')), 'docs/deployment.md', env);
    expect(config.redis).toEqual({ url: 'redis://redis.internal:6379', prefix: 'switchyard-prod' });
    expect(config.storage).toEqual({ postgres: env.SWITCHYARD_DATABASE_URL });
    expect(config.auth.keys[0].limits).toEqual({ requests_per_minute: 120, usd_per_day: 25 });
    expect(config.limits.default).toEqual({ concurrent_requests: 16, usd_per_month: 500 });
  });
});

function nginxAvailable(): boolean {
  const probe = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  if (probe.status === 0) return true;
  const why = 'nginx is not installed (apt-get install nginx-light)';
  if (process.env.REQUIRE_SERVICES === '1') {
    describe('the nginx example of docs/deployment.md', () => {
      it('needs nginx (REQUIRE_SERVICES=1)', () => {
        throw new Error(why);
      });
    });
  } else {
    console.warn(`\n[SKIPPED] the nginx example of docs/deployment.md: ${why}. Set REQUIRE_SERVICES=1 to fail instead of skipping.\n`);
  }
  return false;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const suite = 'the nginx example of docs/deployment.md';
const ready = nginxAvailable() && (await postgresAvailable(suite)) && (await redisAvailable(suite));

describe.skipIf(!ready)(suite, () => {
  let pair: Pair;
  let nginx: ChildProcess;
  let dir: string;
  let lb: string;
  const prefix = testPrefix();

  beforeAll(async () => {
    const dbUrl = await createTestDatabase();
    pair = await startPair((sim) => ({ storage: { postgres: dbUrl }, redis: { url: REDIS_URL, prefix }, auth: { admin_key: ADMIN }, providers: simProviders(sim) }));
    const port = await freePort();
    lb = `http://127.0.0.1:${port}`;
    const upstreams = [pair.a.url, pair.b.url].map((u) => new URL(u).host);
    let i = 0;
    const site = fencedBlock('<!-- deployment-doc-test: nginx -->', 'nginx')
      .replace(/server\s+[\w.-]+:\d+/g, () => `server ${upstreams[i++]}`)
      .replace(/listen\s+80;/, `listen 127.0.0.1:${port};`);
    expect(i).toBe(2);
    dir = mkdtempSync(path.join(tmpdir(), 'sy-nginx-'));
    // nginx's workers run as an unprivileged user when the test runs as root; they must reach the temp paths.
    chmodSync(dir, 0o755);
    const conf = `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
${site}
}
`;
    writeFileSync(path.join(dir, 'nginx.conf'), conf);
    const check = spawnSync('nginx', ['-t', '-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    nginx = spawn('nginx', ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { stdio: 'ignore' });
    await until('nginx answers', () =>
      fetch(`${lb}/healthz`).then(
        (r) => (r.status === 200 ? true : undefined),
        () => undefined,
      ),
    );
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx.once('exit', r));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await pair?.close();
    await dropTestDatabases();
    await dropPrefix(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function servedMessages(url: string): Promise<number> {
    const text = await (await fetch(`${url}/metrics`)).text();
    let n = 0;
    for (const m of text.matchAll(/^switchyard_requests_total\{[^}]*endpoint="messages"[^}]*status="200"[^}]*\} (\d+)/gm)) n += Number(m[1]);
    return n;
  }

  it('balances requests over both instances', async () => {
    const before = [await servedMessages(pair.a.url), await servedMessages(pair.b.url)];
    for (let i = 0; i < 12; i++) {
      const r = await fetch(`${lb}/v1/messages`, { method: 'POST', headers: { 'x-api-key': pair.a.key, 'content-type': 'application/json' }, body: JSON.stringify(message('priced/priced-model')) });
      // One key for both: the instances share the store (pair.a's key was created through A).
      expect(r.status, await r.text()).toBe(200);
    }
    const after = [await servedMessages(pair.a.url), await servedMessages(pair.b.url)];
    expect(after[0] - before[0]).toBeGreaterThan(0);
    expect(after[1] - before[1]).toBeGreaterThan(0);
    expect(after[0] - before[0] + (after[1] - before[1])).toBe(12);
  });

  it('relays a stream event by event (the first delta arrives while the upstream is still generating)', async () => {
    pair.sim.fault({ fault: { kind: 'stall', afterEvents: 4 }, match: { stream: true }, times: 1 });
    const controller = new AbortController();
    const res = await fetch(`${lb}/v1/messages`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'x-api-key': pair.a.key, 'content-type': 'application/json' },
      body: JSON.stringify({ ...message('priced/priced-model', 'Tell me a long story.', 200), stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let seen = '';
    // The upstream never finishes, so this loop ends only if nginx passes the delta on while it is stalled.
    while (!seen.includes('"text_delta"')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before a delta: ${seen}`);
      seen += Buffer.from(value).toString();
    }
    controller.abort();
    expect(seen).not.toContain('message_stop');
  });

  it('/readyz through the load balancer reports the shared state', async () => {
    const r = await fetch(`${lb}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ready', store: 'postgres', redis: { status: 'up' }, change_feed: ['redis', 'postgres'] });
  });
});
