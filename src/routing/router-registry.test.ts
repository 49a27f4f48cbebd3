import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import { applyUpdateMask, normaliseRouterId, parseUpdateMask, RouterRegistry } from './router-registry.js';

function router(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `routers/${id}`,
    displayName: `Router ${id}`,
    routes: [
      {
        route: { route_id: 'pro', variants: [{ variant: { variant_id: 'a', model_id: 'anthropic/claude-opus-4-6' }, weight: 100 }] },
        condition: { cel_expression: 'tier == "pro"' },
      },
    ],
    defaultRoute: { route_id: 'default', variants: [{ variant: { variant_id: 'b', model_id: 'anthropic/claude-haiku-4-5' }, weight: 100 }] },
    ...extra,
  };
}

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function tempDb(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'sy-reg-')), 'switchyard.db');
}

async function setup(opts: Parameters<typeof RouterRegistry.open>[1] = {}, file = tempDb()) {
  const store = new SqliteStore(file);
  open.push(store);
  const reg = await RouterRegistry.open(store, { refreshMs: 0, ...opts });
  open.push(reg);
  return { store, reg, file };
}

describe('normaliseRouterId and parseUpdateMask', () => {
  it('accepts every name form', () => {
    for (const n of ['x', 'routers/x', 'router/x', 'inworld/x', ' x ']) expect(normaliseRouterId(n)).toBe('x');
  });
  it('splits masks and treats empty as none', () => {
    expect(parseUpdateMask('display_name, defaults.text_generation_config')).toEqual(['display_name', 'defaults.text_generation_config']);
    expect(parseUpdateMask('')).toBeNull();
    expect(parseUpdateMask(null)).toBeNull();
  });
});

describe('applyUpdateMask', () => {
  const base = { name: 'routers/x', displayName: 'Old', defaults: { text_generation_config: { temperature: 0.5 } }, routes: [1] };
  it('without a mask replaces the top-level fields given, in the patch spelling', () => {
    const r = applyUpdateMask(base, { display_name: 'New' }, null);
    expect(r).toEqual({ ok: true, json: { name: 'routers/x', defaults: base.defaults, routes: [1], display_name: 'New' } });
  });
  it('with a mask changes only the masked fields, nested paths in either casing, and clears masked fields absent from the body', () => {
    const r = applyUpdateMask(base, { displayName: 'New', routes: [2], defaults: { textGenerationConfig: { temperature: 1 } } }, ['displayName', 'defaults.text_generation_config']);
    expect(r).toEqual({ ok: true, json: { name: 'routers/x', displayName: 'New', defaults: { textGenerationConfig: { temperature: 1 } }, routes: [1] } });
    const cleared = applyUpdateMask(base, {}, ['display_name']);
    expect(cleared.ok && 'displayName' in cleared.json).toBe(false);
  });
  it('* replaces the whole router', () => {
    expect(applyUpdateMask(base, { routes: [3] }, ['*'])).toEqual({ ok: true, json: { routes: [3] } });
  });
  it('rejects unknown, output-only and list-item mask paths', () => {
    const r = applyUpdateMask(base, {}, ['bogus', 'create_time', 'routes[0]', 'display_name.x']);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.message)).toEqual([
        expect.stringContaining('unknown field bogus'),
        expect.stringContaining('output only'),
        expect.stringContaining('not list items'),
        expect.stringContaining('display_name is not an object'),
      ]);
      expect(r.errors.every((e) => e.path === 'update_mask')).toBe(true);
    }
  });
  it('does not modify its inputs', () => {
    const b = structuredClone(base);
    applyUpdateMask(b, { display_name: 'x', defaults: {} }, ['defaults.text_generation_config']);
    expect(b).toEqual(base);
  });
});

