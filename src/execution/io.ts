import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { writable } from '../util/writable.js';

/** An upstream sent more than Switchyard holds in memory for one body, event or stream preamble. */
export class UpstreamTooLargeError extends Error {
  constructor(what: string, limit: number) {
    super(`${what} exceeds ${limit} bytes`);
    this.name = 'UpstreamTooLargeError';
  }
}

/** An upstream answered 200 with a body that is not what its format promises (not a JSON object). */
export class UpstreamInvalidResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamInvalidResponseError';
  }
}

/** Largest spliced body joined into one buffer before it goes upstream (see `upstreamPayload`). */
export const JOIN_BODY_LIMIT = 64 * 1024;

/**
 * A spliced body as undici should send it. undici writes an array body one piece per tick, each its own syscall
 * and TCP segment, which the upstream then reassembles; a small body is copied once so headers and body leave in one
 * write. A large one is not: a fresh copy of ~200 KB costs more than the extra writes (issue 9).
 */
export function upstreamPayload(body: { chunks: Buffer[]; length: number }): Buffer {
  if (body.chunks.length === 1) return body.chunks[0];
  if (body.length <= JOIN_BODY_LIMIT) return Buffer.concat(body.chunks, body.length);
  // undici takes an iterable body; its types leave that out.
  return body.chunks as unknown as Buffer;
}

/** Reads a whole upstream body, refusing more than `limit` bytes. */
export async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new UpstreamTooLargeError('the response body', limit);
    }
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/**
 * Writes pieces (strings as UTF-8) to the client as one write and waits for the socket to drain when it pushes back.
 * One write is one chunk of the chunked encoding: a write per piece, even corked, framed each of a small stream's ~12
 * events on its own and cost ~20 µs of its time to first byte at c=1.
 */
export async function writeBatch(res: ServerResponse, pieces: Array<Buffer | string>): Promise<void> {
  if (pieces.length === 0) return;
  const ok = res.write(pieces.length === 1 ? pieces[0] : joinPieces(pieces));
  if (!ok && !res.destroyed) await writable(res);
}

/** The pieces as one buffer, strings encoded as UTF-8. */
export function joinPieces(pieces: Array<Buffer | string>): Buffer {
  let size = 0;
  for (const p of pieces) size += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of pieces) at += typeof p === 'string' ? out.write(p, at) : p.copy(out, at);
  return out;
}

/**
 * An upstream error body with the provider key this attempt sent cut out. Some providers echo the key they were given
 * in their 401 message; that text reaches the client, the record and the log, none of which may hold a provider key.
 */
export function withoutKey(text: string, key: string): string {
  return key.length >= 8 && text.includes(key) ? text.split(key).join('[redacted]') : text;
}

export const MAX_ERROR_BODY = 1024 * 1024;
export const MAX_JSON_BODY = 64 * 1024 * 1024;
/** Default `server.upstream_event_limit`: one stream event, and everything a stream sends before its first content. */
export const DEFAULT_UPSTREAM_EVENT_LIMIT = 16 * 1024 * 1024;

export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
