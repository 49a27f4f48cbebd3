import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Each store backend loads only its own driver (docs/decisions/0007): a PostgreSQL deployment does not carry
 * better-sqlite3, nor a SQLite one pg. Checked in a fresh process on the built modules, through `require.cache`
 * (both drivers are CommonJS, so importing them from ESM registers them there).
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

function driversLoadedBy(modulePath: string): { sqlite: boolean; pg: boolean } {
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(path.join(ROOT, modulePath))});
    const cache = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ sqlite: cache.some((k) => k.includes('/node_modules/better-sqlite3/')), pg: cache.some((k) => k.includes('/node_modules/pg/')) }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as { sqlite: boolean; pg: boolean };
}

describe('store backends load only their own driver', () => {
  it('the PostgreSQL store does not load better-sqlite3', () => {
    expect(driversLoadedBy('dist/store/postgres/index.js')).toEqual({ sqlite: false, pg: true });
  });

  it('the SQLite store does not load pg', () => {
    expect(driversLoadedBy('dist/store/sqlite/index.js')).toEqual({ sqlite: true, pg: false });
  });
});
