/** The simulator's HTTP server: body reading, request log, routing to control or protocol modules. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicProtocol } from './anthropic/index.js';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { geminiProtocol } from './gemini/index.js';
import type { Exchange } from './http.js';
import { openaiProtocol } from './openai/index.js';
import type { ProtocolModule } from './protocol.js';
import { validateReplay, validateReplayMatch } from './replay.js';
import { randomSeed } from './rng.js';
import { validateTurns } from './script.js';
import { SimState } from './state.js';
import type { FaultRule, ReplayMatch, ReplayResponse, ScriptedTurn, SimRequestLog, Simulator, SimulatorOptions } from './types.js';

/** Wire protocols served, tried in order (Anthropic first: it claims `GET /v1/models` only with `anthropic-version`). */
const PROTOCOLS: readonly ProtocolModule[] = [anthropicProtocol, openaiProtocol, geminiProtocol];
const REASONING_FIELDS = new Set(['reasoning_content', 'reasoning']);
/** Bodies above this get 413 (the API's 32 MB limit). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

const noop = (): void => {};

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too_large' : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.on('error', () => resolve('aborted'));
    req.on('aborted', () => resolve('aborted'));
  });
}

async function handle(state: SimState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.on('error', noop);
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const qi = url.indexOf('?');
  const path = qi < 0 ? url : url.slice(0, qi);
  const query = qi < 0 ? '' : url.slice(qi + 1);
  const declared = Number(req.headers['content-length'] ?? 0);
  const body = declared > MAX_BODY_BYTES ? 'too_large' : await readBody(req, MAX_BODY_BYTES);
  if (body === 'aborted') return;

  if (path.startsWith(CONTROL_PREFIX)) {
    handleControl(state, method, path, query, body === 'too_large' ? Buffer.alloc(0) : body, res);
    return;
  }

  const log: SimRequestLog = {
    seq: state.log.nextSeq(),
    time: Date.now(),
    method,
    path,
    query,
    headers: req.headers,
    body: body === 'too_large' ? Buffer.alloc(0) : body,
  };
  state.log.push(log);
  const x: Exchange = { req, res, method, path, query, body: log.body, log, state };
  let handler;
  let owner: ProtocolModule | undefined;
  for (const p of PROTOCOLS) {
    handler = p.route(method, path, req.headers);
    if (handler) {
      owner = p;
      break;
    }
  }
  if (owner) log.protocol = owner.name;
  owner ??= PROTOCOLS.find((p) => p.owns(path, req.headers)) ?? anthropicProtocol;
  if (body === 'too_large') {
    owner.sendError(x, 413);
    return;
  }
  if (!handler) {
    owner.sendError(x, 404, 'Not Found');
    return;
  }
  try {
    await handler(x);
  } catch (e) {
    if (!res.headersSent) owner.sendError(x, 500, `simulator error: ${(e as Error).message}`);
    else res.destroy();
  }
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  if (opts.openaiReasoningField !== undefined && !REASONING_FIELDS.has(opts.openaiReasoningField)) {
    throw new Error(`openaiReasoningField must be 'reasoning_content' or 'reasoning'`);
  }
  const state = new SimState({
    openaiReasoningField: opts.openaiReasoningField,
    seed: opts.seed ?? randomSeed(),
    label: opts.label,
    logLimit: opts.logLimit,
    logBodyBytesLimit: opts.logBodyBytesLimit,
  });
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    handle(state, req, res).catch(() => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else res.destroy();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;

  const sim: Simulator = {
    url: `http://${urlHost}:${port}`,
    port,
    label: opts.label,
    requests: state.log.entries,
    script(turns: ScriptedTurn[], match?: { model?: string }) {
      state.scripts.add(validateTurns(turns), match);
    },
    replay(responses: ReplayResponse | ReplayResponse[], match?: ReplayMatch) {
      const list = Array.isArray(responses) ? responses : [responses];
      state.replays.add(
        list.map((r, i) => validateReplay(r, `replay[${i}]`)),
        validateReplayMatch(match),
      );
    },
    fault(rule: FaultRule) {
      state.faults.add(rule);
    },
    clearFaults() {
      state.faults.clear();
    },
    reset() {
      state.reset();
    },
    close() {
      if (!closed) {
        closed = new Promise<void>((resolve) => {
          state.closing.abort();
          server.close(() => resolve());
          for (const res of state.hung) res.socket?.destroy();
          state.hung.clear();
          server.closeAllConnections();
        });
      }
      return closed;
    },
  };
  return sim;
}
