import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

/**
 * Guard for issue 9's idle footprint, checked structurally rather than by measuring memory: a router started with a
 * plain config (SQLite, no Redis, no router with conditions) and serving ordinary traffic, translated streams and
 * limit estimates included, never loads the modules only some deployments need (docs/decisions/0006):
 * ioredis (Redis), pg (PostgreSQL), @bufbuild/cel and @bufbuild/re2 (router conditions), gpt-tokenizer (exact
 * counts for count_tokens of OpenAI models) and the simulator (the demo provider). Then, as a control that the probe
 * sees loads at all, a router with a CEL condition is created through the API and an OpenAI model's prompt counted:
 * exactly those modules appear, and the router works.
 *
 * The probe: `node --import <hook>` registers a module resolve hook that records every resolved URL (ESM imports,
 * CommonJS packages imported from ESM included) and, on SIGUSR2, writes those and `require.cache` (packages loaded
 * with require, such as the BPE tables) to a file.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/switchyard.js');

const HOOK = `
import { createRequire, register } from 'node:module';
import { writeFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = new Set();
port1.on('message', (url) => urls.add(url));
port1.unref();
register(new URL('./resolve.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
process.on('SIGUSR2', () => {
  const cjs = Object.keys(createRequire(import.meta.url).cache);
  writeFileSync(process.env.LOADED_OUT + '.tmp', JSON.stringify([...urls, ...cjs]));
  writeFileSync(process.env.LOADED_OUT, 'done');
});
`;
const RESOLVE = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  port.postMessage(r.url);
  return r;
}
`;

/**
 * Packages and folders a plain config must not load, by the path that identifies them. `switchyard` runs the bundle
 * (scripts/bundle.mjs), where the simulator is the chunk its dynamic import became; the optional packages stay in
 * node_modules.
 */
const OPTIONAL: Record<string, RegExp> = {
  ioredis: /\/node_modules\/ioredis\//,
  pg: /\/node_modules\/pg\//,
  'pg-pool': /\/node_modules\/pg-pool\//,
  '@bufbuild/cel': /\/node_modules\/@bufbuild\/cel\//,
  '@bufbuild/re2': /\/node_modules\/@bufbuild\/re2\//,
  'gpt-tokenizer': /\/node_modules\/gpt-tokenizer\//,
  simulator: /\/dist\/(simulator\/|bundle\/simulator-\w+\.js$)/,
};

let sim: Simulator;
let dir: string;
let child: ChildProcess;
let url: string;
let clientKey: string;
let adminKey: string;
/** Where the hook writes its list (`.tmp`) and then a marker that it is complete. */
let dumpFile: string;

/** The modules the router has loaded so far (file paths and URLs). */
async function loaded(): Promise<string[]> {
  rmSync(dumpFile, { force: true });
  child.kill('SIGUSR2');
  for (let i = 0; i < 200 && !existsSync(dumpFile); i++) await new Promise((r) => setTimeout(r, 25));
  return JSON.parse(readFileSync(`${dumpFile}.tmp`, 'utf8')) as string[];
}

function present(modules: readonly string[]): string[] {
  return Object.entries(OPTIONAL)
    .filter(([, pattern]) => modules.some((m) => pattern.test(m)))
    .map(([name]) => name);
}

