import { describe, expect, it } from 'vitest';
import { Cancellation } from './cancel.js';
import { sleep } from './retry-after.js';

describe('sleep (waiting out Retry-After)', () => {
  it('returns at once for a request that is already gone (it used to wait the whole time)', async () => {
    const ac = new Cancellation();
    ac.abort();
    const started = performance.now();
    await sleep(5000, ac);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('ends early when the request goes away while waiting', async () => {
    const ac = new Cancellation();
    const started = performance.now();
    setTimeout(() => ac.abort(), 20);
    await sleep(5000, ac);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('leaves no abort listener on the request signal once the wait is over', async () => {
    const ac = new Cancellation();
    for (let i = 0; i < 20; i++) await sleep(1, ac);
    expect(ac.listenerCount()).toBe(0);
  });
});
