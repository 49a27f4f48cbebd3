// `npm run bench -- --peers`: other gateways measured like the router. Each is installed from npm into a cache
// directory (never into the project), configured to send everything to the provider simulator on 127.0.0.1, started
// pinned like the router, and checked with one request per body and mode before its cells run. A peer that cannot be
// installed, started or made to answer is reported with the reason; the rest of the run goes on.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startNode } from './procs.js';

export const PEERS_DIR = path.join(os.homedir(), '.cache/switchyard-bench/peers');

/**
 * The peers and the versions the issue's comparison used. `@hono/node-server` is pinned for Portkey: from 1.14.2 on,
 * its lightweight `Response` keeps the upstream fetch's immutable headers, and Portkey 1.15.2 then fails every
 * OpenAI stream with `TypeError: immutable` when it adds its `x-portkey-*` headers (500 "Something went wrong").
 */
export const PEERS = {
  portkey: { pkg: '@portkey-ai/gateway', version: '1.15.2', label: 'Portkey gateway' },
  ccr: { pkg: '@musistudio/claude-code-router', version: '2.0.0', label: 'claude-code-router' },
};
const OVERRIDES = { '@hono/node-server': '1.14.1' };

/** The model claude-code-router is routed to: it sends `max_tokens`, which OpenAI (and the simulator) refuse for gpt-5.x. */
export const CCR_MODEL = 'gpt-4.1';
const CCR_KEY = 'sk-ccr-bench-0123456789abcdef';

const installedVersion = (dir, pkg) => {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
};

/** Installs the peers into `dir` unless the right versions are there already. Returns an error message or null. */
export function installPeers(dir) {
  const wanted = Object.values(PEERS);
  const manifest = path.join(dir, 'package.json');
  const spec = { name: 'switchyard-bench-peers', private: true, dependencies: Object.fromEntries(wanted.map((p) => [p.pkg, p.version])), overrides: OVERRIDES };
  const current = existsSync(manifest) ? readFileSync(manifest, 'utf8') : '';
  if (current === JSON.stringify(spec, null, 2) + '\n' && wanted.every((p) => installedVersion(dir, p.pkg) === p.version)) return null;
  mkdirSync(dir, { recursive: true });
  writeFileSync(manifest, JSON.stringify(spec, null, 2) + '\n');
  console.log(`installing ${wanted.map((p) => `${p.pkg}@${p.version}`).join(', ')} into ${dir}`);
  // No install scripts: neither peer needs one (Portkey's only runs patch-package on its own sources).
  const r = spawnSync('npm', ['install', '--prefix', dir, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) return `npm install failed (${r.error?.message ?? `exit ${r.status}`})`;
  const missing = wanted.filter((p) => installedVersion(dir, p.pkg) !== p.version);
  return missing.length ? `npm install did not leave ${missing.map((p) => `${p.pkg}@${p.version}`).join(', ')}` : null;
}

/**
 * Portkey gateway, OpenAI → OpenAI: its `x-portkey-config` header names the provider, the key and a `custom_host` on
 * the simulator (Portkey trusts 127.0.0.1 as a custom host). It takes no host to listen on (it binds every interface)
 * and no port 0, so it gets a free port picked here. Returns {proc, url, headers (added to every request)}.
 */
export async function startPortkey({ dir, simUrl, cpu, env }) {
  const port = await freePort();
  const script = path.join(dir, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  // NODE_ENV=production (startNode sets it) skips the web console; --headless skips its log stream too.
  const proc = await startNode([script, `--port=${port}`, '--headless'], { cpu, ready: /Ready for connections/, env, name: 'Portkey gateway' });
  const config = { provider: 'openai', api_key: 'sk-openai-bench-simulator', custom_host: `${simUrl}/v1` };
  return { proc, url: `http://127.0.0.1:${port}`, headers: { 'x-portkey-config': JSON.stringify(config) } };
}

/**
 * claude-code-router, Anthropic → OpenAI: `ccr start` runs the server in the foreground with the config from
 * `$HOME/.claude-code-router/config.json`; HOME is a temporary directory with one OpenAI-format provider on the
 * simulator and every request routed to it. Returns {proc, url, headers}.
 */
export async function startCcr({ dir, simUrl, cpu, env, tmp }) {
  const port = await freePort();
  const home = path.join(tmp, 'ccr-home');
  mkdirSync(path.join(home, '.claude-code-router'), { recursive: true });
  const config = {
    HOST: '127.0.0.1',
    PORT: port,
    APIKEY: CCR_KEY,
    LOG: false,
    Providers: [{ name: 'sim', api_base_url: `${simUrl}/v1/chat/completions`, api_key: 'sk-openai-bench-simulator', models: [CCR_MODEL] }],
    Router: { default: `sim,${CCR_MODEL}` },
  };
  writeFileSync(path.join(home, '.claude-code-router/config.json'), JSON.stringify(config, null, 2));
  const script = path.join(dir, 'node_modules/@musistudio/claude-code-router/dist/cli.js');
  const proc = await startNode([script, 'start'], { cpu, ready: /Loaded JSON config/, env: { ...env, HOME: home }, name: 'claude-code-router' });
  // It says nothing once listening: wait for its unauthenticated /health.
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 300) throw new Error('claude-code-router did not answer /health within 15 s');
    await sleep(50);
  }
  return { proc, url, headers: { 'x-api-key': CCR_KEY, authorization: `Bearer ${CCR_KEY}` } };
}
