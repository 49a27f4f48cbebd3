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

  it('a key that has authenticated before fails once it is revoked', async () => {
    const store = new SqliteStore(':memory:');
    const a = await createClientKey(store, 'a');
    const b = await createClientKey(store, 'b');
    const ring = await KeyRing.open(store, generateKey());
    try {
      for (let i = 0; i < 3; i++) expect(ring.authenticate(a.key)?.id).toBe(a.record.id);
      expect(ring.authenticate(b.key)?.id).toBe(b.record.id);
      ring.noteRevoked((await store.revokeKey(a.record.id))!);
      expect(ring.authenticate(a.key)).toBeNull();
      // Revoked without this ring being told (another instance, the CLI): seen at its next reload.
      await store.revokeKey(b.record.id);
      expect(ring.authenticate(b.key)?.id).toBe(b.record.id);
      await ring.reload();
      expect(ring.authenticate(b.key)).toBeNull();
    } finally {
      ring.close();
      await store.close();
    }
  });

  it('a key that failed authenticates once it exists', async () => {
    const store = new SqliteStore(':memory:');
    const ring = await KeyRing.open(store, undefined);
    try {
      const late = generateKey();
      expect(ring.authenticate(late)).toBeNull();
      const record = await store.insertKey({ name: 'late', hash: hashKey(await store.secret(), late), prefix: 'sk-sy-', permissions: [], source: 'cli', limits: null });
      ring.noteCreated(record);
      expect(ring.authenticate(late)?.id).toBe(record.id);
    } finally {
      ring.close();
      await store.close();
    }
  });
});
