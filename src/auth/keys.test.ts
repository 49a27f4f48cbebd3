import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/index.js';
import { createClientKey } from './manage.js';
import { generateKey, hashKey, KeyRing, presentedKey, secretsEqual } from './keys.js';

describe('client keys', () => {
  it('generates distinct high-entropy keys', () => {
    const a = generateKey();
    const b = generateKey();
    expect(a).toMatch(/^sk-sy-[0-9A-Za-z]{40}$/);
    expect(a).not.toBe(b);
  });

  it('hashes with the installation secret, so the same key hashes differently elsewhere', () => {
    const k = generateKey();
    expect(hashKey(Buffer.from('a'), k)).not.toBe(hashKey(Buffer.from('b'), k));
    expect(hashKey(Buffer.from('a'), k)).not.toContain(k);
  });

  it('reads Bearer, x-api-key and Basic forms', () => {
    expect(presentedKey({ authorization: 'Bearer sk-sy-abc' })).toBe('sk-sy-abc');
    expect(presentedKey({ 'x-api-key': 'sk-sy-abc' })).toBe('sk-sy-abc');
    expect(presentedKey({ authorization: 'Basic sk-sy-abc' })).toBe('sk-sy-abc');
    expect(presentedKey({ authorization: 'Basic ' + Buffer.from('user:sk-sy-abc').toString('base64') })).toBe('sk-sy-abc');
    expect(presentedKey({ authorization: 'Basic ' + Buffer.from('sk-sy-abc:').toString('base64') })).toBe('sk-sy-abc');
    expect(presentedKey({})).toBeNull();
    expect(presentedKey({ authorization: 'Bearer ' })).toBeNull();
    expect(presentedKey({ authorization: 'Digest x' })).toBeNull();
  });

  it('compares secrets of different lengths safely', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abcd')).toBe(false);
  });
});

describe('KeyRing.authenticate', () => {
  it('tells the admin key, a stored key and an unknown key apart, hashing the presented key once', async () => {
    const store = new SqliteStore(':memory:');
    const admin = generateKey();
    const { key, record } = await createClientKey(store, 'team');
    const ring = await KeyRing.open(store, admin);
    try {
      expect(ring.authenticate(admin)).toMatchObject({ id: 'admin', admin: true });
      expect(ring.authenticate(key)).toMatchObject({ id: record.id, name: 'team', admin: false });
      expect(ring.authenticate(key + 'x')).toBeNull();
      expect(ring.authenticate(admin.slice(0, -1))).toBeNull();
      expect(ring.authenticate('')).toBeNull();
    } finally {
      ring.close();
      await store.close();
    }
  });

  it('without an admin key configured, no key is admin', async () => {
    const store = new SqliteStore(':memory:');
    const { key } = await createClientKey(store, 'team');
    const ring = await KeyRing.open(store, undefined);
    try {
      expect(ring.authenticate(key)?.admin).toBe(false);
    } finally {
      ring.close();
      await store.close();
    }
  });
});
