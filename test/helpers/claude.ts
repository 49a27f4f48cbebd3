import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CLAUDE = path.resolve(import.meta.dirname, '../../node_modules/.bin/claude');

/**
 * Environment for the real Claude Code CLI in tests: a fresh HOME, no non-essential traffic, and every non-loopback
 * connection sent to a dead proxy so it can reach nothing but the router.
 */
export function claudeEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: mkdtempSync(path.join(tmpdir(), 'sy-claude-home-')),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
    ...extra,
  };
}

/** Runs a command to completion (killed after `timeoutMs`), collecting its output. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 150_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(cmd)} timed out; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `claude -p ... --output-format json` against the router at `baseUrl` with `key`. */
export function runClaude(args: string[], cwd: string, baseUrl: string, key: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run(CLAUDE, args, cwd, claudeEnv({ ANTHROPIC_BASE_URL: baseUrl, ANTHROPIC_AUTH_TOKEN: key }));
}

/** The final JSON result line Claude Code prints with `--output-format json`. */
export function claudeResult(stdout: string): { is_error: boolean; result: string } {
  return JSON.parse(stdout.trim().split('\n').filter(Boolean).at(-1) ?? '{}') as { is_error: boolean; result: string };
}
