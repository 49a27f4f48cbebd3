/**
 * HTTP control surface under `/_sim/` so another process can drive a running simulator:
 *   POST /_sim/script   {turns, match?}      queue scripted turns
 *   POST /_sim/replay   {response | responses, match?}  queue recorded responses (raw as UTF-8 or rawBase64)
 *   POST /_sim/fault    FaultRule            add a fault rule
 *   POST /_sim/faults/clear                  drop all fault rules
 *   POST /_sim/reset                         clear requests, scripts, replays, faults, cache memory
 *   GET  /_sim/requests[?limit=N]            last N (default and max 1000) logged requests, bodies as UTF-8
 *   GET  /_sim/status                        {label, requests, scripted, faults, replays}
 * Control requests are not logged and never faulted.
 */
import type { ServerResponse } from 'node:http';
import { FaultRuleError, validateFaultRule } from './faults.js';
import { sendJson } from './http.js';
import { ReplayError, replaysFromJson } from './replay.js';
import { ScriptError, validateTurns } from './script.js';
import type { SimState } from './state.js';

export const CONTROL_PREFIX = '/_sim/';
const MAX_REQUESTS_LISTED = 1000;
const JSON_HEADERS = { 'content-type': 'application/json' };

function reply(res: ServerResponse, status: number, value: unknown): void {
  sendJson(res, status, JSON_HEADERS, JSON.stringify(value));
}

function parse(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (body.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

export function handleControl(state: SimState, method: string, path: string, query: string, body: Buffer, res: ServerResponse): void {
  const route = `${method} ${path}`;
  const parsed = parse(body);
  if (!parsed.ok) return reply(res, 400, { error: 'body is not valid JSON' });
  const value = parsed.value;
  try {
    switch (route) {
      case 'POST /_sim/script': {
        const v = (value ?? {}) as { turns?: unknown; match?: unknown };
        const turns = validateTurns(v.turns);
        const match = v.match as { model?: unknown } | undefined;
        if (match !== undefined && (typeof match !== 'object' || match === null)) throw new ScriptError('match must be an object');
        if (match?.model !== undefined && typeof match.model !== 'string') throw new ScriptError('match.model must be a string');
        state.scripts.add(turns, match as { model?: string } | undefined);
        return reply(res, 200, { ok: true, queued: state.scripts.size });
      }
      case 'POST /_sim/replay': {
        const { responses, match } = replaysFromJson(value);
        state.replays.add(responses, match);
        return reply(res, 200, { ok: true, queued: state.replays.size });
      }
      case 'POST /_sim/fault':
        state.faults.add(validateFaultRule(value));
        return reply(res, 200, { ok: true, faults: state.faults.count });
      case 'POST /_sim/faults/clear':
        state.faults.clear();
        return reply(res, 200, { ok: true });
      case 'POST /_sim/reset':
        state.reset();
        return reply(res, 200, { ok: true });
      case 'GET /_sim/requests': {
        const raw = Number(new URLSearchParams(query).get('limit') ?? MAX_REQUESTS_LISTED);
        const n = Number.isFinite(raw) ? Math.min(MAX_REQUESTS_LISTED, Math.max(0, Math.floor(raw))) : MAX_REQUESTS_LISTED;
        return reply(res, 200, state.log.tail(n));
      }
      case 'GET /_sim/status':
        return reply(res, 200, {
          label: state.label ?? null,
          requests: state.log.entries.length,
          scripted: state.scripts.size,
          faults: state.faults.count,
          replays: state.replays.size,
        });
      default:
        return reply(res, 404, { error: `no control route ${route}` });
    }
  } catch (e) {
    if (e instanceof ScriptError || e instanceof FaultRuleError || e instanceof ReplayError) return reply(res, 400, { error: e.message });
    throw e;
  }
}
