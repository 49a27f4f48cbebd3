// Floor 1 of `npm run bench`: the least an HTTP proxy written in Node can do. Each request goes to the upstream as it
// came (method, path, headers, body streamed through) over keep-alive connections, and the answer streams back; the
// body is never looked at. What the router costs above this is what routing, auth, records and headers cost.
// Usage: node bench/floor-pipe.js UPSTREAM_URL   (prints {"url", "pid"} once listening on 127.0.0.1)
import http from 'node:http';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';

const upstream = new Pool(process.argv[2], { connections: 256, keepAliveTimeout: 60_000, pipelining: 1 });
// Hop-by-hop headers belong to one connection, not to the request (RFC 9110 §7.6.1); undici refuses some of them.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host', 'expect']);
const endToEnd = (headers) => Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP.has(k)));

const server = http.createServer(async (req, res) => {
  try {
    const up = await upstream.request({ method: req.method, path: req.url, headers: endToEnd(req.headers), body: req });
    res.writeHead(up.statusCode, endToEnd(up.headers));
    pipeline(up.body, res, () => {});
  } catch (err) {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`floor-pipe: ${err.message}`);
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, pid: process.pid }) + '\n'));

// The benchmark keeps our stdin open; when it dies, stdin closes and we leave too.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
