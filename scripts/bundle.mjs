// Bundles the compiled CLI (dist/cli/main.js and everything it imports, dependencies included) into dist/bundle/,
// which bin/switchyard.js runs. Loading ~600 module files one by one (resolve, open, read, compile each) took most of
// the router's start-up; a handful of chunks load in a fraction of that (docs/decisions/0014-bundled-start.md).
// Dynamic imports stay dynamic: each becomes its own chunk, loaded when the code path that imports it runs.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * Left out of the bundle and loaded from node_modules at run time: native addons (better-sqlite3), modules only some
 * configurations load (decision 0007: Redis, PostgreSQL, CEL, the BPE tables, imported lazily), so that a plain
 * config still never reads them and `test/structure/lazy-modules.test.ts` can see whether they were loaded.
 */
export const EXTERNAL = ['better-sqlite3', 'pg', 'pg-copy-streams', 'ioredis', '@bufbuild/cel', '@bufbuild/re2', 'gpt-tokenizer'];

// Chunk names carry a content hash: clear out the last build's, or they pile up.
rmSync(path.join(root, 'dist/bundle'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __switchyardCreateRequire } from 'node:module'; const require = __switchyardCreateRequire(import.meta.url);" },
  // tsc's source maps are picked up, so a stack trace in the bundle maps back to src/.
  sourcemap: 'linked',
  logLevel: 'warning',
});