describe('RouterRegistry', () => {
  it('serves config routers read-only, by any name form, and writes them to the store with source config', async () => {
    const { reg, store } = await setup({ config: [router('cfg')] });
    expect(reg.get('cfg')?.source).toBe('config');
    expect(reg.get('routers/cfg')).toBe(reg.get('inworld/cfg'));
    expect(reg.get('router/cfg')?.compiled.routes).toHaveLength(1);
    const row = await store.getRouter('cfg');
    expect(row).toMatchObject({ source: 'config', version: 1, json: { name: 'routers/cfg', displayName: 'Router cfg' } });
    for (const r of [await reg.create(router('cfg')), await reg.update('cfg', { displayName: 'x' }, null), await reg.delete('cfg'), await reg.apply(router('cfg'))]) {
      expect(r).toMatchObject({ ok: false, status: 409, reason: 'config' });
      if (!r.ok) expect(r.message).toContain('declared in the config file');
    }
  });

  it('fails with a ConfigError naming the file, the JSON path and the reason for an invalid config router', async () => {
    const store = new SqliteStore(':memory:');
    open.push(store);
    const bad = router('bad');
    (bad.routes as Array<{ route: { variants: Array<{ weight: number }> } }>)[0].route.variants[0].weight = 90;
    const err = await RouterRegistry.open(store, { config: [router('ok'), bad, router('ok')], configFile: 'sw.yaml', refreshMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as ConfigError).message;
    expect(message).toContain('sw.yaml');
    expect(message).toContain('routers[1].routes[0].route.variants: variant weights sum to 90');
    expect(message).toContain('routers[2].name: router id "ok" is declared twice (also routers[0])');
  });

  it('does not sync config routers when asked not to, and removes config rows that are no longer declared', async () => {
    const file = tempDb();
    const first = await setup({ config: [router('one'), router('two')] }, file);
    expect((await first.store.listRouters()).map((r) => r.id)).toEqual(['one', 'two']);
    const cli = await setup({ config: [router('three')], syncConfig: false }, file);
    expect((await cli.store.listRouters()).map((r) => r.id)).toEqual(['one', 'two']);
    expect(cli.reg.get('three')?.source).toBe('config');
    expect(cli.reg.get('three')?.version).toBe(0);
    const second = await setup({ config: [router('two')] }, file);
    expect((await second.store.listRouters()).map((r) => r.id)).toEqual(['two']);
    expect(second.reg.get('two')?.version).toBe(1);
  });

  it('creates, rejects duplicates and id mismatches, and takes the id from router_id or name', async () => {
    const { reg } = await setup();
    const created = await reg.create({ ...router('x'), name: undefined }, 'x');
    expect(created).toMatchObject({ ok: true, created: true, router: { id: 'x', version: 1, source: 'api' } });
    expect(await reg.create(router('x'))).toMatchObject({ ok: false, status: 409, reason: 'exists' });
    expect(await reg.create(router('y'), 'z')).toMatchObject({ ok: false, status: 400, errors: [{ path: 'name' }] });
    expect(await reg.create({ ...router('q'), name: undefined })).toMatchObject({ ok: false, status: 400, errors: [{ path: 'name', message: expect.stringContaining('router_id') }] });
    expect(await reg.create({ ...router('q'), name: undefined }, 'Bad_Id')).toMatchObject({ ok: false, status: 400, errors: [{ path: 'router_id' }] });
    expect(await reg.create(router('inworld-ok', { name: 'inworld/w' }))).toMatchObject({ ok: true, router: { id: 'w' } });
    expect(reg.list().map((r) => r.id)).toEqual(['w', 'x']);
  });

  it('reports every validation error with its path in the writer spelling', async () => {
    const { reg } = await setup();
    const r = await reg.create({
      name: 'routers/v',
      routes: [{ route: { routeId: 'a', variants: [{ variant: { variantId: 'v' }, weight: 50 }] }, condition: { celExpression: 'tier ==' } }],
    });
    expect(r.ok).toBe(false);
    if (!r.ok && r.status === 400) {
      expect(r.errors.map((e) => e.path)).toEqual(['routes[0].route.variants', 'routes[0].route.variants[0].variant.modelId', 'routes[0].condition.celExpression']);
    }
  });

  it('updates with and without a mask, validates the result whole and keeps the name', async () => {
    const { reg } = await setup();
    await reg.create(router('u'));
    const masked = await reg.update('u', { displayName: 'Masked', routes: [] }, ['display_name']);
    expect(masked).toMatchObject({ ok: true, router: { version: 2, router: { displayName: 'Masked' } } });
    if (masked.ok) expect(masked.router.router.routes).toHaveLength(1);
    const unmasked = await reg.update('routers/u', { routes: [] }, null);
    expect(unmasked).toMatchObject({ ok: true, router: { version: 3, router: { displayName: 'Masked', routes: [] } } });
    const invalid = await reg.update('u', { default_route: null }, ['default_route']);
    expect(invalid).toMatchObject({ ok: false, status: 400, errors: [{ path: 'routes', message: 'a router needs at least one route or a defaultRoute' }] });
    expect(await reg.update('u', { name: 'routers/other' }, null)).toMatchObject({ ok: false, status: 400, errors: [{ path: 'name' }] });
    expect(await reg.update('nope', { displayName: 'x' }, null)).toMatchObject({ ok: false, status: 404 });
    expect(reg.get('u')?.version).toBe(3);
  });

  it('applies (upsert) and leaves an identical router unchanged', async () => {
    const { reg } = await setup();
    expect(await reg.apply(router('a'))).toMatchObject({ ok: true, created: true, router: { version: 1 } });
    expect(await reg.apply(router('a'))).toMatchObject({ ok: true, unchanged: true, router: { version: 1 } });
    expect(await reg.apply(router('a', { displayName: 'B' }))).toMatchObject({ ok: true, created: false, router: { version: 2 } });
    expect(await reg.apply({ ...router('a'), name: undefined })).toMatchObject({ ok: false, status: 400 });
  });

  it('deletes, and answers 404 for an unknown router', async () => {
    const { reg } = await setup();
    await reg.create(router('d'));
    expect(await reg.delete('routers/d')).toMatchObject({ ok: true, router: { id: 'd' } });
    expect(reg.get('d')).toBeNull();
    expect(await reg.delete('d')).toMatchObject({ ok: false, status: 404 });
  });

  it('parses and compiles once per version, across reloads', async () => {
    const file = tempDb();
    const { reg } = await setup({}, file);
    await reg.create(router('c'));
    const v1 = reg.get('c')!;
    await reg.reload();
    expect(reg.get('c')).toBe(v1);
    await reg.update('c', { displayName: 'v2' }, null);
    const v2 = reg.get('c')!;
    expect(v2).not.toBe(v1);
    expect(v2.compiled).not.toBe(v1.compiled);
    await reg.reload();
    expect(reg.get('c')).toBe(v2);
  });

  it('sees a router re-created at version 1 with other content', async () => {
    const file = tempDb();
    const a = await setup({}, file);
    const b = await setup({}, file);
    await a.reg.create(router('r', { displayName: 'first' }));
    await b.reg.refreshIfChanged();
    expect(b.reg.get('r')?.router.displayName).toBe('first');
    await a.reg.delete('r');
    await a.reg.create(router('r', { displayName: 'second' }));
    await b.reg.refreshIfChanged();
    expect(b.reg.get('r')).toMatchObject({ version: 1, router: { displayName: 'second' } });
  });

  it('picks up changes made by another connection on its timer', async () => {
    const file = tempDb();
    const server = await setup({ refreshMs: 100 }, file);
    const cli = await setup({ syncConfig: false }, file);
    await cli.reg.apply(router('late'));
    const started = Date.now();
    while (!server.reg.get('late') && Date.now() - started < 2000) await new Promise((r) => setTimeout(r, 20));
    expect(server.reg.get('late')?.version).toBe(1);
    await cli.reg.delete('late');
    while (server.reg.get('late') && Date.now() - started < 4000) await new Promise((r) => setTimeout(r, 20));
    expect(server.reg.get('late')).toBeNull();
  });

  it('a reload overlapping a local write does not lose the write', async () => {
    const { reg } = await setup();
    const reload = reg.reload();
    const created = reg.create(router('race'));
    await Promise.all([reload, created]);
    expect(reg.get('race')).not.toBeNull();
    await reg.reload();
    expect(reg.get('race')).not.toBeNull();
  });

  it('ignores (and logs) an invalid router found in the store', async () => {
    const warnings: unknown[] = [];
    const log = { warn: (o: unknown) => warnings.push(o) } as unknown as Logger;
    const file = tempDb();
    const { store } = await setup({}, file);
    await store.putRouter({ id: 'broken', json: { name: 'routers/broken', routes: 'nope' }, source: 'api' });
    await store.putRouter({ id: 'fine', json: router('fine'), source: 'api' });
    const { reg } = await setup({ log }, file);
    expect(reg.list().map((r) => r.id)).toEqual(['fine']);
    expect(warnings).toHaveLength(1);
  });
});

describe('SqliteStore routers', () => {
  it('versions writes and honours expectVersion', async () => {
    const store = new SqliteStore(':memory:');
    open.push(store);
    const a = await store.putRouter({ id: 'a', json: { n: 1 }, source: 'api' }, { expectVersion: 0 });
    expect(a).toMatchObject({ ok: true, router: { id: 'a', version: 1, json: { n: 1 } } });
    expect(await store.putRouter({ id: 'a', json: { n: 2 }, source: 'api' }, { expectVersion: 0 })).toMatchObject({ ok: false, conflict: { version: 1 } });
    const b = await store.putRouter({ id: 'a', json: { n: 2 }, source: 'api' }, { expectVersion: 1 });
    expect(b).toMatchObject({ ok: true, router: { version: 2 } });
    if (a.ok && b.ok) expect(b.router.createdAt).toBe(a.router.createdAt);
    expect(await store.putRouter({ id: 'b', json: {}, source: 'config' })).toMatchObject({ ok: true, router: { version: 1, source: 'config' } });
    expect((await store.listRouters()).map((r) => r.id)).toEqual(['a', 'b']);
    expect(await store.deleteRouter('a')).toMatchObject({ id: 'a', version: 2 });
    expect(await store.deleteRouter('a')).toBeNull();
    expect(await store.getRouter('a')).toBeNull();
  });
});
