import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortalSessions } from '../../src/ingress/portal/session.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/** The portal's server side over HTTP: static serving and headers, sign-in, the cookie as admin credentials, CSRF. */
const ADMIN_KEY = 'portal-test-admin-key-0001';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ auth: { admin_key: ADMIN_KEY } });
});
afterAll(async () => {
  await h?.close();
});

async function signIn(key = ADMIN_KEY, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.url}/portal/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ admin_key: key }) });
}

function cookieOf(res: Response): string {
  const set = res.headers.get('set-cookie') ?? '';
  return set.split(';')[0];
}

describe('static app', () => {
  it('serves index.html for client-side routes with a strict CSP and anti-framing headers', async () => {
    for (const path of ['/portal/', '/portal/requests', '/portal/routers/some-router']) {
      const res = await fetch(h.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const html = await res.text();
      expect(html).toContain('<div id="root">');
      // Nothing inline: every script and stylesheet comes from a file.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|style=/);
    }
  });

  it('serves hashed assets with a long cache and their content type, and 404s unknown ones', async () => {
    const html = await (await fetch(`${h.url}/portal/`)).text();
    const js = /src="(\/portal\/assets\/[^"]+\.js)"/.exec(html)![1];
    const css = /href="(\/portal\/assets\/[^"]+\.css)"/.exec(html)![1];
    const jsRes = await fetch(h.url + js);
    expect(jsRes.status).toBe(200);
    expect(jsRes.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(jsRes.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(h.url + css)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${h.url}/portal/assets/nope-123.js`)).status).toBe(404);
  });

  it('redirects /portal to /portal/', async () => {
    const res = await fetch(`${h.url}/portal`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/portal/');
  });
});

describe('session', () => {
  it('refuses a wrong admin key and a client key', async () => {
    expect((await signIn('not-the-admin-key-at-all')).status).toBe(401);
    expect((await signIn(h.key)).status).toBe(401);
  });

  it('refuses a cross-origin sign-in and a non-JSON body', async () => {
    expect((await signIn(ADMIN_KEY, { origin: 'https://evil.example' })).status).toBe(403);
    const form = await fetch(`${h.url}/portal/api/session`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `admin_key=${ADMIN_KEY}` });
    expect(form.status).toBe(415);
  });

  it('signs in with an HttpOnly SameSite=Strict cookie that authenticates the admin API, and signs out for good', async () => {
    const res = await signIn(ADMIN_KEY, { origin: h.url });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    // Plain HTTP here: a Secure cookie would never be sent back.
    expect(setCookie).not.toMatch(/Secure/);
    const { csrf_token } = (await res.json()) as { csrf_token: string };
    expect(csrf_token).toMatch(/^[\w-]{20,}$/);
    const cookie = cookieOf(res);

    const who = await fetch(`${h.url}/portal/api/session`, { headers: { cookie } });
    expect(((await who.json()) as { csrf_token: string }).csrf_token).toBe(csrf_token);

    expect((await fetch(`${h.url}/admin/v1/circuits`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${h.url}/router/v1/routers`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${h.url}/llm/v1alpha/models`, { headers: { cookie } })).status).toBe(200);
    // The model endpoints never take the cookie.
    const chat = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'anthropic/claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }) });
    expect(chat.status).toBe(401);

    const out = await fetch(`${h.url}/portal/api/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf_token } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    // The old cookie is dead even if the browser kept it.
    expect(await (await fetch(`${h.url}/portal/api/session`, { headers: { cookie } })).json()).toEqual({ signed_in: false });
    expect((await fetch(`${h.url}/admin/v1/circuits`, { headers: { cookie } })).status).toBe(401);
  });

  it('marks the cookie Secure when the request came over TLS (via a proxy)', async () => {
    const res = await signIn(ADMIN_KEY, { 'x-forwarded-proto': 'https' });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('needs the CSRF header for state-changing calls made with the cookie', async () => {
    const res = await signIn();
    const cookie = cookieOf(res);
    const { csrf_token } = (await res.json()) as { csrf_token: string };
    const create = (headers: Record<string, string>) =>
      fetch(`${h.url}/admin/v1/keys`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: `csrf-${Math.random().toString(36).slice(2, 8)}` }) });
    expect((await create({})).status).toBe(403);
    expect((await create({ 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await create({ 'x-csrf-token': csrf_token })).status).toBe(201);

    const router = { name: 'routers/csrf-check', defaultRoute: { route_id: 'd', variants: [{ variant: { variant_id: 'v', model_id: 'anthropic/claude-sonnet-4-6' } }] } };
    const post = (headers: Record<string, string>) => fetch(`${h.url}/router/v1/routers`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify(router) });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf_token })).status).toBe(200);
    // Signing out also needs the token, so another site cannot log the admin out either.
    expect((await fetch(`${h.url}/portal/api/session`, { method: 'DELETE', headers: { cookie } })).status).toBe(403);
  });

  it('leaves key authentication unchanged', async () => {
    expect((await fetch(`${h.url}/admin/v1/circuits`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(200);
    expect((await fetch(`${h.url}/admin/v1/circuits`, { headers: { authorization: `Bearer ${h.key}` } })).status).toBe(403);
    expect((await fetch(`${h.url}/admin/v1/circuits`)).status).toBe(401);
  });
});

describe('session tokens', () => {
  const secret = Buffer.alloc(32, 7);
  it('verify on another instance sharing the store secret, and not after the admin key changes', () => {
    const a = new PortalSessions(secret, 'admin-key-one-0000000');
    const { token, session } = a.issue();
    expect(new PortalSessions(secret, 'admin-key-one-0000000').verify(token)?.csrf).toBe(session.csrf);
    expect(new PortalSessions(secret, 'admin-key-two-0000000').verify(token)).toBeNull();
    expect(new PortalSessions(Buffer.alloc(32, 8), 'admin-key-one-0000000').verify(token)).toBeNull();
  });

  it('reject tampering and expiry', () => {
    let now = 1_000_000;
    const s = new PortalSessions(secret, 'admin-key-one-0000000', 1000, () => now);
    const { token } = s.issue();
    const [v, payload, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sid: 'x', exp: now + 10_000_000 })).toString('base64url');
    expect(s.verify(`${v}.${forged}.${sig}`)).toBeNull();
    expect(s.verify(`${v}.${payload}.${sig.slice(0, -2)}AA`)).toBeNull();
    expect(s.verify(token)).not.toBeNull();
    now += 1000;
    expect(s.verify(token)).toBeNull();
  });

  it('throttles sign-in after repeated failures from one address, sharing the API keys\' budget', async () => {
    const t = await startHarness({ auth: { admin_key: ADMIN_KEY, failure_throttle: { max_failures: 3, window: 60_000 } } });
    try {
      const at = (key: string) => fetch(`${t.url}/portal/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ admin_key: key }) });
      expect((await at('wrong-admin-key-000000001')).status).toBe(401);
      // A wrong API key from the same address spends the same budget.
      expect((await fetch(`${t.url}/admin/v1/requests`, { headers: { authorization: 'Bearer sk-sy-wrong-key-0000000000' } })).status).toBe(401);
      expect((await at('wrong-admin-key-000000002')).status).toBe(401);
      const blocked = await at(ADMIN_KEY);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(blocked.headers.get('set-cookie')).toBeNull();
    } finally {
      await t.close();
    }
  });
});
