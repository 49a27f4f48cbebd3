import { toNano } from './types.js';

/** What the store says a key spent since a time (Store.keyUsage). */
export type RecordedSpend = (sinceMs: number) => Promise<Array<{ keyId: string; costUsd: number }>>;

/** How long a request may wait for the store's answer, once per key and period; then the budget starts at 0. */
const SEED_TIMEOUT_MS = 1500;

/** Epoch ms of the start of a UTC day (`YYYY-MM-DD`) or month (`YYYY-MM`). */
export function periodStart(period: string): number {
  return Date.parse(period.length === 7 ? `${period}-01T00:00:00Z` : `${period}T00:00:00Z`);
}

/**
 * Budget counters start at what the records already say a key spent in the period, so a restart of a single
 * instance or of a Redis without persistence does not hand every key a fresh day. The store is asked once per
 * period (for every key at once) and each (counter, key, period) is seeded once, before its first admission.
 */
export class BudgetSeeder {
  private readonly spendByPeriod = new Map<string, Promise<Map<string, number>>>();
  private readonly seeded = new Map<string, Promise<void>>();
  /** Scopes whose seeding has finished (their requests go on without waiting). */
  private readonly settled = new Set<string>();

  constructor(
    private readonly recorded: RecordedSpend,
    private readonly onError: (err: unknown) => void,
  ) {}

  /**
   * Runs `seed` once per scope (a backend), key and budget period with the key's recorded spend in that period, in
   * nano-USD; later calls wait for that one. `null` once it is done (no promise on the request path).
   */
  ensure(scope: string, subject: string, period: string, seed: (nano: number) => void | Promise<void>): Promise<void> | null {
    const key = `${scope}\u0000${subject}\u0000${period}`;
    if (this.settled.has(key)) return null;
    const existing = this.seeded.get(key);
    if (existing) return existing;
    const run = (async () => {
      try {
        await seed(await this.spent(period, subject));
      } catch (err) {
        this.onError(err);
      } finally {
        this.settled.add(key);
      }
    })();
    this.seeded.set(key, run);
    return run;
  }

  /** Forgets what was seeded in `scope` (Redis came back: it may have lost its data meanwhile). */
  forget(scope: string): void {
    for (const k of this.seeded.keys()) {
      if (k.startsWith(`${scope}\u0000`)) {
        this.seeded.delete(k);
        this.settled.delete(k);
      }
    }
  }

  private async spent(period: string, subject: string): Promise<number> {
    let byKey = this.spendByPeriod.get(period);
    if (!byKey) {
      byKey = this.load(period);
      this.spendByPeriod.set(period, byKey);
      // A failed read is not kept: the next key to be seeded asks again.
      byKey.catch(() => this.spendByPeriod.delete(period));
      // Only the current periods are asked for; older ones are dropped.
      if (this.spendByPeriod.size > 4) this.spendByPeriod.delete(this.spendByPeriod.keys().next().value!);
    }
    return (await byKey).get(subject) ?? 0;
  }

  private async load(period: string): Promise<Map<string, number>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`recorded spend not read within ${SEED_TIMEOUT_MS} ms; budgets of ${period} start at the spend counted from now`)), SEED_TIMEOUT_MS);
    });
    try {
      const rows = await Promise.race([this.recorded(periodStart(period)), timeout]);
      return new Map(rows.map((r) => [r.keyId, toNano(r.costUsd)]));
    } finally {
      clearTimeout(timer);
    }
  }
}
