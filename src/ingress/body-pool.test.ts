import { describe, expect, it } from 'vitest';
import { BodyPool, MAX_POOLED_BYTES, MIN_POOLED_BYTES, POISON, sizeClass } from './body-pool.js';

describe('sizeClass', () => {
  it('rounds up to one of four classes per power of two: never smaller, at most a quarter unused', () => {
    for (const size of [1, 7, 1000, 32 * 1024, 200 * 1024, 204_801, 1 << 20, 3_000_001]) {
      const c = sizeClass(size);
      expect(c).toBeGreaterThanOrEqual(size);
      expect(c).toBeLessThanOrEqual(Math.max(size * 1.25, size + 1));
    }
    expect(sizeClass(200 * 1024)).toBe(224 * 1024);
    expect(sizeClass(256 * 1024)).toBe(256 * 1024);
  });
});

describe('BodyPool', () => {
  it('hands a released buffer to the next body of the same class, and only bodies it pools', () => {
    const pool = new BodyPool(1 << 20);
    expect(pool.take(MIN_POOLED_BYTES - 1)).toBeNull();
    expect(pool.take(MAX_POOLED_BYTES + 1)).toBeNull();
    const buf = pool.take(200_000)!;
    expect(buf.length).toBe(sizeClass(200_000));
    const body = pool.view(buf, 200_000);
    expect(body.length).toBe(200_000);
    expect(body.buffer).toBe(buf.buffer);
    pool.release(body);
    expect(pool.idleBytes).toBe(buf.length);
    expect(pool.take(210_000)).toBe(buf);
    expect(pool.idleBytes).toBe(0);
    // Not from the pool: ignored.
    pool.release(Buffer.alloc(100_000));
    expect(pool.idleBytes).toBe(0);
  });

  it('keeps at most maxFreeBytes in free buffers; 0 turns pooling off', () => {
    const pool = new BodyPool(300 * 1024);
    const bodies = [0, 1].map(() => pool.view(pool.take(200 * 1024)!, 200 * 1024));
    for (const b of bodies) pool.release(b);
    expect(pool.idleBytes).toBe(224 * 1024);
    expect(new BodyPool(0).take(200 * 1024)).toBeNull();
  });

  it('a body released once goes back once: releasing it again cannot hand its buffer to two requests', () => {
    const pool = new BodyPool(1 << 20);
    const body = pool.view(pool.take(100_000)!, 100_000);
    pool.release(body);
    pool.release(body);
    expect(pool.idleBytes).toBe(sizeClass(100_000));
    const a = pool.take(100_000);
    const b = pool.take(100_000);
    expect(a).not.toBe(b);
  });

  it('check mode pools every size, poisons a released buffer and throws on a second release', () => {
    const pool = new BodyPool(1 << 20, true);
    const buf = pool.take(10)!;
    expect(buf).not.toBeNull();
    buf.write('{"a":1234}');
    const body = pool.view(buf, 10);
    pool.release(body);
    expect(body.every((b) => b === POISON)).toBe(true);
    expect(() => pool.release(body)).toThrow(/released twice/);
  });
});
