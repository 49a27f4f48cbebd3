import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.js';
import type { RequestRecord } from './record.js';
import { Recorder } from './recorder.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store whose `insertRecords` can be made to fail or to hang; it keeps what it stored, by id. */
class FakeStore {
  stored = new Map<string, number>();
  order: string[] = [];
  attempts = 0;
  down = false;
  hang: { release: () => void; fail: () => void } | null = null;
  hangNext = false;
  /** Ids the store refuses whatever happens (a record with data it cannot take). */
  poison = new Set<string>();

  async ping(): Promise<void> {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  }

  async insertRecords(records: RequestRecord[]): Promise<void> {
    this.attempts++;
    if (records.some((r) => this.poison.has(r.id))) throw new Error('value too long for column');
    if (this.hangNext) {
      this.hangNext = false;
      await new Promise<void>((resolve, reject) => (this.hang = { release: resolve, fail: () => reject(new Error('lost connection')) }));
    }
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    for (const r of records) {
      this.stored.set(r.id, (this.stored.get(r.id) ?? 0) + 1);
      this.order.push(r.id);
    }
  }
}

function logger() {
  const lines: Array<{ level: number; msg: string } & Record<string, unknown>> = [];
  const log = pino({ level: 'info', base: undefined }, { write: (s: string) => void lines.push(JSON.parse(s) as (typeof lines)[number]) });
  return { log, lines, count: (re: RegExp) => lines.filter((l) => re.test(l.msg)).length };
}

const rec = (id: string) => ({ id }) as RequestRecord;

const open: Recorder[] = [];
function recorder(store: FakeStore, log: pino.Logger, opts: Partial<ConstructorParameters<typeof Recorder>[2]> = {}): Recorder {
  const r = new Recorder(store as unknown as Store, log, { flushIntervalMs: 20, queueLimit: 10_000, ...opts });
  open.push(r);
  return r;
}
afterEach(async () => {
  for (const r of open.splice(0)) await r.close(0);
});

