/**
 * Protocol-neutral HTTP plumbing: the per-request exchange, sleeping, and carrying out a fault plan
 * around a JSON body or an SSE frame sequence. Protocols supply their error shapes via `FaultAdapter`.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setImmediate as nextTick, setTimeout as sleepMs } from 'node:timers/promises';
import { writable } from '../util/writable.js';
import type { FaultPlan } from './faults.js';
import type { SimState } from './state.js';
import type { FaultKind, SimRequestLog } from './types.js';

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path without the query string. */
  path: string;
  /** Query string without the leading `?` (may be empty). */
  query: string;
  body: Buffer;
  log: SimRequestLog;
  state: SimState;
}

/** One encoded stream event; `firstToken` marks where a `slow_first_token` delay goes. */
export interface Frame {
  /** The event's bytes (replays of raw recordings pass buffers). */
  text: string | Buffer;
  firstToken?: boolean;
}

export interface ErrorResponse {
  status: number;
  headers: OutgoingHttpHeaders;
  body: string;
}

/** How a wire protocol renders faults. */
export interface FaultAdapter {
  /** Error response for a `status` fault (or a `stream_error` on a non-stream request). */
  statusFault(x: Exchange, fault: Extract<FaultKind, { kind: 'status' }>): ErrorResponse;
  /** The in-stream error event for `stream_error`. */
  streamErrorFrame(x: Exchange, errorType: string | undefined): string;
  /** The HTTP status a `stream_error` turns into on a non-stream request. */
  streamErrorStatus(errorType: string | undefined): number;
  /** An event whose data is not valid JSON. */
  malformedFrame(x: Exchange): string;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function sendJson(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: string | Buffer): void {
  if (res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Waits until what was written reached the kernel (or the socket went away). `drain` only fires
 * after a refused write, so this polls the socket's pending byte count (fault paths only).
 */
async function flushed(res: ServerResponse): Promise<void> {
  const s = res.socket;
  for (let i = 0; i < 2000 && s && !s.destroyed && s.writableLength > 0; i++) await sleepMs(1);
}

/** Destroy the connection abruptly (RST where supported). */
export function resetSocket(res: ServerResponse): void {
  const s = res.socket;
  if (!s) return;
  const r = s as typeof s & { resetAndDestroy?: () => void };
  if (typeof r.resetAndDestroy === 'function') r.resetAndDestroy();
  else s.destroy();
}

/**
 * The part of a fault plan that acts before any response: latency, then status / hang / reset.
 * Returns true when the exchange is finished (nothing more to send).
 */
export async function applyPreFaults(x: Exchange, plan: FaultPlan, adapter: FaultAdapter): Promise<boolean> {
  if (plan.latencyMs > 0) {
    if (!(await sleep(plan.latencyMs, x.state.closing.signal)) || x.res.destroyed) return true;
  }
  const t = plan.terminal;
  if (!t) return false;
  switch (t.kind) {
    case 'status': {
      const e = adapter.statusFault(x, t);
      sendJson(x.res, e.status, e.headers, e.body);
      return true;
    }
    case 'hang':
      x.state.hung.add(x.res);
      x.res.on('close', () => x.state.hung.delete(x.res));
      return true;
    case 'reset':
      resetSocket(x.res);
      return true;
    default:
      return false;
  }
}

/** Send a complete non-stream body, honouring slow_first_token / cut / malformed / stream_error. */
export async function sendBody(
  x: Exchange,
  status: number,
  headers: OutgoingHttpHeaders,
  body: string | Buffer,
  plan: FaultPlan,
  adapter: FaultAdapter,
): Promise<void> {
  const { res } = x;
  const t = plan.terminal;
  if (t?.kind === 'stream_error') {
    const st = adapter.streamErrorStatus(t.errorType);
    const e = adapter.statusFault(x, { kind: 'status', status: st, errorType: t.errorType });
    sendJson(res, e.status, e.headers, e.body);
    return;
  }
  if (t?.kind === 'stall') {
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.flushHeaders();
    await holdOpen(x);
    return;
  }
  if (t?.kind === 'malformed') body = typeof body === 'string' ? body.slice(0, Math.floor(body.length / 2)) : body.subarray(0, Math.floor(body.length / 2));
  if (plan.slowFirstTokenMs > 0) {
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.flushHeaders();
    if (!(await sleep(plan.slowFirstTokenMs, x.state.closing.signal)) || res.destroyed) return;
    if (t?.kind !== 'cut') {
      res.end(body);
      return;
    }
  }
  if (t?.kind === 'cut') {
    const buf = Buffer.from(body);
    if (!res.headersSent) res.writeHead(status, { ...headers, 'content-length': buf.length });
    res.write(buf.subarray(0, Math.floor(buf.length / 2)));
    await flushed(res);
    res.socket?.destroy();
    return;
  }
  sendJson(res, status, headers, body);
}

const BATCH = 8;

/**
 * Stream frames as they are produced (a batch per tick, respecting back-pressure), honouring
 * slow_first_token / cut / malformed / stream_error. Headers must already be set with `writeHead`.
 */
export async function pumpFrames(x: Exchange, frames: Iterable<Frame>, plan: FaultPlan, adapter: FaultAdapter): Promise<void> {
  const { res } = x;
  const signal = x.state.closing.signal;
  const t = plan.terminal;
  const after = t && (t.kind === 'cut' || t.kind === 'malformed' || t.kind === 'stream_error' || t.kind === 'stall') ? t.afterEvents : -1;
  let slow = plan.slowFirstTokenMs;
  let n = 0;
  let inBatch = 0;
  let corked = false;
  const uncork = (): void => {
    if (corked) {
      res.uncork();
      corked = false;
    }
  };
  for (const f of frames) {
    if (n === after) break;
    if (slow > 0 && f.firstToken) {
      uncork();
      if (n === 0) res.flushHeaders();
      if (!(await sleep(slow, signal))) return;
      slow = 0;
    }
    if (res.destroyed) return;
    if (!corked) {
      res.cork();
      corked = true;
    }
    const ok = res.write(f.text);
    n++;
    inBatch++;
    if (!ok) {
      uncork();
      inBatch = 0;
      await writable(res);
      if (res.destroyed) return;
    } else if (inBatch >= BATCH) {
      uncork();
      inBatch = 0;
      await nextTick();
      if (res.destroyed) return;
    }
  }
  uncork();
  if (res.destroyed) return;
  if (after < 0 || !t) {
    res.end();
    return;
  }
  if (t.kind === 'cut') {
    if (!res.headersSent) res.flushHeaders();
    await flushed(res);
    res.socket?.destroy();
  } else if (t.kind === 'malformed') {
    res.end(adapter.malformedFrame(x));
  } else if (t.kind === 'stream_error') {
    res.end(adapter.streamErrorFrame(x, t.errorType));
  } else if (t.kind === 'stall') {
    if (!res.headersSent) res.flushHeaders();
    await holdOpen(x);
  }
}

/** Keeps the response open, sending nothing, until the client leaves or the simulator closes. */
async function holdOpen(x: Exchange): Promise<void> {
  if (x.res.destroyed) return;
  x.state.hung.add(x.res);
  await new Promise<void>((resolve) => {
    const done = () => {
      x.res.off('close', done);
      x.state.closing.signal.removeEventListener('abort', done);
      resolve();
    };
    x.res.on('close', done);
    x.state.closing.signal.addEventListener('abort', done);
  });
  x.state.hung.delete(x.res);
}
