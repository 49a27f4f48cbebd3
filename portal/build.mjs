// Builds the portal into dist/portal unless its sources are unchanged since the last build (npm start, npm test and
// npm ci all run the build; a no-op rebuild should cost nothing). `--force` always builds.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const out = path.join(root, 'dist', 'portal');
const stampFile = path.join(out, '.build-stamp');

async function sourcesHash() {
  const hash = createHash('sha256');
  const files = [];
  for (const entry of await readdir(here, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name));
  }
  files.push(path.join(root, 'package-lock.json'));
  for (const f of files.sort()) {
    hash.update(path.relative(root, f)).update('\0').update(await readFile(f)).update('\0');
  }
  return hash.digest('hex');
}

const want = await sourcesHash();
const have = await readFile(stampFile, 'utf8').catch(() => '');
if (!process.argv.includes('--force') && have.trim() === want) process.exit(0);

const { build } = await import('vite');
await build({ configFile: path.join(here, 'vite.config.ts'), logLevel: 'warn' });
await writeFile(stampFile, want + '\n');
console.log(`portal built into ${path.relative(process.cwd(), out) || '.'}`);
