import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { describePostgresUrl } from '../../src/store/postgres/url.js';

/**
 * The PostgreSQL server the store tests use: the one on this machine by default. Each test gets a database of its own
 * (`switchyard_test_<random>`), created through this URL and dropped when the file's tests end.
 */
export const PG_ADMIN_URL = process.env.SWITCHYARD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const created: string[] = [];

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function probe(): Promise<string | null> {
  try {
    await withAdmin((c) => c.query('SELECT 1'));
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  }
}

/**
 * Whether the PostgreSQL tests can run. When the server is unreachable the suite is skipped with a visible notice, or,
 * with `REQUIRE_SERVICES=1` (CI), a failing test is registered that says why.
 */
export async function postgresAvailable(suite: string): Promise<boolean> {
  const reason = await probe();
  if (reason === null) return true;
  const what = `PostgreSQL at ${describePostgresUrl(PG_ADMIN_URL)} is not reachable (${reason})`;
  if (process.env.REQUIRE_SERVICES === '1') {
    describe(suite, () => {
      it('needs PostgreSQL (REQUIRE_SERVICES=1)', () => {
        throw new Error(`${what}. Start it (pg_ctlcluster <version> main start) or point SWITCHYARD_TEST_POSTGRES_URL at a server.`);
      });
    });
  } else {
    console.warn(`\n[SKIPPED] ${suite}: ${what}. Set REQUIRE_SERVICES=1 to fail instead of skipping.\n`);
  }
  return false;
}

/** Creates an empty database and returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const name = `switchyard_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  created.push(name);
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops every database `createTestDatabase` made (closing any connection left open). */
export async function dropTestDatabases(): Promise<void> {
  const names = created.splice(0);
  if (!names.length) return;
  await withAdmin(async (c) => {
    for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}
