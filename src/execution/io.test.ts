import http, { type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { JOIN_BODY_LIMIT, joinPieces, upstreamPayload, writeBatch } from './io.js';

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
  it('joins strings (as UTF-8) and buffers in order', () => {
    const pieces = ['event: a\ndata: {"t":"héllo ✓ 𝄞"}\n\n', Buffer.from('event: b\ndata: {}\n\n'), '', Buffer.alloc(0), 'x'];
    const joined = joinPieces(pieces);
    expect(joined.toString('utf8')).toBe(pieces.map((p) => p.toString()).join(''));
    expect(joined.length).toBe(pieces.reduce((n, p) => n + Buffer.byteLength(p), 0));
  });

  it('sends a batch as one chunk of the chunked encoding', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      void writeBatch(res, ['event: a\ndata: {}\n\n', Buffer.from('event: b\ndata: {}\n\n'), 'event: c\ndata: {}\n\n']).then(() => res.end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'));
        let text = '';
        socket.on('data', (d) => (text += d.toString('latin1')));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      const sizes = [...body.matchAll(/(?:^|\r\n)([0-9a-f]+)\r\n/g)].map((m) => parseInt(m[1], 16));
      expect(sizes).toEqual([3 * 'event: a\ndata: {}\n\n'.length, 0]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

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