describe('Recorder', () => {
  it('a record the store always refuses is isolated, dropped and counted; the rest of its batch is written', async () => {
    const store = new FakeStore();
    const { log, count } = logger();
    const r = recorder(store, log);
    store.poison.add('p2');
    for (let i = 0; i < 5; i++) r.add(rec(`p${i}`));
    await r.flush();
    expect(store.order).toEqual(['p0', 'p1', 'p3', 'p4']);
    expect(r.rejected).toBe(1);
    expect(r.depth).toBe(0);
    expect(count(/rejected a record/)).toBe(1);
    // The queue keeps flowing afterwards.
    r.add(rec('p5'));
    await r.flush();
    expect(store.order.at(-1)).toBe('p5');
  });

  it('writes what is queued on each tick', async () => {
    const store = new FakeStore();
    const { log } = logger();
    const r = recorder(store, log);
    for (let i = 0; i < 5; i++) r.add(rec(`a${i}`));
    expect(r.depth).toBe(5);
    await sleep(60);
    expect(store.order).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(r.depth).toBe(0);
  });

  it('while the store is down it backs off instead of retrying every tick, keeps everything, and logs the outage once', async () => {
    const store = new FakeStore();
    const { log, count } = logger();
    const r = recorder(store, log, { flushIntervalMs: 20, maxRetryDelayMs: 200 });
    store.down = true;
    let n = 0;
    const feeder = setInterval(() => r.add(rec(`b${n++}`)), 5);
    await sleep(1200);
    clearInterval(feeder);
    // Every tick would be ~60 attempts; doubling from 20 ms up to 200 ms gives about ten.
    expect(store.attempts).toBeGreaterThanOrEqual(4);
    expect(store.attempts).toBeLessThanOrEqual(16);
    expect(r.depth).toBe(n);
    expect(r.dropped).toBe(0);
    expect(count(/writing records failed/)).toBe(1);
    store.down = false;
    await sleep(400);
    expect(r.depth).toBe(0);
    expect(store.order).toEqual(Array.from({ length: n }, (_, i) => `b${i}`));
    expect([...store.stored.values()].every((c) => c === 1)).toBe(true);
    expect(count(/records written again/)).toBe(1);
  });

  it('the queue limit counts the batch being written: beyond it records are dropped, counted and logged, never lost silently', async () => {
    const store = new FakeStore();
    const { log, count } = logger();
    const r = recorder(store, log, { queueLimit: 100, flushIntervalMs: 10_000 });
    store.hangNext = true;
    for (let i = 0; i < 100; i++) r.add(rec(`c${i}`));
    const flushing = r.flush();
    await sleep(10);
    expect(store.hang).not.toBeNull();
    for (let i = 100; i < 130; i++) r.add(rec(`c${i}`));
    expect(r.dropped).toBe(30);
    expect(count(/record queue full/)).toBe(1);
    // The write fails with the store gone: its batch goes back in front, and the queue still fits the limit.
    store.down = true;
    store.hang!.fail();
    await flushing;
    expect(r.depth).toBe(100);
    expect(r.depth + r.dropped).toBe(130);
    store.down = false;
    await r.flush();
    expect(store.order).toEqual(Array.from({ length: 100 }, (_, i) => `c${i}`));
  });

  it('close retries a failing store until its deadline, then logs how many records are lost', async () => {
    const store = new FakeStore();
    const { log, lines } = logger();
    const r = recorder(store, log, { flushIntervalMs: 20, maxRetryDelayMs: 50 });
    for (let i = 0; i < 7; i++) r.add(rec(`d${i}`));
    store.down = true;
    const started = Date.now();
    await r.close(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(store.attempts).toBeGreaterThan(2);
    const lost = lines.find((l) => /shutting down with records not written/.test(l.msg));
    expect(lost?.lost).toBe(7);
  });

  it('close succeeds as soon as the store is back within the deadline', async () => {
    const store = new FakeStore();
    const { log, count } = logger();
    const r = recorder(store, log, { flushIntervalMs: 20, maxRetryDelayMs: 50 });
    for (let i = 0; i < 3; i++) r.add(rec(`e${i}`));
    store.down = true;
    setTimeout(() => (store.down = false), 150);
    await r.close(5000);
    expect(store.order).toEqual(['e0', 'e1', 'e2']);
    expect(count(/shutting down with records not written/)).toBe(0);
  });

  it('close does not wait past its deadline for a write that hangs', async () => {
    const store = new FakeStore();
    const { log, count } = logger();
    const r = recorder(store, log);
    r.add(rec('f0'));
    store.hangNext = true;
    const started = Date.now();
    await r.close(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(count(/shutting down with records not written/)).toBe(1);
    store.hang?.release();
  });

  it('close waits for requests still running and writes their records', async () => {
    const store = new FakeStore();
    const { log } = logger();
    const r = recorder(store, log);
    r.requestStarted();
    r.requestStarted();
    setTimeout(() => {
      r.requestEnded();
      r.add(rec('g0'));
    }, 50);
    setTimeout(() => {
      r.requestEnded();
      r.add(rec('g1'));
    }, 100);
    await r.close(5000);
    expect(store.order).toEqual(['g0', 'g1']);
  });

  it('records off discards new records but still writes those queued while on; switched on again, it keeps them again', async () => {
    const store = new FakeStore();
    const { log } = logger();
    const r = recorder(store, log, { flushIntervalMs: 10_000 });
    r.add(rec('on0'));
    r.setEnabled(false);
    expect(r.enabled).toBe(false);
    r.add(rec('off0'));
    expect(r.depth).toBe(1);
    await r.flush();
    expect(store.order).toEqual(['on0']);
    r.setEnabled(true);
    r.add(rec('on1'));
    await r.flush();
    expect(store.order).toEqual(['on0', 'on1']);
    expect(r.written).toBe(2);
  });

  it('starts with records off when the config says so', async () => {
    const store = new FakeStore();
    const { log } = logger();
    const r = recorder(store, log, { enabled: false });
    r.add(rec('x'));
    await r.flush();
    expect(r.depth).toBe(0);
    expect(store.attempts).toBe(0);
  });
});
