import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { ClientKey, Permission, Store } from '../store/index.js';
import type { KeyLimitsInput } from '../limits/schema.js';

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

function keyDigest(secret: Buffer, key: string): Buffer {
  return createHmac('sha256', secret).update(key).digest();
}

export function hashKey(secret: Buffer, key: string): string {
  return keyDigest(secret, key).toString('base64url');
}

/** Compares two secrets in constant time (over their digests, so lengths do not leak either). */
export function secretsEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** Presented keys whose digests are remembered (see KeyRing.digests); past this the memory starts over. */
const MAX_REMEMBERED_KEYS = 4096;

export interface AuthenticatedKey {
  id: string;
  name: string;
  permissions: readonly Permission[];
  admin: boolean;
  /** Limits stored with the key (see src/limits); the config's defaults and config-key limits apply under them. */
  limits?: KeyLimitsInput | null;
}

function authenticated(k: ClientKey): AuthenticatedKey {
  return { id: k.id, name: k.name, permissions: k.permissions, admin: k.permissions.includes('admin'), limits: k.limits ?? null };
}

/**
 * In-memory view of the active client keys, keyed by hash. Refreshed when the store reports a change made by another
 * connection (the CLI, another instance), checked on a timer so the request path never touches storage.
 */
export class KeyRing {
  private byHash = new Map<string, AuthenticatedKey>();
  private marker = -1;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();
  private refreshing = false;
  /** Set while refreshes fail (the store is unreachable): the keys last read keep serving, and it is logged once. */
  private refreshError: string | null = null;
  /** Called after a key change applied through this process, to tell the other instances (set by the app). */
  onLocalChange: (() => void) | null = null;

  /** The admin key's HMAC: a presented key is hashed once, then compared with it and looked up among the keys. */
  private readonly adminDigest: Buffer | undefined;

  private constructor(
    private readonly store: Store,
    private readonly secret: Buffer,
    adminKey: string | undefined,
    private readonly log?: Logger,
  ) {
    this.adminDigest = adminKey === undefined ? undefined : keyDigest(secret, adminKey);
  }

  static async open(store: Store, adminKey: string | undefined, refreshMs = 1000, log?: Logger): Promise<KeyRing> {
    const ring = new KeyRing(store, await store.secret(), adminKey, log);
    await ring.reload();
    ring.timer = setInterval(() => void ring.tick(), refreshMs);
    ring.timer.unref();
    return ring;
  }

  private async tick(): Promise<void> {
    // One refresh at a time: against a store that stopped answering, each would wait out its connect timeout.
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      await this.refreshIfChanged();
      if (this.refreshError !== null) this.log?.info({ keys: this.byHash.size }, 'client key refresh works again');
      this.refreshError = null;
    } catch (err) {
      const message = (err as Error).message;
      if (this.refreshError === null) {
        this.log?.warn({ err: message, keys: this.byHash.size }, 'client key refresh failed; serving the keys last read until the store answers again');
      }
      this.refreshError = message;
    } finally {
      this.refreshing = false;
    }
  }

  hash(key: string): string {
    return hashKey(this.secret, key);
  }

  /**
   * Re-reads the active keys. Reloads run one after another, so one started after a write (a key created or revoked
   * through the admin API) is applied after any reload already in flight, which may have read the keys before it.
   */
  async reload(): Promise<void> {
    const run = this.reloading.then(() => this.load());
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    // The marker first: a change committed while the keys are read moves it again, so the next look reloads. Read
    // after the keys, it could already count that change and leave the ring stale until the one after.
    const marker = await this.store.changeMarker();
    const keys = await this.store.listKeys();
    const next = new Map<string, AuthenticatedKey>();
    for (const k of keys) next.set(k.hash, authenticated(k));
    this.byHash = next;
    this.marker = marker;
  }

  async refreshIfChanged(): Promise<void> {
    const m = await this.store.changeMarker();
    if (m !== this.marker) await this.reload();
  }

  /** Applies a change made through this process at once (the change marker only sees other connections). */
  noteCreated(k: ClientKey): void {
    if (k.revokedAt === null) this.byHash.set(k.hash, authenticated(k));
    this.onLocalChange?.();
  }

  noteRevoked(k: ClientKey): void {
    this.byHash.delete(k.hash);
    this.onLocalChange?.();
  }

  /** Applies a change of a key's stored limits made through this process at once. */
  noteLimits(k: ClientKey): void {
    if (k.revokedAt === null && this.byHash.has(k.hash)) this.byHash.set(k.hash, authenticated(k));
    this.onLocalChange?.();
  }

  get activeCount(): number {
    return this.byHash.size;
  }

  authenticate(presented: string): AuthenticatedKey | null {
    const known = this.digests.get(presented);
    const digest = known?.digest ?? keyDigest(this.secret, presented);
    // Constant time: both are HMACs of the same length.
    if (this.adminDigest !== undefined && timingSafeEqual(digest, this.adminDigest)) {
      if (!known) this.remember(presented, digest, '');
      return { id: 'admin', name: 'admin', permissions: ['admin', 'routers:write'], admin: true };
    }
    const hash = known?.hash || digest.toString('base64url');
    const key = this.byHash.get(hash) ?? null;
    if (key && !known) this.remember(presented, digest, hash);
    return key;
  }

  /**
   * Digests of keys that have authenticated, by the key as presented: the HMAC and its encoding were ~20 µs of a small
   * request's latency at c=1. Only keys that matched are kept, so unknown keys cannot churn it, and a revoked key
   * still fails: its hash is looked up among the active keys on every request.
   */
  private readonly digests = new Map<string, { digest: Buffer; hash: string }>();

  private remember(presented: string, digest: Buffer, hash: string): void {
    if (this.digests.size >= MAX_REMEMBERED_KEYS) this.digests.clear();
    this.digests.set(presented, { digest, hash });
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
