import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openStore } from '../store/index.js';
import { packageRoot } from '../util/package-root.js';
import { createStoredKey, readStoredKey } from './local-key.js';
import { resolveConfig, type CommonOptions } from './options.js';
import { startRouter } from './start.js';

/** The Claude Code binary: the project's own devDependency first, else `claude` on PATH. */
export function claudeBinary(): string {
  const local = path.join(packageRoot(import.meta.url), 'node_modules', '.bin', 'claude');
  return existsSync(local) ? local : 'claude';
}

async function isUp(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    return r.ok;
  } catch {
    return false;
  }
}

/**
 * `switchyard claude [args]`: runs Claude Code against this router with a valid key, starting the router in this
 * process when it is not already running at the configured address.
 */
export async function runClaude(args: string[], opts: CommonOptions): Promise<number> {
  const { config, dataDir } = await resolveConfig(opts);
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  let url = `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`;
  let stopRouter: (() => Promise<void>) | null = null;
  let key = process.env.SWITCHYARD_API_KEY ?? null;

  if (!(await isUp(url))) {
    const started = await startRouter(opts, (line) => process.stderr.write(line + '\n'));
    url = started.app.url!;
    stopRouter = () => started.app.close();
    key ??= started.key;
  }
  if (!key) {
    const store = await openStore(config, dataDir);
    try {
      key = (await readStoredKey(store, dataDir, 'local-key')) ?? (await readStoredKey(store, dataDir, 'claude-code-key')) ?? (await createStoredKey(store, dataDir, 'claude-code-key', 'claude-code'));
    } finally {
      await store.close();
    }
  }

  const env: NodeJS.ProcessEnv = { ...process.env, ANTHROPIC_BASE_URL: url, ANTHROPIC_AUTH_TOKEN: key };
  delete env.ANTHROPIC_API_KEY;
  const child = spawn(claudeBinary(), args, { stdio: 'inherit', env });
  const code = await new Promise<number>((resolve) => {
    child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
    child.once('error', (err) => {
      process.stderr.write(`could not run Claude Code: ${err.message}\n`);
      resolve(127);
    });
  });
  if (stopRouter) await stopRouter();
  return code;
}
