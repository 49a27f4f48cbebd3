import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { CLAUDE, claudeEnv, claudeResult, run } from '../helpers/claude.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function scriptBashTask(sim: Simulator, file: string, content: string): void {
  sim.script([
    { content: [{ type: 'tool_use', name: 'Bash', input: { command: `printf '%s' '${content}' > ${file}`, description: `Create ${file}` } }] },
    { content: [{ type: 'text', text: `Created ${file}.` }] },
  ]);
}

describe('the real Claude Code CLI through the router', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());
  beforeEach(() => h.sim.reset());

  it('claude -p runs a Bash tool call that writes a file, then answers', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sy-claude-work-'));
    scriptBashTask(h.sim, 'out.txt', 'hello from switchyard');
    const res = await run(CLAUDE, ['-p', 'create out.txt containing hello from switchyard', '--output-format', 'json', '--allowedTools', 'Bash,Write,Edit,Read'], cwd, claudeEnv({ ANTHROPIC_BASE_URL: h.url, ANTHROPIC_AUTH_TOKEN: h.key }));
    expect(res.code, res.stderr).toBe(0);
    const result = claudeResult(res.stdout);
    expect(result.is_error).toBe(false);
    expect(result.result).toContain('Created out.txt');
    expect(readFileSync(path.join(cwd, 'out.txt'), 'utf8')).toBe('hello from switchyard');

    const turns = h.sim.requests.filter((r) => r.path === '/v1/messages');
    expect(turns.length).toBe(2);
    // The second turn carries the tool result Claude Code produced by running the command.
    expect(turns[1].body.toString()).toContain('tool_result');
    await h.flush();
    const records = await h.app.services.store.listRecords({ limit: 10 });
    expect(records.filter((r) => r.endpoint === 'messages' && r.status === 200 && r.keyName === 'test-key').length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('switchyard claude starts the router when needed and passes arguments through', async () => {
    const sim = await startSimulator({ port: 0 });
    try {
      const port = await freePort();
      const dir = mkdtempSync(path.join(tmpdir(), 'sy-cli-'));
      const configFile = path.join(dir, 'switchyard.yaml');
      writeFileSync(configFile, `server:\n  port: ${port}\nproviders:\n  anthropic:\n    api_key: sk-ant-test-cli-0001\n    base_url: ${sim.url}\ntelemetry:\n  log_level: silent\n`);
      scriptBashTask(sim, 'cli.txt', 'via switchyard claude');
      const res = await run(
        process.execPath,
        [path.join(ROOT, 'bin/switchyard.js'), 'claude', '-p', 'create cli.txt', '--output-format', 'json', '--allowedTools', 'Bash,Write,Edit,Read'],
        dir,
        claudeEnv({ SWITCHYARD_CONFIG: configFile, SWITCHYARD_DATA_DIR: path.join(dir, 'data') }),
      );
      expect(res.code, res.stderr).toBe(0);
      expect(claudeResult(res.stdout).is_error).toBe(false);
      expect(readFileSync(path.join(dir, 'cli.txt'), 'utf8')).toBe('via switchyard claude');
      expect(existsSync(path.join(dir, 'data', 'switchyard.db'))).toBe(true);
    } finally {
      await sim.close();
    }
  }, 180_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
