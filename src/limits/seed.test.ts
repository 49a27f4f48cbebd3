import { describe, expect, it } from 'vitest';
import { BudgetSeeder, periodStart } from './seed.js';

describe('BudgetSeeder', () => {
  it('periods start at UTC midnight and on the first of the month', () => {
    expect(new Date(periodStart('2026-08-19')).toISOString()).toBe('2026-08-19T00:00:00.000Z');
    expect(new Date(periodStart('2026-08')).toISOString()).toBe('2026-08-01T00:00:00.000Z');
  });

  it('asks the store once per period and seeds each scope, key and period once, concurrent callers included', async () => {
    const asked: number[] = [];
    const seeder = new BudgetSeeder(
      async (since) => {
        asked.push(since);
        return [
          { keyId: 'k1', costUsd: 0.25 },
          { keyId: 'k2', costUsd: 1 },
        ];
      },
      (err) => {
        throw err;
      },
    );
    const seeds: Array<[string, number]> = [];
    const seed = (who: string) => (nano: number) => void seeds.push([who, nano]);
    await Promise.all([seeder.ensure('local', 'k1', '2026-08-19', seed('k1')), seeder.ensure('local', 'k1', '2026-08-19', seed('again'))]);
    await seeder.ensure('local', 'k2', '2026-08-19', seed('k2'));
    await seeder.ensure('local', 'k3', '2026-08-19', seed('k3'));
    await seeder.ensure('redis', 'k1', '2026-08-19', seed('redis-k1'));
    expect(seeds).toEqual([
      ['k1', 2.5e8],
      ['k2', 1e9],
      ['k3', 0],
      ['redis-k1', 2.5e8],
    ]);
    expect(asked).toEqual([periodStart('2026-08-19')]);
    // Done: no promise any more.
    expect(seeder.ensure('local', 'k1', '2026-08-19', seed('k1'))).toBeNull();
    // After Redis came back, its counters are seeded again (it may have lost them); local ones are not.
    seeder.forget('redis');
    await seeder.ensure('redis', 'k1', '2026-08-19', seed('redis-k1'));
    expect(seeder.ensure('local', 'k1', '2026-08-19', seed('k1'))).toBeNull();
    expect(seeds.at(-1)).toEqual(['redis-k1', 2.5e8]);
  });

  it('a store that cannot answer leaves the budget at what is counted from now, and is asked again for the next key', async () => {
    let calls = 0;
    const errors: string[] = [];
    const seeder = new BudgetSeeder(
      async () => {
        calls++;
        if (calls === 1) throw new Error('store down');
        return [{ keyId: 'k2', costUsd: 0.5 }];
      },
      (err) => errors.push((err as Error).message),
    );
    const seeds: number[] = [];
    await seeder.ensure('local', 'k1', '2026-08', (n) => void seeds.push(n));
    await seeder.ensure('local', 'k2', '2026-08', (n) => void seeds.push(n));
    expect(errors).toEqual(['store down']);
    expect(seeds).toEqual([5e8]);
    expect(seeder.ensure('local', 'k1', '2026-08', () => undefined)).toBeNull();
  });
});
