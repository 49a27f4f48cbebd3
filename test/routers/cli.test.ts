/** `switchyard routers ...` as a user runs it: the built CLI (`npm run build` first), a fresh directory each time. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/switchyard.js');
const KEY = 'sk-sy-router-cli-test-key-0000001';

function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function startProcess(cwd: string): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0'], { cwd, env: { PATH: process.env.PATH } });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('claude')) resolve({ child, url: m[1], exited });
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

const ROUTERS_YAML = `
- name: routers/support
  displayName: Support
  routes:
    - route:
        route_id: pro
        variants:
          - variant: { variant_id: sonnet, model_id: anthropic/claude-sonnet-4-6 }
            weight: 100
      condition: { cel_expression: 'tier == "pro"' }
  defaultRoute:
    route_id: default
    variants:
      - variant: { variant_id: haiku, model_id: anthropic/claude-haiku-4-5 }
- name: routers/second
  defaultRoute:
    routeId: only
    variants:
      - variant: { variantId: v, modelId: anthropic/claude-haiku-4-5 }
        weight: 100
`;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => sim.close());

function workdir(extraConfig = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sy-routers-cli-'));
  writeFileSync(
    path.join(dir, 'switchyard.yaml'),
    `providers:\n  anthropic:\n    api_key: sk-ant-test-0009\n    base_url: ${sim.url}\nauth:\n  keys:\n    - name: cli-test\n      key: ${KEY}\n${extraConfig}`,
  );
  return dir;
}

describe('switchyard routers', () => {
  it('apply (YAML list), list, get, apply again (unchanged), delete', async () => {
    const dir = workdir();
    writeFileSync(path.join(dir, 'routers.yaml'), ROUTERS_YAML);
    const applied = await cli(['routers', 'apply', '-f', 'routers.yaml'], dir);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toBe('routers/support created (version 1)\nrouters/second created (version 1)\n');

    const again = await cli(['routers', 'apply', '-f', 'routers.yaml'], dir);
    expect(again.stdout).toContain('routers/support unchanged (version 1)');

    const listed = await cli(['routers', 'list'], dir);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+DISPLAY NAME\s+ROUTES\s+VERSION\s+SOURCE/);
    expect(listed.stdout).toMatch(/second\s+-\s+0 routes \+ default\s+1\s+api/);
    expect(listed.stdout).toMatch(/support\s+Support\s+1 route \+ default\s+1\s+api/);

    const got = await cli(['routers', 'get', 'routers/support'], dir);
    expect(got.code, got.stderr).toBe(0);
    const json = JSON.parse(got.stdout);
    expect(json).toMatchObject({ name: 'routers/support', displayName: 'Support', defaultRoute: { route_id: 'default', variants: [{ variant: { variant_id: 'haiku' }, weight: 100 }] } });

    // A JSON file with one router, edited: an update.
    writeFileSync(path.join(dir, 'one.json'), JSON.stringify({ ...json, displayName: 'Support v2' }));
    const updated = await cli(['routers', 'apply', '-f', 'one.json'], dir);
    expect(updated.stdout).toBe('routers/support updated (version 2)\n');

    const deleted = await cli(['routers', 'delete', 'second'], dir);
    expect(deleted.code, deleted.stderr).toBe(0);
    const missing = await cli(['routers', 'get', 'second'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no router "second"');
  }, 60_000);

  it('apply prints every validation error with its path and writes nothing', async () => {
    const dir = workdir();
    writeFileSync(
      path.join(dir, 'bad.json'),
      JSON.stringify([
        { name: 'routers/fine', defaultRoute: { route_id: 'd', variants: [{ variant: { variant_id: 'v', model_id: 'anthropic/claude-haiku-4-5' } }] } },
        { name: 'routers/broken', routes: [{ route: { route_id: 'a', variants: [{ variant: { variant_id: 'v' }, weight: 50 }] }, condition: { cel_expression: 'x ==' } }] },
      ]),
    );
    const r = await cli(['routers', 'apply', '-f', 'bad.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.json: invalid routers, nothing applied');
    expect(r.stderr).toContain('[1] routers/broken: routes[0].route.variants: variant weights sum to 50');
    expect(r.stderr).toContain('[1] routers/broken: routes[0].route.variants[0].variant.model_id: a variant needs model_id or model_selection');
    expect(r.stderr).toContain('[1] routers/broken: routes[0].condition.cel_expression: invalid CEL');
    expect((await cli(['routers', 'list'], dir)).stdout).toContain('No routers.');
  }, 60_000);

  it('config routers are listed and read-only; an invalid config router fails naming the file and path', async () => {
    const dir = workdir(`routers:\n  - name: routers/declared\n    defaultRoute:\n      route_id: d\n      variants:\n        - variant: { variant_id: v, model_id: anthropic/claude-haiku-4-5 }\n`);
    const listed = await cli(['routers', 'list'], dir);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/declared\s+-\s+0 routes \+ default\s+0\s+config/);
    writeFileSync(path.join(dir, 'declared.yaml'), 'name: routers/declared\ndefaultRoute: {route_id: d, variants: [{variant: {variant_id: w, model_id: x}}]}\n');
    const applied = await cli(['routers', 'apply', '-f', 'declared.yaml'], dir);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain('declared in the config file');
    const deleted = await cli(['routers', 'delete', 'declared'], dir);
    expect(deleted.code).toBe(1);
    expect(deleted.stderr).toContain('declared in the config file');

    const bad = workdir(`routers:\n  - name: routers/bad\n    defaultRoute:\n      route_id: d\n      variants:\n        - variant: { variant_id: v, model_id: m }\n          weight: 90\n`);
    const r = await cli(['routers', 'list'], bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('switchyard.yaml: invalid configuration');
    expect(r.stderr).toContain('routers[0].defaultRoute.variants: variant weights sum to 90; they must sum to exactly 100');
  }, 60_000);

  it('test prints route, variant, candidate chain and CEL inputs without calling a provider', async () => {
    const dir = workdir();
    writeFileSync(path.join(dir, 'routers.yaml'), ROUTERS_YAML);
    expect((await cli(['routers', 'apply', '-f', 'routers.yaml'], dir)).code).toBe(0);
    writeFileSync(path.join(dir, 'request.json'), JSON.stringify({ model: 'x', max_tokens: 50, messages: [{ role: 'user', content: 'hello' }] }));
    sim.reset();
    const r = await cli(['routers', 'test', 'support', '-f', 'request.json', '--metadata', 'tier=pro', 'seats=12', '--header', 'user-agent: claude-cli/2.0'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Router:     routers/support (version 1)');
    expect(r.stdout).toContain('API:        anthropic (guessed');
    expect(r.stdout).toContain('Route:      pro (matched tier == "pro")');
    expect(r.stdout).toContain('Variant:    sonnet');
    expect(r.stdout).toMatch(/Candidates \(tried in this order\):\n {2}1\. anthropic\/claude-sonnet-4-6/);
    expect(r.stdout).toContain('"tier": "pro"');
    expect(r.stdout).toContain('"seats": 12');
    expect(r.stdout).toContain('"client": "claude-code"');

    const asJson = await cli(['routers', 'test', 'support', '-f', 'request.json', '--json', '--api', 'openai'], dir);
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ api: 'openai', api_guessed: false, route_id: 'default', variant_id: 'haiku', default_route: true });
    const unknown = await cli(['routers', 'test', 'nope', '-f', 'request.json'], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('"nope" does not exist');
    expect(sim.requests).toHaveLength(0);
  }, 60_000);

  it('a running router picks up an applied router, and its deletion, within about a second', async () => {
    const dir = workdir();
    const p = await startProcess(dir);
    const ask = () =>
      fetch(`${p.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'router/support', max_tokens: 10, metadata: { tier: 'pro' }, messages: [{ role: 'user', content: 'hi' }] }),
      });
    try {
      expect((await ask()).status).toBe(404);
      writeFileSync(path.join(dir, 'routers.yaml'), ROUTERS_YAML);
      const applied = await cli(['routers', 'apply', '-f', 'routers.yaml'], dir);
      expect(applied.code, applied.stderr).toBe(0);
      const appliedAt = Date.now();
      let res = await ask();
      while (res.status !== 200 && Date.now() - appliedAt < 3000) {
        await new Promise((r) => setTimeout(r, 50));
        res = await ask();
      }
      const pickedUpMs = Date.now() - appliedAt;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { model: string }).model).toContain('claude-sonnet-4-6');
      expect(pickedUpMs).toBeLessThan(1500);
      // `apply` writes the file's routers one after another, so a poll can land between two writes: the other
      // router must follow within the same bound.
      const names = async () => ((await (await fetch(`${p.url}/router/v1/routers`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { routers: Array<{ name: string }> }).routers.map((r) => r.name);
      let listed = await names();
      while (listed.length < 2 && Date.now() - appliedAt < 1500) {
        await new Promise((r) => setTimeout(r, 50));
        listed = await names();
      }
      expect(listed).toEqual(['routers/second', 'routers/support']);

      expect((await cli(['routers', 'delete', 'support'], dir)).code).toBe(0);
      const deletedAt = Date.now();
      res = await ask();
      while (res.status === 200 && Date.now() - deletedAt < 3000) {
        await new Promise((r) => setTimeout(r, 50));
        res = await ask();
      }
      expect(res.status).toBe(404);
      expect(Date.now() - deletedAt).toBeLessThan(1500);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }, 60_000);
});
