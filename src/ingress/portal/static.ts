import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';

const gzip = promisify(gzipCb);

/**
 * Headers on every portal answer. The app is built without inline scripts or styles, so the policy can forbid them;
 * `frame-ancestors` and X-Frame-Options keep the signed-in portal from being framed (clickjacking).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Buffer;
  gzipped: Buffer | null;
  type: string;
  etag: string;
  /** Vite puts content-hashed files under assets/: their name changes whenever their content does. */
  immutable: boolean;
}

/** The built portal (dist/portal), read once into memory so that serving it never touches the disk. */
export class PortalAssets {
  private constructor(private readonly files: Map<string, Asset>) {}

  static async load(dir: string): Promise<PortalAssets | null> {
    const names = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => null);
    if (!names) return null;
    const files = new Map<string, Asset>();
    for (const entry of names) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath, entry.name);
      const rel = '/' + path.relative(dir, full).split(path.sep).join('/');
      const type = TYPES[path.extname(rel)];
      if (!type) continue;
      const body = await readFile(full);
      const compressible = /^(text|application\/json|image\/svg)/.test(type) && body.length > 1024;
      files.set(rel, {
        body,
        gzipped: compressible ? await gzip(body, { level: 9 }) : null,
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        immutable: rel.startsWith('/assets/'),
      });
    }
    return files.has('/index.html') ? new PortalAssets(files) : null;
  }

  /** Answers `GET /portal/<rest>`: the file, or index.html for client-side routes (not for missing assets). */
  serve(req: IncomingMessage, res: ServerResponse, rest: string): void {
    let asset = this.files.get(rest);
    if (!asset && (rest.startsWith('/assets/') || path.posix.extname(rest) !== '')) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('Not found');
      return;
    }
    asset ??= this.files.get('/index.html')!;
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': asset.type,
      etag: asset.etag,
      vary: 'accept-encoding',
      // index.html must be revalidated so that a rebuilt portal's new asset names are picked up.
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = asset.gzipped && acceptsGzip ? asset.gzipped : asset.body;
    if (body === asset.gzipped) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}
