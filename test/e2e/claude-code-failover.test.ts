import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { claudeResult, runClaude } from '../helpers/claude.js';


describe('Claude Code while the primary provider answers 529 to every second request', () => {
  let primary: Simulator;
  let backup: Simulator;
  let h: Harness;
  beforeAll(async () => {
    primary = await startSimulator({ port: 0, label: 'primary' });
    backup = await startSimulator({ port: 0, label: 'backup' });
    h = await startHarness(
      {
        providers: { backup: { format: 'anthropic', base_url: backup.url, api_key: 'backup-key-0002', models: ['claude-opus-4-8'] } },
        // Claude Code's default model, redirected to a router whose variant falls back to a second provider.
        aliases: { 'claude-opus-4-8': 'router/resilient' },
        routers: [
          {
            name: 'routers/resilient',
            defaultRoute: {
              route_id: 'main',
              variants: [{ variant: { variant_id: 'opus', model_id: 'anthropic/claude-opus-4-8', model_selection: { models: ['backup/claude-opus-4-8'] } }, weight: 100 }],
            },
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

  it('completes its task: every 529 is absorbed by the backup', async () => {
    primary.fault({ fault: { kind: 'status', status: 529 }, every: 2, match: { path: '/v1/messages' } });
    // The primary answers turns 1, 3, 5 and refuses 2 and 4, which the backup answers: each simulator plays
    // [append, append, final] so the conversation is the same whichever answers.
    const append = { content: [{ type: 'tool_use' as const, name: 'Bash', input: { command: "printf 'x' >> f.txt", description: 'append' } }] };
    const final = { content: [{ type: 'text' as const, text: 'f.txt is ready.' }] };
    primary.script([append, append, final]);
    backup.script([append, append, final]);
    const cwd = mkdtempSync(path.join(tmpdir(), 'sy-cc-failover-'));
    const res = await runClaude(['-p', 'build f.txt', '--output-format', 'json', '--allowedTools', 'Bash'], cwd, h.url, h.key);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const result = claudeResult(res.stdout);
    expect(result.is_error).toBe(false);
    expect(result.result).toContain('f.txt is ready.');
    expect(readFileSync(path.join(cwd, 'f.txt'), 'utf8')).toBe('xxxx');
    expect(primary.requests.filter((r) => r.fault === 'status').length).toBe(2);
    await h.flush();
    const records = (await h.app.services.store.listRecords({ limit: 50 })).filter((r) => r.endpoint === 'messages');
    // Every turn succeeded; the ones the primary refused show two attempts.
    expect(records).toHaveLength(5);
    expect(records.every((r) => r.status === 200)).toBe(true);
    expect(records.filter((r) => r.attempts.length === 2 && r.attempts[0].status === 529 && r.attempts[1].provider === 'backup' && r.attempts[1].success)).toHaveLength(2);
  }, 180_000);
});
