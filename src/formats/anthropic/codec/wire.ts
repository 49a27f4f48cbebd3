import { CodecError } from '../../canonical/codec.js';
import type { CacheControl } from '../../canonical/types.js';

/** A JSON object as read from the wire. */
export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `undefined` and `null` both mean "not given" on the Anthropic wire (the SDKs send explicit nulls). */
export function given(v: unknown): boolean {
  return v !== undefined && v !== null;
}

export function fail(path: string, message: string): never {
  throw new CodecError(`${path}: ${message}`, path);
}

export function expectObject(v: unknown, path: string): Json {
  if (!isObject(v)) fail(path, `expected an object, got ${describe(v)}`);
  return v;
}

export function expectString(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, `expected a string, got ${describe(v)}`);
  return v;
}

export function optionalString(v: unknown, path: string): string | undefined {
  return given(v) ? expectString(v, path) : undefined;
}

export function optionalNumber(v: unknown, path: string): number | undefined {
  if (!given(v)) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `expected a number, got ${describe(v)}`);
  return v;
}

export function optionalInteger(v: unknown, path: string, min = 0): number | undefined {
  const n = optionalNumber(v, path);
  if (n !== undefined && (!Number.isInteger(n) || n < min)) fail(path, `expected an integer >= ${min}, got ${n}`);
  return n;
}

export function optionalBoolean(v: unknown, path: string): boolean | undefined {
  if (!given(v)) return undefined;
  if (typeof v !== 'boolean') fail(path, `expected a boolean, got ${describe(v)}`);
  return v;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

export function decodeCacheControl(v: unknown, path: string): CacheControl | undefined {
  if (!given(v)) return undefined;
  const o = expectObject(v, path);
  if (o.type !== 'ephemeral') fail(`${path}.type`, `expected "ephemeral", got ${JSON.stringify(o.type)}`);
  if (!given(o.ttl)) return { type: 'ephemeral' };
  if (o.ttl !== '5m' && o.ttl !== '1h') fail(`${path}.ttl`, `expected "5m" or "1h", got ${JSON.stringify(o.ttl)}`);
  return { type: 'ephemeral', ttl: o.ttl };
}

export function encodeCacheControl(c: CacheControl | undefined): Json | undefined {
  if (!c) return undefined;
  return c.ttl ? { type: 'ephemeral', ttl: c.ttl } : { type: 'ephemeral' };
}

/** Keys of `o` that are given (non-null) and not in `known`. */
export function extraKeys(o: Json, known: readonly string[]): string[] {
  return Object.keys(o).filter((k) => given(o[k]) && !known.includes(k));
}

/** Copies the defined entries only, so encoded JSON has no `undefined` members (deep-equal friendly). */
export function compact<T extends Json>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
