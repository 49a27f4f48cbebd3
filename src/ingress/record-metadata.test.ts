import { describe, expect, it } from 'vitest';
import { recordMetadata } from './record-metadata.js';

describe('recordMetadata', () => {
  it('is null when the request carried none', () => {
    expect(recordMetadata({}, undefined, null)).toBeNull();
  });

  it('overlays body metadata on header pairs and adds the user id, as strings', () => {
    const out = recordMetadata({ 'x-switchyard-metadata': 'team=infra; tier=free' }, { tier: 'pro', n: 3, nested: { a: 1 } }, 'user-7');
    expect(out).toEqual({ team: 'infra', tier: 'pro', n: '3', nested: '{"a":1}', user_id: 'user-7' });
  });

  it('bounds what a client can make the store keep', () => {
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'x'.repeat(2000)]));
    const out = recordMetadata({}, many, null)!;
    expect(Object.keys(out)).toHaveLength(64);
    expect(out.k0.length).toBeLessThanOrEqual(513);
  });
});
