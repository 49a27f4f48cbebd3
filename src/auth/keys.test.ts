import { describe, expect, it } from 'vitest';
import { generateKey, hashKey, presentedKey, secretsEqual } from './keys.js';

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
