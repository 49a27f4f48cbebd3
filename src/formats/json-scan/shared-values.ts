import { Buffer } from 'node:buffer';

/**
 * JSON values parsed once per distinct bytes and shared, deep-frozen, by every request that sends the same bytes. An
 * agent resends the same tool definitions every turn (Claude Code: ~60 KB for 24 tools); parsing them again, and every
 * memo keyed by what they parse to (see `sameJson` users), would be paid per request. A hit is checked byte for byte.
 * Frozen because they are shared: code that would change one throws (ES modules are strict) instead of leaking the
 * change into another request. Holds at most `budget` bytes of JSON text; the least recently used go first.
 */
export class SharedValues {
  private readonly map = new Map<number, { raw: Buffer; value: unknown }>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  /** The value of the JSON text buf[start, end), decoded as latin1 (byte strings), shared and deep-frozen. */
  get(buf: Buffer, start: number, end: number): unknown {
    const n = end - start;
    const key = sampleKey(buf, start, end);
    const hit = this.map.get(key);
    if (hit && buf.compare(hit.raw, 0, n, start, end) === 0) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit.value;
    }
    const value = deepFreeze(JSON.parse(buf.toString('latin1', start, end)));
    if (n <= this.budget / 4) {
      if (hit) this.bytes -= hit.raw.length;
      this.map.delete(key);
      this.map.set(key, { raw: Buffer.from(buf.subarray(start, end)), value });
      this.bytes += n;
      for (const [k, v] of this.map) {
        if (this.bytes <= this.budget) break;
        this.map.delete(k);
        this.bytes -= v.raw.length;
      }
    }
    return value;
  }
}

/** Words of a text that `sampleKey` mixes: spread over it, ends included. */
const SAMPLES = 8;

/**
 * A number naming the text buf[start, end): its length and a hash of SAMPLES words spread over it. That tells texts
 * apart almost always (the byte comparison settles the rest), and costs a few reads where a string key cost slices,
 * a concatenation and hashing the result.
 */
function sampleKey(buf: Buffer, start: number, end: number): number {
  const n = end - start;
  let h = 0x811c9dc5;
  if (n < 4) {
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  } else {
    const step = (n - 4) / (SAMPLES - 1);
    for (let k = 0; k < SAMPLES; k++) h = Math.imul(h ^ buf.readUInt32LE(start + Math.floor(k * step)), 0x01000193);
  }
  // 2^21 hash values per length, lengths up to 2^32: below 2^53, so every key is an exact number.
  return n * 0x200000 + ((h >>> 11) & 0x1fffff);
}

/** Objects frozen with everything in them, by `deepFreeze`: their JSON cannot change. */
const deeplyFrozen = new WeakSet<object>();

/** Whether `deepFreeze` froze `value`, and so everything in it. */
export function isDeeplyFrozen(value: object): boolean {
  return deeplyFrozen.has(value);
}

/** `value` with every object and array in it frozen. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !deeplyFrozen.has(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
    deeplyFrozen.add(value);
  }
  return value;
}

/**
 * Whether `JSON.stringify(a) === JSON.stringify(b)` is certain, without serialising either: plain objects with the
 * same keys in the same order, arrays of the same length, equal strings, finite numbers, booleans and nulls. The same
 * object counts as equal at once if `deepFreeze` froze it (its JSON cannot have changed), else not at all; anything
 * else unusual (a toJSON, a non-finite number, an undefined member) answers false, which only costs the caller a
 * serialisation.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  // One object twice: only a deeply frozen one is sure to have kept the JSON it had.
  if (a === b) return typeof a !== 'object' || a === null ? typeof a !== 'number' || Number.isFinite(a) : deeplyFrozen.has(a);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return sameContainer(a, b);
}

function sameContainer(a: object, b: object): boolean {
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !plain(a) || !plain(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    if (k !== kb[i]) return false;
    const va = (a as Record<string, unknown>)[k];
    if (va === undefined || typeof va === 'function' || !sameJson(va, (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function plain(o: object): boolean {
  const proto = Object.getPrototypeOf(o) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (o as { toJSON?: unknown }).toJSON !== 'function';
}
