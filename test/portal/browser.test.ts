import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createClientKey } from '../../src/auth/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { seedRecords } from './seed.js';

/**
 * The portal in real Chromium against a router whose providers are two simulators (`anthropic` and `backup`): sign
 * in, see traffic, inspect a failover, build and test a router, manage a key. Every page is screenshotted into
 * test-artifacts/portal/; with UPDATE_DOCS_SCREENSHOTS=1 the screenshots also replace docs/images/portal-*.png.
 */
// The callbacks given to page.evaluate/waitForFunction run in the page; the root project has no DOM types, so these
// are the few browser globals they touch.
interface PageElement {
  textContent: string | null;
}
declare const document: {
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  documentElement: { scrollWidth: number };
  activeElement: PageElement | null;
};
declare const window: { scrollTo(x: number, y: number): void };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`REQUIRE_SERVICES=1 but there is no Chromium at ${CHROMIUM}: the portal browser tests cannot run`);
  console.warn(`\n[portal] SKIPPED the browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)\n`);
}

const ADMIN_KEY = 'portal-browser-admin-key-0001';
const ARTIFACTS = path.resolve('test-artifacts/portal');
const DOC_IMAGES = path.resolve('docs/images');
const MODEL = 'anthropic/claude-sonnet-4-6';

let h: Harness;
let backup: Simulator;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Console errors and uncaught exceptions of the page; any one fails the test it happened in. */
let consoleErrors: string[] = [];
/** URLs whose error status a test provokes on purpose (Chromium logs every 4xx answer as a console error). */
const expectedFailures = new Set<string>();

async function chat(opts: { key?: string; model?: string; body?: Record<string, unknown>; headers?: Record<string, string> } = {}): Promise<{ status: number; id: string; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${h.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': opts.key ?? h.key, 'anthropic-version': '2023-06-01', 'user-agent': 'portal-test/1.0', ...opts.headers },
    body: JSON.stringify({ model: opts.model ?? MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Say hello to the portal.' }], ...opts.body }),
  });
  const body = await res.text();
  const json = res.headers.get('content-type')?.startsWith('application/json') ? (JSON.parse(body) as Record<string, unknown>) : {};
  return { status: res.status, id: res.headers.get('x-request-id') ?? '', headers: res.headers, json };
}

async function shot(name: string): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  // The top bar is sticky: scrolled down, a full-page capture would paint it over the middle of the page.
  await page.evaluate(() => window.scrollTo(0, 0));
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') await copyFile(file, path.join(DOC_IMAGES, `portal-${name}.png`));
}

async function go(to: string): Promise<void> {
  await page.goto(`${h.url}/portal${to}`);
}

const text = (selector: string) => page.locator(selector).first().innerText();

