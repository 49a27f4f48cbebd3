import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from './index.js';

function writeConfig(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sy-config-'));
  const file = path.join(dir, 'switchyard.yaml');
  writeFileSync(file, text);
  return file;
}

async function configError(text: string, env: NodeJS.ProcessEnv = {}): Promise<ConfigError> {
  const file = writeConfig(text);
  try {
    await loadConfigFile(file, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).message).toContain(file);
    return e as ConfigError;
  }
  throw new Error('expected the config to be rejected');
}

describe('config', () => {
  it('has defaults: 127.0.0.1:8080, 32 MiB body limit', () => {
    const c = parseConfig({}, 'x');
    expect(c.server.host).toBe('127.0.0.1');
    expect(c.server.port).toBe(8080);
    expect(c.server.body_limit).toBe(32 * 1024 * 1024);
  });

  it('interpolates ${ENV} and ${ENV:-default} in any string', async () => {
    const file = writeConfig('providers:\n  anthropic:\n    api_key: ${MY_KEY}\n    base_url: ${BASE:-http://127.0.0.1:9999}\n');
    const c = await loadConfigFile(file, { MY_KEY: 'k-123' });
    expect(c.providers.anthropic.api_key).toBe('k-123');
    expect(c.providers.anthropic.base_url).toBe('http://127.0.0.1:9999');
  });

  it('names the file, the path and the reason for an unknown key', async () => {
    const e = await configError('server:\n  port: 8080\n  prot: 1\n');
    expect(e.issues).toContainEqual({ path: 'server.prot', reason: 'unknown key' });
  });

  it('rejects bad values with their path', async () => {
    const e = await configError('server:\n  port: "eighty"\nproviders:\n  anthropic:\n    base_url: not-a-url\n');
    const paths = e.issues.map((i) => i.path);
    expect(paths).toContain('server.port');
    expect(paths).toContain('providers.anthropic.base_url');
  });

  it('rejects a missing environment variable naming where it was used', async () => {
    const e = await configError('auth:\n  admin_key: ${NOT_SET_ANYWHERE}\n');
    expect(e.issues[0]).toEqual({ path: 'auth.admin_key', reason: 'environment variable NOT_SET_ANYWHERE is not set' });
  });

  it('reports YAML syntax errors with a line', async () => {
    const e = await configError('server:\n  port: [1,\n');
    expect(e.issues[0].path).toMatch(/line \d+/);
  });

  it('parses durations and sizes', () => {
    const c = parseConfig({ server: { body_limit: '1MiB', shutdown_grace: '1.5s' }, failover: { timeouts: { ttft: '300ms' } } }, 'x');
    expect(c.server.body_limit).toBe(1024 * 1024);
    expect(c.server.shutdown_grace).toBe(1500);
    expect(c.failover.timeouts.ttft).toBe(300);
  });
});
