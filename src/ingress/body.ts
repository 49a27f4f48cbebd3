import type { IncomingMessage } from 'node:http';
import type { BodyPool } from './body-pool.js';
import { YoungGc } from './young-gc.js';

/** Scavenges once per this many body bytes read into pooled buffers (see YoungGc). */
export const YOUNG_GC_EVERY_BYTES = 8 * 1024 * 1024;
const youngGc = new YoungGc(YOUNG_GC_EVERY_BYTES);

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds the limit of ${limit} bytes`);
  }
}

/**
 * Reads the whole request body, refusing more than `limit` bytes without buffering them. With a `pool`, a body whose
 * `content-length` the pool takes is copied into a pooled buffer as it arrives; the caller releases it to the pool
 * when the request is over (see BodyPool).
 */
export function readBody(req: IncomingMessage, limit: number, pool?: BodyPool): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  const buf = pool && declared > 0 ? pool.take(declared) : null;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      // Node's parser stops at content-length, so only a body without one can run past the limit.
      if (size + chunk.length > (buf ? buf.length : limit)) {
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      if (buf) chunk.copy(buf, size);
      else chunks.push(chunk);
      size += chunk.length;
    };
    req.on('data', onData);
    req.once('end', () => {
      if (buf) youngGc.note(size);
      resolve(buf ? pool!.view(buf, size) : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.once('error', reject);
  });
}