describe.skipIf(!haveChromium)('portal in Chromium', () => {
  beforeAll(async () => {
    backup = await startSimulator({ port: 0, label: 'backup' });
    h = await startHarness({
      auth: { admin_key: ADMIN_KEY },
      providers: { backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-key-0001', models: ['claude-sonnet-4-6', 'claude-haiku-4-5'] } },
      // Faults are injected on purpose; the breaker would otherwise skip the provider for the requests after them.
      failover: { breaker: { consecutiveFailures: 1_000_000, errorRate: 1 } },
      telemetry: { records: { flush_interval: 50, bodies: true }, log_level: 'silent' },
    });
    // Six hours of earlier traffic (seeded records) so that charts have more than one bucket, plus the router it used.
    const store = h.app.services.store;
    const testKey = (await store.listKeys()).find((k) => k.name === 'test-key')!;
    const batch = (await createClientKey(store, 'batch-jobs')).record;
    await store.insertRecords(seedRecords({ count: 400, hours: 6, now: Date.now(), keys: [testKey, batch, testKey] }));
    const support = {
      name: 'routers/support',
      displayName: 'Support bot',
      routes: [{ route: { route_id: 'complex', variants: [{ variant: { variant_id: 'opus', model_id: 'anthropic/claude-opus-4-6' } }] }, condition: { cel_expression: 'complexity == "high"' } }],
      defaultRoute: { route_id: 'simple', variants: [{ variant: { variant_id: 'haiku', model_id: 'anthropic/claude-haiku-4-5' } }] },
    };
    const created = await fetch(`${h.url}/router/v1/routers`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(support) });
    if (!created.ok) throw new Error(`creating the support router: ${created.status} ${await created.text()}`);
    await mkdir(ARTIFACTS, { recursive: true });
    if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') await mkdir(DOC_IMAGES, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'UTC' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const url = msg.location().url ?? '';
      if (msg.text().startsWith('Failed to load resource') && [...expectedFailures].some((u) => url.includes(u))) return;
      consoleErrors.push(`${msg.text()} (${url})`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await backup?.close();
  });

  afterEach(() => {
    const errors = consoleErrors;
    consoleErrors = [];
    expectedFailures.clear();
    expect(errors, 'browser console errors').toEqual([]);
  });

  it('signs in with the admin key', async () => {
    await go('/');
    await page.getByLabel('Admin key').waitFor();
    await shot('signin');
    await page.getByLabel('Admin key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'switchyard_portal');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    // The session survives a reload (it is the cookie, not page state).
    await page.reload();
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
  }, 60_000);

  it('shows traffic sent by the test in Requests, live', async () => {
    await go('/requests');
    await page.getByRole('heading', { name: 'Requests', exact: true }).waitFor();
    const sent = await chat({ headers: { 'x-switchyard-metadata': 'team=portal-test' } });
    expect(sent.status).toBe(200);
    // No reload: the live table picks the request up by polling.
    const row = page.locator(`tr[data-request-id="${sent.id}"]`);
    await row.waitFor();
    const cells = await row.innerText();
    expect(cells).toContain(MODEL);
    expect(cells).toContain('test-key');
    expect(cells).toContain('portal-test/1.0');
    expect(cells).toContain('200');

    // Search narrows the table to matching requests.
    await page.getByLabel('Search').fill(sent.id);
    await page.waitForFunction(() => document.querySelectorAll('tr[data-request-id]').length === 1);
    expect(await page.locator('tr[data-request-id]').first().getAttribute('data-request-id')).toBe(sent.id);
    await page.getByRole('button', { name: 'Clear' }).click();

    // More traffic for the overview: several models, two keys, a few client errors.
    const other = await fetch(`${h.url}/admin/v1/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ci' }) });
    const ciKey = ((await other.json()) as { key: string }).key;
    const models = ['anthropic/claude-sonnet-4-6', 'anthropic/claude-haiku-4-5', 'backup/claude-haiku-4-5', 'anthropic/claude-opus-4-6'];
    for (let i = 0; i < 12; i++) {
      if (i % 5 === 4) h.sim.fault({ fault: { kind: 'status', status: 400, message: 'messages.0: simulated bad request' }, times: 1 });
      await chat({ model: models[i % models.length], key: i % 3 === 0 ? ciKey : h.key, body: { stream: i % 2 === 0 } });
    }
    await h.flush();
    await page.waitForFunction(() => document.querySelectorAll('tr[data-request-id]').length >= 13);
    await shot('requests');

    await go('/');
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    await page.locator('.stat-value').first().waitFor();
    expect(Number((await text('.stat-value')).replace(/\D/g, ''))).toBeGreaterThanOrEqual(13);
    await page.locator('canvas').first().waitFor();
    await shot('overview');
  }, 90_000);

  it('shows both attempts of a request that failed over', async () => {
    h.sim.fault({ fault: { kind: 'status', status: 503, message: 'simulated outage' }, times: 1 });
    const sent = await chat({ body: { models: ['backup/claude-sonnet-4-6'] } });
    expect(sent.status).toBe(200);
    expect(sent.headers.get('x-switchyard-provider')).toBe('backup');

    await go('/requests');
    const link = page.locator(`tr[data-request-id="${sent.id}"] a`);
    await link.click();
    await page.getByRole('heading', { name: 'Request', exact: true, level: 1 }).waitFor();
    const attempts = page.locator('table.attempts tbody tr');
    await attempts.nth(1).waitFor();
    expect(await attempts.count()).toBe(2);
    const first = await attempts.nth(0).innerText();
    const second = await attempts.nth(1).innerText();
    expect(first).toContain('anthropic');
    expect(first).toContain('503');
    expect(first).toContain('failed');
    expect(second).toContain('backup');
    expect(second).toContain('answered');
    // The waterfall chart is drawn, and the decision is told in words.
    expect(await page.getByRole('img', { name: 'Attempt timeline' }).count()).toBe(1);
    expect(await text('[data-testid="decision"]')).toMatch(/1 attempt failed .*anthropic.*then backup\/claude-sonnet-4-6 answered/s);
    await shot('request');
  }, 60_000);

  it('creates a router in the editor that routes the next request as its tester said', async () => {
    const router = {
      name: 'routers/portal-e2e',
      displayName: 'Portal end-to-end',
      routes: [
        {
          route: { route_id: 'pro', variants: [{ variant: { variant_id: 'backup-sonnet', model_id: 'backup/claude-sonnet-4-6' }, weight: 100 }] },
          condition: { cel_expression: 'tier == "pro"' },
        },
      ],
      defaultRoute: { route_id: 'default', variants: [{ variant: { variant_id: 'haiku', model_id: 'anthropic/claude-haiku-4-5' }, weight: 100 }] },
    };
    await go('/routers');
    await page.getByRole('link', { name: 'New router' }).click();
    await page.getByRole('heading', { name: 'New router', exact: true }).waitFor();
    const editor = page.getByLabel(/^Router JSON/);

    // First an invalid one: the server's error is shown at the offending field.
    const invalid = structuredClone(router);
    invalid.routes[0].route.variants[0].weight = 90;
    await editor.fill(JSON.stringify(invalid, null, 2));
    expectedFailures.add('/router/v1/routers');
    await page.getByRole('button', { name: 'Create router' }).click();
    const issue = page.locator('.issues li[data-path="routes[0].route.variants"]');
    await issue.waitFor();
    // "variants" is on line 8 of the pretty-printed JSON.
    expect(await issue.innerText()).toMatch(/line 8 .*sum to exactly 100/s);
    expect((await page.locator('.gutter-line.error').allInnerTexts()).map((t) => t.replace(/\D/g, ''))).toEqual(['8']);
    await shot('router-validation');

    await editor.fill(JSON.stringify(router, null, 2));
    await page.getByRole('button', { name: 'Create router' }).click();
    await page.getByRole('heading', { name: 'Router portal-e2e', exact: true }).waitFor();

    await page.getByLabel('Metadata (CEL variables)').fill('{"tier": "pro"}');
    await page.getByRole('button', { name: 'Run test' }).click();
    await page.locator('[data-testid="test-result"]').waitFor();
    const route = (await text('[data-testid="test-route"]')).trim();
    const variant = (await text('[data-testid="test-variant"]')).trim();
    const chain = (await page.locator('[data-testid="test-chain"] li').allInnerTexts()).map((s) => s.trim());
    expect(route).toBe('pro');
    expect(variant).toBe('backup-sonnet');
    expect(chain[0]).toBe('backup/claude-sonnet-4-6');

    const sent = await chat({ model: 'router/portal-e2e', headers: { 'x-switchyard-metadata': 'tier=pro' } });
    expect(sent.status).toBe(200);
    const meta = sent.json.metadata as { route_id: string; variant_id: string };
    expect(meta.route_id).toBe(route);
    expect(meta.variant_id).toBe(variant);
    expect(sent.json.model).toBe(chain[0]);
    await h.flush();
    // The router's traffic table counts it.
    await page.reload();
    await page.locator('table', { hasText: 'backup-sonnet' }).waitFor();
    await shot('router-editor');

    await go('/routers');
    await page.getByRole('link', { name: 'portal-e2e' }).waitFor();
    await shot('routers');
  }, 60_000);

  it('creates a key that authenticates a request and stops working once revoked', async () => {
    await go('/keys');
    await page.getByLabel('Name').fill('portal-made');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.locator('[data-testid="new-key"]');
    await shown.waitFor();
    const key = (await shown.innerText()).trim();
    expect(key).toMatch(/^sk-sy-/);
    expect((await chat({ key })).status).toBe(200);
    await shot('keys');

    await page.getByRole('button', { name: 'Done, hide it' }).click();
    const row = page.locator('tr[data-key-name="portal-made"]');
    await row.getByRole('button', { name: 'Revoke…' }).click();
    await row.getByRole('button', { name: 'Revoke portal-made' }).click();
    await page.locator('tr[data-key-name="portal-made"]').waitFor({ state: 'detached' });
    expect((await chat({ key })).status).toBe(401);
  }, 60_000);

  it('shows the catalog with prices, live latency and circuit states', async () => {
    await go('/models');
    const row = page.locator('table.models tbody tr', { hasText: 'anthropic/claude-sonnet-4-6' });
    await row.waitFor();
    // Traffic went through it above, so its circuit is known (closed: healthy).
    await page.waitForFunction(() => [...document.querySelectorAll('table.models tbody tr')].some((r) => r.textContent?.includes('anthropic/claude-sonnet-4-6') && r.textContent.includes('closed')));
    expect(await row.innerText()).toMatch(/\$\d/);
    await shot('models');
  }, 60_000);

  it('works on a narrow window and from the keyboard', async () => {
    await page.setViewportSize({ width: 400, height: 860 });
    await go('/');
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    await page.locator('canvas').first().waitFor();
    // Nothing wider than the window: tables scroll inside their own boxes.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    await shot('overview-narrow');
    await go('/requests');
    await page.locator('tr[data-request-id]').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    await page.setViewportSize({ width: 1280, height: 860 });

    // From the top of the page, Tab reaches the skip link, then the navigation; Enter follows a link.
    await go('/');
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate(() => document.activeElement?.textContent)) === 'Keys';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Keys', exact: true }).waitFor();
  }, 60_000);

  it('signs out, and the session is gone', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin key').waitFor();
    await page.reload();
    await page.getByLabel('Admin key').waitFor();
    expectedFailures.add('/admin/v1/keys');
    const r = await page.evaluate(async () => (await fetch('/admin/v1/keys')).status);
    expect(r).toBe(401);
  }, 30_000);
});
