import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import type { Store } from '../store/index.js';
import { RecordPruner } from './retention.js';

const DAY = 86_400_000;

/** A store that keeps record times only and answers `deleteRecordsBefore` like the real ones. */
class TimesStore {
  times: number[] = [];
  calls: number[] = [];
  fail = false;
  async deleteRecordsBefore(t: number): Promise<number> {
    this.calls.push(t);
    if (this.fail) throw new Error('database is locked');
    const before = this.times.length;
    this.times = this.times.filter((x) => x >= t);
    return before - this.times.length;
  }
}

function logger() {
  const lines: Array<{ level: number; msg: string; deleted?: number }> = [];
  const log = pino({ level: 'debug', base: undefined }, { write: (s: string) => void lines.push(JSON.parse(s) as (typeof lines)[number]) });
  return { log, lines };
}

describe('RecordPruner', () => {
  it('deletes records older than the retention and logs how many', async () => {
    const store = new TimesStore();
    const now = 100 * DAY;
    store.times = [now - 31 * DAY, now - 30 * DAY - 1, now - 30 * DAY, now - DAY];
    const { log, lines } = logger();
    const pruner = new RecordPruner(store as unknown as Store, log, { retentionMs: 30 * DAY, now: () => now });
    await pruner.prune();
    expect(store.calls).toEqual([now - 30 * DAY]);
    expect(store.times).toEqual([now - 30 * DAY, now - DAY]);
    expect(lines.at(-1)).toMatchObject({ level: 30, deleted: 2 });
    await pruner.prune();
    expect(lines.at(-1)).toMatchObject({ level: 20, deleted: 0 });
    await pruner.stop();
  });

  it('start() runs one prune at once; concurrent calls share it; stop() waits for it and ends pruning', async () => {
    const store = new TimesStore();
    store.times = [1];
    const pruner = new RecordPruner(store as unknown as Store, logger().log, { retentionMs: DAY, now: () => 10 * DAY });
    pruner.start();
    const again = pruner.prune();
    await pruner.stop();
    await again;
    expect(store.calls).toHaveLength(1);
    expect(store.times).toEqual([]);
    await pruner.prune();
    expect(store.calls).toHaveLength(1);
  });

  it('retention 0 keeps everything: start() does nothing', async () => {
    const store = new TimesStore();
    store.times = [1];
    const pruner = new RecordPruner(store as unknown as Store, logger().log, { retentionMs: 0 });
    pruner.start();
    await pruner.stop();
    expect(store.calls).toEqual([]);
  });

  it('a failing delete is logged as a warning and never thrown', async () => {
    const store = new TimesStore();
    store.fail = true;
    const { log, lines } = logger();
    const pruner = new RecordPruner(store as unknown as Store, log, { retentionMs: DAY, now: () => 10 * DAY });
    await expect(pruner.prune()).resolves.toBeUndefined();
    expect(lines.at(-1)).toMatchObject({ level: 40 });
    await pruner.stop();
  });
});

describe('telemetry.records.retention', () => {
  const retention = (v?: string | number) => parseConfig(v === undefined ? {} : { telemetry: { records: { retention: v } } }, 'test', {}).telemetry.records.retention;

  it('defaults to 30 days, takes days and other durations, 0 keeps forever', () => {
    expect(retention()).toBe(30 * DAY);
    expect(retention('7d')).toBe(7 * DAY);
    expect(retention('12h')).toBe(12 * 3_600_000);
    expect(retention(0)).toBe(0);
    expect(() => retention('a week')).toThrow(/retention/);
  });
});
