import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientKey, Permission, Store } from '../store/index.js';

const KEY_PREFIX = 'sk-sy-';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A new random client key: `sk-sy-` followed by 40 base62 characters (~238 bits). */
export function generateKey(): string {
  const bytes = randomBytes(40);
  let out = KEY_PREFIX;
  for (const b of bytes) out += BASE62[b % 62];
  return out;
}

/** The part of a key that may be shown after creation. */
export function displayPrefix(key: string): string {
  return key.startsWith(KEY_PREFIX) ? key.slice(0, KEY_PREFIX.length + 4) : key.slice(0, 4);
}

export function hashKey(secret: Buffer, key: string): string {
  return createHmac('sha256', secret).update(key).digest('base64url');
}

/** Compares two secrets in constant time (over their digests, so lengths do not leak either). */
export function secretsEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

export interface AuthenticatedKey {
  id: string;
  name: string;
  permissions: readonly Permission[];
  admin: boolean;
}

/**
 * In-memory view of the active client keys, keyed by hash. Refreshed when the store reports a change made by another
 * connection (the CLI, another instance), checked on a timer so the request path never touches storage.
 */
export class KeyRing {
  private byHash = new Map<string, AuthenticatedKey>();
  private marker = -1;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly store: Store,
    private readonly secret: Buffer,
    private readonly adminKey: string | undefined,
  ) {}

  static async open(store: Store, adminKey: string | undefined, refreshMs = 1000): Promise<KeyRing> {
    const ring = new KeyRing(store, await store.secret(), adminKey);
    await ring.reload();
    ring.timer = setInterval(() => void ring.refreshIfChanged().catch(() => undefined), refreshMs);
    ring.timer.unref();
    return ring;
  }

  hash(key: string): string {
    return hashKey(this.secret, key);
  }

  async reload(): Promise<void> {
    const keys = await this.store.listKeys();
    const next = new Map<string, AuthenticatedKey>();
    for (const k of keys) next.set(k.hash, { id: k.id, name: k.name, permissions: k.permissions, admin: k.permissions.includes('admin') });
    this.byHash = next;
    this.marker = await this.store.changeMarker();
  }

  async refreshIfChanged(): Promise<void> {
    const m = await this.store.changeMarker();
    if (m !== this.marker) await this.reload();
  }

  /** Applies a change made through this process at once (the change marker only sees other connections). */
  noteCreated(k: ClientKey): void {
    if (k.revokedAt === null) this.byHash.set(k.hash, { id: k.id, name: k.name, permissions: k.permissions, admin: k.permissions.includes('admin') });
  }

  noteRevoked(k: ClientKey): void {
    this.byHash.delete(k.hash);
  }

  get activeCount(): number {
    return this.byHash.size;
  }

  authenticate(presented: string): AuthenticatedKey | null {
    if (this.adminKey !== undefined && secretsEqual(presented, this.adminKey)) {
      return { id: 'admin', name: 'admin', permissions: ['admin', 'routers:write'], admin: true };
    }
    return this.byHash.get(hashKey(this.secret, presented)) ?? null;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** Extracts the presented key from `Authorization: Bearer|Basic` or `x-api-key`. */
export function presentedKey(headers: { authorization?: string; 'x-api-key'?: string | string[] }): string | null {
  const x = headers['x-api-key'];
  const xk = Array.isArray(x) ? x[0] : x;
  if (xk) return xk.trim() || null;
  const auth = headers.authorization;
  if (!auth) return null;
  const space = auth.indexOf(' ');
  if (space < 0) return null;
  const scheme = auth.slice(0, space).toLowerCase();
  const value = auth.slice(space + 1).trim();
  if (!value) return null;
  if (scheme === 'bearer') return value;
  if (scheme === 'basic') {
    // Either the key itself, or base64("user:key") / base64("key:") as HTTP clients produce.
    if (value.startsWith(KEY_PREFIX)) return value;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return decoded || value;
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    return pass || user || null;
  }
  return null;
}
