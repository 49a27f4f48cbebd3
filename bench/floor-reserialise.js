// Floor 2 of `npm run bench`: a proxy that does the least a translating gateway must do with a request, read the
// whole body, JSON.parse it, set the model (dropping a `provider/` prefix) and JSON.stringify it again, then send it
// upstream over keep-alive connections and stream the answer back unparsed. A translated path through the router
// also decodes, rewrites and re-encodes the body; this is that work with no translation at all.
// Usage: node bench/floor-reserialise.js UPSTREAM_URL   (prints {"url", "pid"} once listening on 127.0.0.1)
import http from 'node:http';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';

const upstream = new Pool(process.argv[2], { connections: 256, keepAliveTimeout: 60_000, pipelining: 1 });
// Hop-by-hop headers belong to one connection, not to the request (RFC 9110 §7.6.1); content-length changes here.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host', 'expect', 'content-length']);
const endToEnd = (headers) => Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP.has(k)));

const server = http.createServer(async (req, res) => {
  try {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    body.model = String(body.model).slice(String(body.model).indexOf('/') + 1);
    const out = Buffer.from(JSON.stringify(body), 'utf8');
    const up = await upstream.request({ method: req.method, path: req.url, headers: { ...endToEnd(req.headers), 'content-length': String(out.length) }, body: out });
    const headers = endToEnd(up.headers);
    if (up.headers['content-length'] !== undefined) headers['content-length'] = up.headers['content-length'];
    res.writeHead(up.statusCode, headers);
    pipeline(up.body, res, () => {});
  } catch (err) {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`floor-reserialise: ${err.message}`);
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, pid: process.pid }) + '\n'));

// The benchmark keeps our stdin open; when it dies, stdin closes and we leave too.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
