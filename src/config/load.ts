import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: Array<{ path: string; reason: string }>,
  ) {
    super(`${file}: invalid configuration\n` + issues.map((i) => `  ${i.path || '(root)'}: ${i.reason}`).join('\n'));
    this.name = 'ConfigError';
  }
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces `${VAR}` and `${VAR:-default}` in every string of the tree; a missing variable without default is an error. */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  at: string,
  issues: Array<{ path: string; reason: string }>,
): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      issues.push({ path: at, reason: `environment variable ${name} is not set` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, `${at}[${i}]`, issues));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateEnv(v, env, at ? `${at}.${k}` : k, issues);
    return out;
  }
  return value;
}

export function formatZodPath(p: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of p) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

function zodIssues(error: z.ZodError): Array<{ path: string; reason: string }> {
  const out: Array<{ path: string; reason: string }> = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatZodPath([...issue.path, key]), reason: 'unknown key' });
    } else {
      out.push({ path: formatZodPath(issue.path), reason: issue.message });
    }
  }
  return out;
}

/** Validates an already-parsed config object (e.g. from YAML) and returns the typed config. */
export function parseConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const issues: Array<{ path: string; reason: string }> = [];
  const interpolated = interpolateEnv(raw ?? {}, env, '', issues);
  if (issues.length) throw new ConfigError(file, issues);
  const result = configSchema.safeParse(interpolated);
  if (!result.success) throw new ConfigError(file, zodIssues(result.error));
  return result.data;
}

export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', reason: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '', reason: e.message.split('\n')[0] })),
    );
  }
  return parseConfig(doc.toJS(), file, env);
}
