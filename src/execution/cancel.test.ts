import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyTransportError } from './attempt.js';
import { Cancellation } from './cancel.js';
import { AttemptGuard } from './guard.js';

describe('Cancellation', () => {
  it('aborts once, runs each listener once in order, and keeps the first reason', () => {
    const c = new Cancellation();
    const calls: string[] = [];
    c.once('abort', () => calls.push('a'));
    c.on('abort', () => calls.push('b'));
    c.abort('first');
    c.abort('second');
    expect(calls).toEqual(['a', 'b']);
    expect(c.aborted).toBe(true);
    expect(c.reason).toBe('first');
    expect(c.listenerCount()).toBe(0);
  });

  it('without a reason aborts with an AbortError, which classifies as the client leaving', () => {
    const c = new Cancellation();
    c.abort();
    expect((c.reason as Error).name).toBe('AbortError');
    expect(classifyTransportError(c.reason, 'p').errorClass).toBe('client_closed');
  });

  it('does not call a listener removed before the abort, even one removed by an earlier listener', () => {
    const c = new Cancellation();
    const calls: string[] = [];
    const gone = () => calls.push('gone');
    c.once('abort', () => calls.push('first'));
    c.once('abort', gone);
    c.removeListener('abort', gone);
    c.abort();
    expect(calls).toEqual(['first']);
  });

  it('follows its parents: the first to abort passes its reason on, and stopping leaves the parents no listener', () => {
    const request = new Cancellation();
    const race = new Cancellation();
    const attempt = new Cancellation();
    const stop = attempt.follow([request, race]);
    expect(request.listenerCount()).toBe(1);
    race.abort('lost the race');
    expect(attempt.aborted).toBe(true);
    expect(attempt.reason).toBe('lost the race');
    stop();
    expect(request.listenerCount()).toBe(0);
    request.abort('late');
    expect(attempt.reason).toBe('lost the race');
  });

  it('aborts at once when a parent already has', () => {
    const parent = new Cancellation();
    parent.abort('gone');
    const child = new Cancellation();
    child.follow([parent]);
    expect(child.aborted).toBe(true);
    expect(child.reason).toBe('gone');
  });

  it('an attempt guard leaves no listener on the request once disposed, however many attempts ran', () => {
    const req = new Cancellation();
    for (let i = 0; i < 50; i++) new AttemptGuard([req], { ttftMs: 1000, idleMs: 1000 }, true).dispose();
    expect(req.listenerCount()).toBe(0);
  });

  it('a guard timeout aborts the guard but not the request', async () => {
    const req = new Cancellation();
    const guard = new AttemptGuard([req], { ttftMs: 5 }, true);
    await new Promise((r) => setTimeout(r, 30));
    expect(guard.reason).toBe('ttft_timeout');
    expect(guard.signal.aborted).toBe(true);
    expect(req.aborted).toBe(false);
    guard.dispose();
  });
});

describe('Cancellation as the signal of an undici request', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // Answers the headers at once and never ends the body.
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('an abort before the answer rejects the request with its reason', async () => {
    const c = new Cancellation();
    const pending = request(url, { signal: c });
    c.abort(Object.assign(new Error('no first token in time'), { name: 'TimeoutError' }));
    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError', message: 'no first token in time' });
  });

  it('an abort while the body streams ends the body with its reason and leaves no listener behind', async () => {
    const c = new Cancellation();
    const resp = await request(url, { signal: c });
    const reading = (async () => {
      for await (const _chunk of resp.body) c.abort();
    })();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(c.listenerCount()).toBe(0);
  });
});
