import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

const BIN = path.resolve(import.meta.dirname, '../../bin/switchyard.js');

export const CLIENT_KEY = 'sk-sy-durability-test-key-0000001';
/** The model the load uses; the simulator answers any id. */
export const LOAD_MODEL = 'claude-sonnet-4-6';

export interface RouterProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything the process wrote so far (stdout and stderr: the banner and the pino JSON log lines). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A fresh directory holding `switchyard.yaml` (the given extra YAML appended) and a `data/` directory. */
export function writeConfig(simUrl: string, extraYaml: string): { dir: string; configFile: string; dataDir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'sy-durable-'));
  const configFile = path.join(dir, 'switchyard.yaml');
  writeFileSync(
    configFile,
    `providers:\n  anthropic:\n    api_key: sk-ant-test-durability\n    base_url: ${simUrl}\nauth:\n  keys:\n    - name: durability\n      key: ${CLIENT_KEY}\n${extraYaml}`,
  );
  return { dir, configFile, dataDir: path.join(dir, 'data') };
}

/** Runs the real CLI (`switchyard start`, built in dist/) and resolves once it prints its address. */
export function startRouter(configFile: string, dataDir: string): Promise<RouterProcess> {
  const child = spawn(process.execPath, [BIN, 'start', '--config', configFile, '--data-dir', dataDir, '--port', '0'], {
    cwd: path.dirname(configFile),
    env: { PATH: process.env.PATH },
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m && out.includes('claude')) resolve({ child, url: m[1], port: Number(new URL(m[1]).port), output: () => out, exited });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then(({ code, signal }) => reject(new Error(`switchyard exited (${code ?? signal}) before listening:\n${out}`)));
  });
}

/** The pino JSON lines of the output whose `msg` matches. */
export function logLines(output: string, msg: RegExp): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (typeof o.msg === 'string' && msg.test(o.msg)) out.push(o);
    } catch {
      // a banner line that happens to start with "{" is not a log line
    }
  }
  return out;
}

export type Outcome =
  | { ok: true; id: string; stream: boolean; sentAt: number; doneAt: number }
  /** `gotHeaders`: the router had started answering, so the request was in flight when it failed. */
  | { ok: false; gotHeaders: boolean; status: number | null; error: string; sentAt: number; doneAt: number };

/** One `POST /v1/messages`; resolves with the outcome, never rejects. A response counts only when complete and well-formed. */
export function sendMessage(url: string, agent: http.Agent, stream: boolean, model = LOAD_MODEL, text = 'durability'): Promise<Outcome> {
  const sentAt = Date.now();
  const body = JSON.stringify({ model, max_tokens: 24, stream, messages: [{ role: 'user', content: text }] });
  return new Promise((resolve) => {
    let gotHeaders = false;
    let status: number | null = null;
    let settled = false;
    const fail = (error: string) => {
      if (settled) return;
      settled = true;
      resolve({ ok: false, gotHeaders, status, error, sentAt, doneAt: Date.now() });
    };
    const req = http.request(
      `${url}/v1/messages`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        gotHeaders = true;
        status = res.statusCode ?? null;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('error', (err) => fail(err.message));
        res.on('aborted', () => fail('response aborted'));
        res.on('end', () => {
          if (settled) return;
          const id = res.headers['x-request-id'];
          if (status !== 200 || typeof id !== 'string') return fail(`status ${status}: ${text.slice(0, 200)}`);
          // A stream cut short still ends cleanly at the HTTP level; only its last event proves it is whole.
          const whole = stream ? text.includes('event: message_stop') : (JSON.parse(text) as { type?: string }).type === 'message';
          if (!whole) return fail(`incomplete ${stream ? 'stream' : 'body'}: ${text.slice(-200)}`);
          settled = true;
          resolve({ ok: true, id, stream, sentAt, doneAt: Date.now() });
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    req.end(body);
  });
}

export interface Load {
  outcomes: Outcome[];
  /** Stops sending new requests; resolves when every client's last request has settled. */
  stop(): Promise<void>;
  /** Resolves when all clients have stopped (by `stop()` or on their own). */
  done: Promise<void>;
}

/**
 * `clients` concurrent keep-alive clients, each sending one request after another (odd clients stream). A client stops
 * at its first request that fails without any response when `stopOnRefusal()` says the router is going away (a
 * closed listener or a closed idle keep-alive connection); any other failure is kept in `outcomes` for the test.
 */
export function startLoad(url: string, clients: number, opts: { stopOnRefusal?: () => boolean } = {}): Load {
  const outcomes: Outcome[] = [];
  let stopping = false;
  const agents: http.Agent[] = [];
  const runs = Array.from({ length: clients }, async (_, i) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    while (!stopping) {
      const o = await sendMessage(url, agent, i % 2 === 1, LOAD_MODEL, `client ${i}`);
      if (!o.ok && !o.gotHeaders && opts.stopOnRefusal?.()) {
        outcomes.push(o);
        break;
      }
      outcomes.push(o);
      if (!o.ok) break;
    }
  });
  const done = Promise.all(runs).then(() => agents.forEach((a) => a.destroy()));
  return {
    outcomes,
    done,
    stop: async () => {
      stopping = true;
      await done;
    },
  };
}

/** Resolves true when a new TCP connection to the port is refused. */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The stored records of the SQLite file as `id → {stream}`, and its `PRAGMA integrity_check` result. */
export function readSqlite(file: string): { ids: Map<string, { stream: boolean; endpoint: string }>; integrity: string } {
  // Read-write: after a kill -9 the first connection replays the WAL, exactly what the next start would do.
  const db = new Database(file);
  try {
    const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
    const rows = db.prepare('SELECT id, stream, endpoint FROM requests').all() as Array<{ id: string; stream: number; endpoint: string }>;
    return { ids: new Map(rows.map((r) => [r.id, { stream: r.stream === 1, endpoint: r.endpoint }])), integrity };
  } finally {
    db.close();
  }
}

/** The stored records of a PostgreSQL database as `id → {stream}`, plus the row count (a duplicate would show as count > ids). */
export async function readPostgres(url: string): Promise<{ ids: Map<string, { stream: boolean; endpoint: string }>; count: number }> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    const rows = (await c.query<{ id: string; stream: boolean; endpoint: string }>('SELECT id, stream, endpoint FROM requests')).rows;
    return { ids: new Map(rows.map((r) => [r.id, { stream: r.stream, endpoint: r.endpoint }])), count: rows.length };
  } finally {
    await c.end();
  }
}

