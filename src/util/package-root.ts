import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory holding Switchyard's package.json, found by walking up from `moduleUrl`. A module cannot count `..`
 * to it: the same source runs from src/ (tests), dist/ (tsc's output) and dist/bundle/ (the bundle `switchyard`
 * runs), each at another depth. Called once per process where it is needed, never per request.
 */
export function packageRoot(moduleUrl: string): string {
  const start = path.dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
