import { describe, expect, it } from 'vitest';
import { AuthThrottle, clientKey } from './auth-throttle.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('AuthThrottle', () => {
  it('lets an address fail maxFailures times, then blocks it with the wait until one more try is earned', () => {
    const c = clock();
    const t = new AuthThrottle({ maxFailures: 3, windowMs: 60_000, now: c.now });
    for (let i = 0; i < 3; i++) {
      expect(t.blockedFor('1.2.3.4')).toBe(0);
      t.fail('1.2.3.4');
    }
    expect(t.blockedFor('1.2.3.4')).toBe(20_000);
    c.advance(19_999);
    expect(t.blockedFor('1.2.3.4')).toBeGreaterThan(0);
    c.advance(1);
    expect(t.blockedFor('1.2.3.4')).toBe(0);
  });

  it('never blocks another address', () => {
    const t = new AuthThrottle({ maxFailures: 2, windowMs: 60_000, now: clock().now });
    for (let i = 0; i < 10; i++) t.fail('1.2.3.4');
    expect(t.blockedFor('1.2.3.4')).toBeGreaterThan(0);
    expect(t.blockedFor('1.2.3.5')).toBe(0);
    expect(t.blockedFor('::1')).toBe(0);
  });

  it('keeps at most maxTracked addresses, forgetting the least recently seen', () => {
    const t = new AuthThrottle({ maxFailures: 1, windowMs: 60_000, maxTracked: 100, now: clock().now });
    for (let i = 0; i < 10_000; i++) t.fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    expect(t.size).toBe(100);
    expect(t.blockedFor('10.0.39.15')).toBeGreaterThan(0); // the last one in
    expect(t.blockedFor('10.0.0.0')).toBe(0); // long forgotten
  });

  it('is off with maxFailures 0', () => {
    const t = new AuthThrottle({ maxFailures: 0, windowMs: 60_000 });
    for (let i = 0; i < 100; i++) t.fail('1.2.3.4');
    expect(t.blockedFor('1.2.3.4')).toBe(0);
    expect(t.size).toBe(0);
  });

  it('groups IPv6 clients by /64 and IPv4-mapped ones with their IPv4', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:ffff:1:2:3'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey(undefined)).toBe('unknown');
  });
});
