import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile, parseConfig, type Config } from '../config/index.js';

export interface CommonOptions {
  config?: string;
  dataDir?: string;
  port?: string;
  host?: string;
}

export const DEFAULT_CONFIG_FILE = 'switchyard.yaml';

/** Loads the config named by --config, else ./switchyard.yaml when present, else the defaults; applies flag overrides. */
export async function resolveConfig(opts: CommonOptions): Promise<{ config: Config; dataDir: string; file: string | null }> {
  const file = opts.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : null);
  const config = file ? await loadConfigFile(file) : parseConfig({}, '(defaults)');
  if (opts.port !== undefined) {
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${opts.port}" is not a port number`);
    config.server.port = port;
  }
  if (opts.host !== undefined) config.server.host = opts.host;
  const dataDir = path.resolve(opts.dataDir ?? process.env.SWITCHYARD_DATA_DIR ?? 'data');
  return { config, dataDir, file };
}