async function post(pathname: string, body: unknown, key = clientKey): Promise<Response> {
  return fetch(`${url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  dir = mkdtempSync(path.join(tmpdir(), 'sy-lazy-'));
  dumpFile = path.join(dir, 'loaded.json');
  writeFileSync(path.join(dir, 'hook.mjs'), HOOK);
  writeFileSync(path.join(dir, 'resolve.mjs'), RESOLVE);
  writeFileSync(
    path.join(dir, 'switchyard.yaml'),
    [
      'providers:',
      '  anthropic: { api_key: sk-ant-lazy-0001, base_url: ' + sim.url + ' }',
      '  openai: { api_key: sk-openai-lazy-0001, base_url: ' + sim.url + '/v1 }',
      // A token limit makes every request reserve an estimate of its prompt.
      'limits:',
      '  default: { tokens_per_minute: 10000000 }',
      'telemetry: { log_level: warn }',
    ].join('\n'),
  );
  child = spawn(process.execPath, ['--import', path.join(dir, 'hook.mjs'), BIN, 'start', '--config', path.join(dir, 'switchyard.yaml'), '--port', '0', '--data-dir', path.join(dir, 'data')], {
    cwd: dir,
    env: { PATH: process.env.PATH, LOADED_OUT: dumpFile },
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/listening on http/.test(out) && /Admin key .*: sk-sy-admin-\S+/.test(out)) resolve();
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  url = /listening on (http:\/\/\S+)/.exec(out)![1];
  clientKey = /Client key: (sk-sy-\S+)/.exec(out)![1];
  adminKey = /Admin key .*: (sk-sy-admin-\S+)/.exec(out)![1];
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a plain config loads no optional module', () => {
  it("finds the simulator's chunk in the bundle (else the probe below could not see it load)", () => {
    expect(readdirSync(path.join(ROOT, 'dist/bundle')).filter((f) => OPTIONAL.simulator.test(`/dist/bundle/${f}`))).toHaveLength(1);
  });

  it('at start and while serving passthrough, translated, auto and count_tokens traffic', async () => {
    const passthrough = await post('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'Hello there, how are you today?' }] });
    expect(passthrough.status).toBe(200);
    // Translated (Anthropic in, OpenAI out), streamed: message_start carries the request-path estimate.
    const translated = await post('/v1/messages', { model: 'gpt-4o-mini', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'Write one sentence about rivers.' }] });
    expect(translated.status).toBe(200);
    const events = await translated.text();
    const start = /event: message_start\ndata: (.*)\n/.exec(events);
    expect(start).not.toBeNull();
    expect((JSON.parse(start![1]) as { message: { usage: { input_tokens: number } } }).message.usage.input_tokens).toBeGreaterThan(5);
    // auto estimates the prompt for its context filter.
    expect((await post('/v1/messages', { model: 'auto', max_tokens: 20, messages: [{ role: 'user', content: 'Pick any model.' }] })).status).toBe(200);
    // count_tokens for a Claude model is the provider's own count.
    expect((await post('/v1/messages/count_tokens', { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Count me.' }] })).status).toBe(200);
    expect(present(await loaded())).toEqual([]);
  });

  it('loads CEL for a router with conditions created at run time, and the BPE for an OpenAI count (the probe sees loads)', async () => {
    const router = {
      routes: [
        {
          route: { route_id: 'long', variants: [{ variant: { variant_id: 'big', model_id: 'claude-sonnet-4-5' }, weight: 100 }] },
          condition: { cel_expression: 'request.input_tokens > 100000 || messages.last().content.matches("(?i)unlikely-marker")' },
        },
      ],
      default_route: { route_id: 'short', variants: [{ variant: { variant_id: 'small', model_id: 'claude-haiku-4-5' }, weight: 100 }] },
    };
    const created = await post('/router/v1/routers?router_id=lazy', router, adminKey);
    expect(created.status).toBe(200);
    const routed = await post('/v1/messages', { model: 'router/lazy', max_tokens: 20, messages: [{ role: 'user', content: 'A short question.' }] });
    expect(routed.status).toBe(200);
    expect(routed.headers.get('x-switchyard-model')).toMatch(/claude-haiku-4-5$/);
    const counted = await post('/v1/messages/count_tokens', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count me exactly.' }] });
    expect(counted.status).toBe(200);
    expect(counted.headers.get('x-switchyard-token-count')).toBe('estimate');
    expect(present(await loaded()).sort()).toEqual(['@bufbuild/cel', '@bufbuild/re2', 'gpt-tokenizer']);
  });
});
