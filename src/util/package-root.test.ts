import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './package-root.js';

describe('packageRoot', () => {
  it("finds Switchyard's package.json from any depth below it", () => {
    const root = packageRoot(import.meta.url);
    expect((JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string }).name).toBe('switchyard');
    for (const below of ['src/ingress/portal/index.ts', 'dist/bundle/chunk.js', 'dist/cli/main.js']) {
      expect(packageRoot(pathToFileURL(path.join(root, below)).href)).toBe(root);
    }
  });

  it('fails when no directory above has a package.json', () => {
    expect(() => packageRoot('file:///no-such-dir/a/b.js')).toThrow(/no package.json above/);
  });
});
