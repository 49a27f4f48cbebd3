import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { JOIN_BODY_LIMIT, upstreamPayload, writeBatch } from './io.js';

/**
 * A real response to a client that reads nothing until told to: every write past the socket buffers pushes back, so
 * each writeBatch waits for `drain` (regression: each wait used to leave a `close` listener on the response).
 */
async function slowClient(): Promise<{ res: ServerResponse; read: () => void; close: () => Promise<void> }> {
  let resolveRes!: (r: ServerResponse) => void;
  const gotRes = new Promise<ServerResponse>((r) => (resolveRes = r));
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    resolveRes(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  let incoming: http.IncomingMessage | undefined;
  const req = http.get({ host: '127.0.0.1', port, path: '/' }, (m) => {
    incoming = m;
    m.pause();
  });
  req.on('error', () => {});
  const res = await gotRes;
  return {
    res,
    read: () => incoming?.resume(),
    close: async () => {
      req.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('writeBatch', () => {
  it('waits for the client at each push-back without leaving listeners behind', async () => {
    const c = await slowClient();
    try {
      const baseClose = c.res.listenerCount('close');
      const baseDrain = c.res.listenerCount('drain');
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      let waits = 0;
      setTimeout(() => c.read(), 50);
      for (let i = 0; i < 40; i++) {
        const pending = writeBatch(c.res, [chunk, chunk]);
        if (c.res.writableNeedDrain) waits++;
        await pending;
      }
      expect(waits).toBeGreaterThan(10);
      expect(c.res.listenerCount('close')).toBe(baseClose);
      expect(c.res.listenerCount('drain')).toBe(baseDrain);
    } finally {
      await c.close();
    }
  });

  it('a client that goes away while the writer waits ends the wait', async () => {
    const c = await slowClient();
    try {
      const chunk = Buffer.alloc(4 * 1024 * 1024, 0x61);
      const pending = writeBatch(c.res, [chunk]);
      expect(c.res.writableNeedDrain).toBe(true);
      c.res.destroy();
      await pending;
      expect(c.res.listenerCount('drain')).toBe(0);
    } finally {
      await c.close();
    }
  });
});

describe('upstreamPayload', () => {
  it('sends a one-piece body as it is, without a copy', () => {
    const buf = Buffer.from('{"model":"m"}');
    expect(upstreamPayload({ chunks: [buf], length: buf.length })).toBe(buf);
  });

  it('joins a small spliced body into one buffer, so headers and body leave in one write', () => {
    const chunks = [Buffer.from('{"model":'), Buffer.from('"claude-x"'), Buffer.from(',"stream":true}')];
    const out = upstreamPayload({ chunks, length: 34 });
    expect(Buffer.isBuffer(out)).toBe(true);
    expect(out.toString()).toBe('{"model":"claude-x","stream":true}');
  });

  it('leaves a large spliced body in pieces: no fresh copy of it', () => {
    const big = Buffer.alloc(JOIN_BODY_LIMIT, 'a');
    const chunks = [Buffer.from('{"model":'), Buffer.from('"m"'), big];
    const out = upstreamPayload({ chunks, length: 12 + big.length }) as unknown;
    expect(out).toBe(chunks);
  });
});
