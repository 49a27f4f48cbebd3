import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { claudeResult as result, runClaude } from '../helpers/claude.js';

const bash = (command: string) => ({ type: 'tool_use' as const, name: 'Bash', input: { command, description: 'Run it' } });

describe('Claude Code with --model auto and --model inworld/<router>', () => {
  let primary: Simulator;
  let backup: Simulator;
  let h: Harness;
  beforeAll(async () => {
    primary = await startSimulator({ port: 0, label: 'primary' });
    backup = await startSimulator({ port: 0, label: 'backup' });
    h = await startHarness(
      {
        providers: { backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-key-0001', models: ['claude-sonnet-4-6'] } },
        routers: [
          {
            name: 'routers/two-sims',
            routes: [
              {
                // Turns that carry tool results go to the backup simulator; the first turn to the primary.
                route: { route_id: 'followup', variants: [{ variant: { variant_id: 'backup', model_id: 'backup/claude-sonnet-4-6' }, weight: 100 }] },
                condition: { cel_expression: 'request.client == "claude-code" && messages.exists(m, m.role == "tool")' },
              },
            ],
            defaultRoute: { route_id: 'first', variants: [{ variant: { variant_id: 'primary', model_id: 'anthropic/claude-haiku-4-5' }, weight: 100 }] },
          },
        ],
      },
      { sim: primary },
    );
  });
  afterAll(async () => {
    await h.close();
    await primary.close();
    await backup.close();
  });
  beforeEach(() => {
    primary.reset();
    backup.reset();
  });

  it('--model inworld/two-sims: CEL sends the first turn to one provider and the follow-up to the other', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sy-cc-router-'));
    primary.script([{ content: [bash("printf 'routed' > r.txt")] }]);
    backup.script([{ content: [{ type: 'text', text: 'Wrote r.txt via the backup.' }] }]);
    const res = await runClaude(['-p', 'write r.txt', '--output-format', 'json', '--allowedTools', 'Bash', '--model', 'inworld/two-sims'], cwd, h.url, h.key);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(result(res.stdout)).toMatchObject({ is_error: false });
    expect(result(res.stdout).result).toContain('Wrote r.txt via the backup.');
    expect(readFileSync(path.join(cwd, 'r.txt'), 'utf8')).toBe('routed');
    const first = primary.requests.filter((r) => r.path === '/v1/messages');
    const second = backup.requests.filter((r) => r.path === '/v1/messages');
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(JSON.parse(first[0].body.toString()).model).toBe('claude-haiku-4-5');
    expect(JSON.parse(second[0].body.toString()).model).toBe('claude-sonnet-4-6');
    await h.flush();
  }, 180_000);

  it('--model auto: the router picks a model able to serve Claude Code (tools, 64k output) and the task completes', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'sy-cc-auto-'));
    primary.script([{ content: [bash("printf 'auto' > a.txt")] }, { content: [{ type: 'text', text: 'Done automatically.' }] }]);
    const res = await runClaude(['-p', 'write a.txt', '--output-format', 'json', '--allowedTools', 'Bash', '--model', 'auto'], cwd, h.url, h.key);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    expect(result(res.stdout).is_error).toBe(false);
    expect(readFileSync(path.join(cwd, 'a.txt'), 'utf8')).toBe('auto');
    const sent = primary.requests.filter((r) => r.path === '/v1/messages').map((r) => JSON.parse(r.body.toString()) as { model: string; max_tokens: number });
    expect(sent).toHaveLength(2);
    // Claude Code asks for 64000 output tokens (32000 for unknown names): only models that allow that qualify.
    expect(sent[0].model).toMatch(/^claude-/);
    expect(sent[0].model).not.toBe('auto');
  }, 180_000);
});
