import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { CircuitBreakers } from '../../execution/breakers/index.js';
import { LiveStats } from '../../routing/stats/index.js';
import { dropPrefix, REDIS_URL, redisAvailable, testPrefix, until } from '../../../test/helpers/redis.js';
import { TcpProxy } from '../../../test/helpers/tcp-proxy.js';
import type { ChangeKind } from './changes.js';
import { describeRedisUrl, reconnectDelay, SharedState } from './index.js';

const silent = pino({ level: 'silent' });

/** A logger whose lines the test can read. */
function captureLog() {
  const lines: Array<{ level: number; msg: string }> = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as { level: number; msg: string });
      cb();
    },
  });
  return { log: pino({ level: 'info' }, dest), lines };
}

describe('redis helpers', () => {
  it('never shows the password of a Redis URL', () => {
    expect(describeRedisUrl('redis://user:s3cret@cache.internal:6380/2?tls=1')).toBe('redis://user@cache.internal:6380/2');
    expect(describeRedisUrl('not a url')).not.toContain('not a url');
  });

  it('reconnect delays grow to a cap of about 5 s', () => {
    for (let i = 1; i < 30; i++) {
      const d = reconnectDelay(i);
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(6250);
    }
    expect(reconnectDelay(1)).toBeLessThan(200);
  });
});

const available = await redisAvailable('shared state through Redis');

describe.skipIf(!available)('shared state through Redis', () => {
  const prefix = testPrefix();
  const opened: SharedState[] = [];

  afterAll(async () => {
    for (const s of opened) await s.close();
    await dropPrefix(prefix);
  });

  async function instance(opts: { url?: string; log?: pino.Logger; onChange?: (k: ChangeKind) => void } = {}) {
    const breakers = new CircuitBreakers({ consecutiveFailures: 2 }, { onChange: (k, f, t, r) => s.breakers.onLocalChange(k, f, t, r) });
    const stats = new LiveStats({ minSamples: 2 });
    const s: SharedState = await SharedState.open({ url: opts.url ?? REDIS_URL, prefix, log: opts.log ?? silent, breakers, stats, onChange: opts.onChange ?? (() => undefined), connectWaitMs: 1000 });
    opened.push(s);
    await until('redis up', () => (s.up || opts.url ? true : undefined));
    return { s, breakers, stats };
  }

  it('change events reach the other instances and not the one that published them', async () => {
    const seenA: ChangeKind[] = [];
    const seenB: ChangeKind[] = [];
    const a = await instance({ onChange: (k) => seenA.push(k) });
    await instance({ onChange: (k) => seenB.push(k) });
    const before = seenA.length;
    a.s.changes.publish('keys');
    a.s.changes.publish('routers');
    await until('b saw both', () => (seenB.includes('keys') && seenB.includes('routers') ? true : undefined));
    expect(seenA.slice(before).filter((k) => k !== 'config')).toEqual([]);
  });

  it('a circuit opened on one instance is open on the other, and a successful probe closes it everywhere', async () => {
    const a = await instance();
    const b = await instance();
    const key = { provider: 'p1', model: 'm1', key: 'key0' };
    a.breakers.failure(key, false, 'http_500');
    a.breakers.failure(key, false, 'http_500');
    expect(a.breakers.state(key)).toBe('open');
    await until('b sees it open', () => (b.breakers.state(key) === 'open' ? true : undefined));
    expect(b.breakers.retryAt(key)).toBe(a.breakers.retryAt(key));
    // A third instance starting now reads the open circuit that Redis keeps.
    const c = await instance();
    await until('c sees it open', () => (c.breakers.state(key) === 'open' ? true : undefined));
    // b's probe succeeds (its cool-down is forced over by a remote half-open): closed on a and c as well.
    b.breakers.applyRemote(key, 'half_open', null);
    const probe = b.breakers.acquire(key);
    expect(probe).toEqual({ allowed: true, probe: true });
    b.breakers.success(key, true);
    await until('a and c closed', () => (a.breakers.state(key) === 'closed' && c.breakers.state(key) === 'closed' ? true : undefined));
  });

  it('live latency samples measured on one instance reach the others', async () => {
    const a = await instance();
    const b = await instance();
    const now = Date.now();
    for (const ttft of [100, 120, 140]) a.s.stats.note({ provider: 'px', model: 'mx', ttftMs: ttft, outputTokens: 50, generationMs: 500, ok: true, at: now + ttft });
    a.s.stats.flush();
    const v = await until('b has the p50', () => b.stats.ttftP50('px', 'mx') ?? undefined);
    expect(v).toEqual({ value: 120, samples: 3 });
  });

  it('with Redis down: the start goes on, the outage is logged once, and everything converges when it is back', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(REDIS_URL).port || 6379));
    await proxy.start();
    const port = proxy.port;
    await proxy.cut();
    const { log, lines } = captureLog();
    const cut = await instance({ url: `redis://127.0.0.1:${port}`, log });
    expect(cut.s.status().state).toBe('down');
    const other = await instance();
    const key = { provider: 'p2', model: 'm2', key: 'key0' };
    other.breakers.failure(key, false, 'timeout');
    other.breakers.failure(key, false, 'timeout');
    // Several reconnect attempts fail meanwhile; the warning stays single.
    let attempts = 0;
    cut.s.link.cmd.on('reconnecting', () => attempts++);
    await until('three more failed reconnect attempts', () => (attempts >= 3 ? true : undefined));
    const warnings = () => lines.filter((l) => l.msg.startsWith('Redis is unreachable'));
    expect(warnings()).toHaveLength(1);
    proxy.port = port;
    await proxy.restore();
    await until('up again', () => (cut.s.up ? true : undefined), 15_000);
    // The circuit opened while it was cut off is read from Redis on reconnection.
    await until('converged', () => (cut.breakers.state(key) === 'open' ? true : undefined));
    expect(lines.some((l) => l.msg.startsWith('Redis is reachable again'))).toBe(true);
    await proxy.cut();
  });
});
