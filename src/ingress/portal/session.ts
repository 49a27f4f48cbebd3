import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'switchyard_portal';
export const SESSION_TTL_MS = 12 * 60 * 60_000;

export interface PortalSession {
  sid: string;
  expiresAt: number;
  csrf: string;
}

/**
 * Portal sign-in sessions: `v1.<payload>.<hmac>` tokens, stateless so that every instance sharing the store (and so
 * its secret) accepts a session another instance issued. The HMAC key also covers the admin key, so changing the
 * admin key ends every session. Logout adds the session id to a local deny list kept until the token would have
 * expired anyway.
 */
export class PortalSessions {
  private readonly key: Buffer;
  private readonly revoked = new Map<string, number>();

  constructor(
    storeSecret: Buffer,
    adminKey: string,
    private readonly ttlMs = SESSION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHmac('sha256', storeSecret).update('switchyard portal session v1\0').update(createHash('sha256').update(adminKey).digest()).digest();
  }

  issue(): { token: string; session: PortalSession } {
    const sid = randomBytes(18).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    const payload = Buffer.from(JSON.stringify({ sid, exp: expiresAt })).toString('base64url');
    const token = `v1.${payload}.${this.sign(payload)}`;
    return { token, session: { sid, expiresAt, csrf: this.csrfFor(sid) } };
  }

  verify(token: string | null | undefined): PortalSession | null {
    if (!token) return null;
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1') return null;
    const [, payload, sig] = parts;
    if (!equalText(sig, this.sign(payload))) return null;
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const { sid, exp } = (data ?? {}) as { sid?: unknown; exp?: unknown };
    if (typeof sid !== 'string' || typeof exp !== 'number') return null;
    if (exp <= this.now() || this.revoked.has(sid)) return null;
    return { sid, expiresAt: exp, csrf: this.csrfFor(sid) };
  }

  revoke(session: PortalSession): void {
    const now = this.now();
    for (const [sid, exp] of this.revoked) if (exp <= now) this.revoked.delete(sid);
    this.revoked.set(session.sid, session.expiresAt);
  }

  /** The CSRF token is derived from the session, so no instance has to remember it. */
  checkCsrf(session: PortalSession, presented: string | null | undefined): boolean {
    return typeof presented === 'string' && equalText(presented, session.csrf);
  }

  private csrfFor(sid: string): string {
    return createHmac('sha256', this.key).update('csrf\0').update(sid).digest('base64url');
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

function equalText(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** The value of one cookie from a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

