import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, { version?: string; integrity?: string; link?: boolean; dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>;
};

describe('the lockfile pins everything (docs/security.md)', () => {
  it('is a v3 lockfile whose root lists exactly package.json’s dependencies', () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(lock.packages[''].dependencies).toEqual(pkg.dependencies);
    expect(lock.packages[''].devDependencies).toEqual(pkg.devDependencies);
  });

  it('gives every installed package an exact version and an integrity hash (so `npm ci` installs these bytes or fails)', () => {
    const entries = Object.entries(lock.packages).filter(([k, v]) => k !== '' && !v.link);
    expect(entries.length).toBeGreaterThan(100);
    for (const [name, v] of entries) {
      expect(v.version, name).toMatch(/^\d+\.\d+\.\d+/);
      expect(v.integrity, name).toMatch(/^sha(512|384|256|1)-/);
    }
  });

  it('has every direct dependency installed at a version its range allows', () => {
    for (const [name, range] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      const entry = lock.packages[`node_modules/${name}`];
      expect(entry?.version, name).toBeDefined();
      const want = range.replace(/^[~^]/, '').split('.');
      const have = entry.version!.split('.');
      // Same major (and same minor for ~ and 0.x ranges), never older than the range's floor.
      expect(have[0], `${name} ${range} -> ${entry.version}`).toBe(want[0]);
      if (range.startsWith('~') || want[0] === '0') expect(have[1], `${name} ${range} -> ${entry.version}`).toBe(want[1]);
    }
  });
});
