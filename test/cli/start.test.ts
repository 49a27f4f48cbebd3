import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/switchyard.js');

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `switchyard start` and resolves once it prints its address. */
function startProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', ...args], { cwd, env: { PATH: process.env.PATH, ...env } });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('claude')) resolve({ child, url: m[1], output: () => out, exited });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => sim.close());

describe('switchyard start', () => {
  it('with no provider key runs the demo provider, prints a key and the Claude Code command, and serves requests', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sy-start-'));
    const p = await startProcess([], dir);
    try {
      const out = p.output();
      expect(out).toMatch(/DEMO provider/);
      const key = /Client key: (sk-sy-\S+)/.exec(out)?.[1];
      expect(key).toBeDefined();
      expect(out).toContain(`ANTHROPIC_BASE_URL=${p.url} ANTHROPIC_AUTH_TOKEN=${key}`);
      const client = new Anthropic({ baseURL: p.url, apiKey: key, maxRetries: 0 });
      const msg = await client.messages.create({ model: 'claude-opus-4-8', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
      expect(msg.model).toBe('demo/claude-opus-4-8');
      const health = await fetch(`${p.url}/readyz`);
      expect(health.status).toBe(200);
      // Zero config on loopback: an admin key is made and printed, so the portal can be signed in to.
      await expect.poll(() => p.output()).toMatch(/Admin key .*: (sk-sy-admin-\S+)/);
      const admin = /Admin key .*: (sk-sy-admin-\S+)/.exec(p.output())![1];
      expect(p.output()).toContain(`Portal: ${p.url}/portal`);
      const listed = await fetch(`${p.url}/admin/v1/requests`, { headers: { authorization: `Bearer ${admin}` } });
      expect(listed.status).toBe(200);
      const signIn = await fetch(`${p.url}/portal/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: p.url }, body: JSON.stringify({ admin_key: admin }) });
      expect(signIn.status).toBe(200);
      expect(signIn.headers.get('set-cookie')).toMatch(/HttpOnly/i);
      expect((await fetch(`${p.url}/admin/v1/requests`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
    } finally {
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
    // The same key is printed again on the next start.
    const again = await startProcess([], dir);
    try {
      expect(again.output()).toContain(/Client key: (sk-sy-\S+)/.exec(again.output())?.[1] ?? 'missing');
      await expect.poll(() => again.output()).toContain('Admin key');
      expect(/Admin key .*: (sk-sy-admin-\S+)/.exec(again.output())?.[1]).toBe(/Admin key .*: (sk-sy-admin-\S+)/.exec(p.output())?.[1]);
    } finally {
      again.child.kill('SIGINT');
      expect(await again.exited).toBe(0);
    }
  }, 60_000);

  it('SIGTERM lets an in-flight stream finish, flushes its record and exits 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sy-drain-'));
    writeFileSync(path.join(dir, 'switchyard.yaml'), `providers:\n  anthropic:\n    api_key: sk-ant-test-0002\n    base_url: ${sim.url}\nauth:\n  keys:\n    - name: drain\n      key: sk-sy-drain-test-key-000000001\n`);
    sim.fault({ fault: { kind: 'slow_first_token', ms: 1500 }, times: 1 });
    const p = await startProcess(['--data-dir', path.join(dir, 'data')], dir);
    const client = new Anthropic({ baseURL: p.url, apiKey: 'sk-sy-drain-test-key-000000001', maxRetries: 0 });
    const pending = client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'slow one' }] }).finalMessage();
    await new Promise((r) => setTimeout(r, 500));
    p.child.kill('SIGTERM');
    const msg = await pending;
    expect(msg.content[0].type).toBe('text');
    expect(await p.exited).toBe(0);
    const db = new Database(path.join(dir, 'data', 'switchyard.db'), { readonly: true });
    const rows = db.prepare("SELECT status, key_name, stream FROM requests WHERE endpoint = 'messages'").all();
    db.close();
    expect(rows).toEqual([{ status: 200, key_name: 'drain', stream: 1 }]);
    sim.clearFaults();
  }, 60_000);

  it('SIGHUP re-reads the config file: a new router and key apply at once; an invalid file changes nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sy-hup-'));
    const file = path.join(dir, 'switchyard.yaml');
    const base = `telemetry:\n  log_level: info\nproviders:\n  anthropic:\n    api_key: sk-ant-test-0004\n    base_url: ${sim.url}\n`;
    const hupKey = 'sk-sy-hup-key-00000000000000000000001';
    writeFileSync(file, base + `auth:\n  keys:\n    - name: first\n      key: ${hupKey}\n`);
    const p = await startProcess(['--config', 'switchyard.yaml'], dir);
    const ask = (model: string, key: string) =>
      fetch(`${p.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': key }, body: JSON.stringify({ model, max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }) });
    try {
      const second = 'sk-sy-hup-key-00000000000000000000002';
      expect((await ask('router/hup', hupKey)).status).toBe(404);
      writeFileSync(
        file,
        base +
          `auth:\n  keys:\n    - name: first\n      key: ${hupKey}\n    - name: second\n      key: ${second}\n` +
          'routers:\n  - name: routers/hup\n    defaultRoute: {route_id: d, variants: [{variant: {variant_id: v, model_id: anthropic/claude-haiku-4-5}, weight: 100}]}\n',
      );
      p.child.kill('SIGHUP');
      await expect.poll(() => p.output(), { timeout: 5000 }).toContain('config reloaded');
      expect((await ask('router/hup', second)).status).toBe(200);

      writeFileSync(file, base + 'routers:\n  - name: routers/hup\n    defaultRoute: {route_id: d, variants: []}\n');
      p.child.kill('SIGHUP');
      await expect.poll(() => p.output(), { timeout: 5000 }).toContain('config reload failed');
      expect((await ask('router/hup', second)).status).toBe(200);
    } finally {
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
  }, 60_000);

  it('fails at start naming the file, the path and the reason for a bad config', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sy-bad-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'server:\n  port: 8080\n  bogus: true\nproviders:\n  anthropic:\n    base_url: nope\n');
    const r = await cli(['start', '--config', 'bad.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.yaml');
    expect(r.stderr).toContain('server.bogus: unknown key');
    expect(r.stderr).toMatch(/providers\.anthropic\.base_url: /);
  });
});

describe('switchyard keys', () => {
  it('create, list and revoke; a revoked key stops working on a running router within a second', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sy-keys-'));
    writeFileSync(path.join(dir, 'switchyard.yaml'), `providers:\n  anthropic:\n    api_key: sk-ant-test-0003\n    base_url: ${sim.url}\n`);
    const created = await cli(['keys', 'create', 'alice'], dir);
    expect(created.code, created.stderr).toBe(0);
    const key = /(sk-sy-[0-9A-Za-z]{40})/.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    const listed = await cli(['keys', 'list'], dir);
    expect(listed.stdout).toContain('alice');
    expect(listed.stdout).not.toContain(key!);

    const p = await startProcess([], dir);
    try {
      const client = new Anthropic({ baseURL: p.url, apiKey: key, maxRetries: 0 });
      await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
      const revoked = await cli(['keys', 'revoke', 'alice'], dir);
      expect(revoked.code, revoked.stderr).toBe(0);
      await new Promise((r) => setTimeout(r, 1200));
      await expect(client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    const db = new Database(path.join(dir, 'data', 'switchyard.db'), { readonly: true });
    const hashes = db.prepare('SELECT hash FROM client_keys').all() as Array<{ hash: string }>;
    db.close();
    expect(hashes.some((r) => r.hash.includes(key!))).toBe(false);
  }, 60_000);
});
