import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';
import { defaultAddressPolicy, type AddressPolicy } from './address.js';

export type RemoteFetchErrorCode =
  | 'disabled'
  | 'bad_url'
  | 'refused_address'
  | 'dns'
  | 'too_many_redirects'
  | 'status'
  | 'content_type'
  | 'too_large'
  | 'timeout'
  | 'network';

/** A fetch Switchyard refused or could not complete; `message` is fit for the client (it names the URL's host only). */
export class RemoteFetchError extends Error {
  constructor(
    readonly code: RemoteFetchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteFetchError';
  }
}

/** Resolves a host name to every address it has (tests inject one to play DNS). */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export interface RemoteFetchOptions {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** The whole fetch, every redirect included, in ms. */
  timeoutMs: number;
  /** Redirects followed at most (each hop is checked again). Default 3. */
  maxRedirects?: number;
  policy?: AddressPolicy;
  resolver?: Resolver;
}

export interface FetchedImage {
  mediaType: string;
  data: Buffer;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** `image/png; charset=x` → `image/png`; only raster image types pass (SVG can carry script and external references). */
function imageType(header: string | string[] | undefined): string | null {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return null;
  const type = raw.split(';')[0].trim().toLowerCase();
  if (!/^image\/[a-z0-9.+-]+$/.test(type) || type === 'image/svg+xml') return null;
  return type;
}

/** An undici agent whose every connection goes to `address`, whatever the URL's host resolves to by then. */
function pinnedAgent(address: string, family: number, connectTimeoutMs: number): Agent {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  return new Agent({ connect: { lookup, timeout: connectTimeoutMs }, connections: 1, pipelining: 0 });
}

/** `p`, or `onAbort()` thrown as soon as `signal` fires (a DNS lookup cannot be cancelled, only abandoned). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e as Error);
      },
    );
  });
}

async function drain(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    // Destroying an unfinished undici body emits an abort error; nobody is reading it any more.
    body.on('error', () => undefined);
    body.destroy();
  } catch {
    // nothing left to release
  }
}

/**
 * Fetches an image from a URL a client supplied, as an SSRF-safe client would: the host is resolved here and every
 * address it resolves to must pass the policy (no loopback, private, link-local or metadata address); the connection
 * is pinned to the checked address so a second DNS answer cannot swap it (rebinding); redirects are followed by hand,
 * each hop checked the same way; the body is capped in bytes and the whole fetch in time; only image types pass.
 */
export async function fetchRemoteImage(url: string, opts: RemoteFetchOptions): Promise<FetchedImage> {
  const policy = opts.policy ?? defaultAddressPolicy;
  const resolver = opts.resolver ?? systemResolver;
  const maxRedirects = opts.maxRedirects ?? 3;
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const deadline = Date.now() + opts.timeoutMs;
  const timedOut = () => new RemoteFetchError('timeout', `fetching the image took longer than ${opts.timeoutMs} ms`);
  let current = url;
  for (let hop = 0; ; hop++) {
    let u: URL;
    try {
      u = new URL(current);
    } catch {
      throw new RemoteFetchError('bad_url', 'the image URL is not a valid absolute URL');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RemoteFetchError('bad_url', `the image URL scheme ${u.protocol} is not fetched (only http and https)`);
    if (u.username || u.password) throw new RemoteFetchError('bad_url', 'image URLs with credentials in them are not fetched');
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;

    let addresses: Array<{ address: string; family: number }>;
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
    else {
      try {
        addresses = await untilAborted(resolver(host), signal, timedOut);
      } catch (e) {
        if (e instanceof RemoteFetchError) throw e;
        throw new RemoteFetchError('dns', `the image host ${host} does not resolve`);
      }
      if (addresses.length === 0) throw new RemoteFetchError('dns', `the image host ${host} does not resolve`);
    }
    // Every answer must pass: a host with one public and one private address is refused rather than raced.
    for (const a of addresses) {
      const cls = policy(a.address);
      if (cls) throw new RemoteFetchError('refused_address', `the image host ${host} resolves to a ${cls} address (${a.address}); Switchyard does not fetch from ${cls} addresses`);
    }
    const target = addresses[0];
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw timedOut();
    const agent = pinnedAgent(target.address, target.family, remaining);
    try {
      let resp: Dispatcher.ResponseData;
      try {
        resp = await request(u, { method: 'GET', dispatcher: agent, signal, headers: { accept: 'image/*', 'user-agent': 'switchyard-image-fetch' } });
      } catch (e) {
        if (signal.aborted) throw timedOut();
        throw new RemoteFetchError('network', `the image host ${host} could not be reached (${(e as Error).message})`);
      }
      if (REDIRECTS.has(resp.statusCode)) {
        await drain(resp.body);
        const location = resp.headers.location;
        const next = Array.isArray(location) ? location[0] : location;
        if (!next) throw new RemoteFetchError('status', `the image host ${host} answered ${resp.statusCode} without a location`);
        if (hop >= maxRedirects) throw new RemoteFetchError('too_many_redirects', `the image URL redirects more than ${maxRedirects} times`);
        try {
          current = new URL(next, u).toString();
        } catch {
          throw new RemoteFetchError('bad_url', 'the image URL redirects to an invalid URL');
        }
        continue;
      }
      if (resp.statusCode !== 200) {
        await drain(resp.body);
        throw new RemoteFetchError('status', `the image host ${host} answered ${resp.statusCode}`);
      }
      const mediaType = imageType(resp.headers['content-type']);
      if (!mediaType) {
        await drain(resp.body);
        const got = resp.headers['content-type'];
        throw new RemoteFetchError('content_type', `the image URL returned ${got ? `content type ${String(got).split(';')[0]}` : 'no content type'}; only raster image types are fetched`);
      }
      const declared = Number(resp.headers['content-length']);
      if (declared > opts.maxBytes) {
        await drain(resp.body);
        throw new RemoteFetchError('too_large', `the image is larger than ${opts.maxBytes} bytes`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of resp.body) {
          size += (chunk as Buffer).length;
          if (size > opts.maxBytes) {
            await drain(resp.body);
            throw new RemoteFetchError('too_large', `the image is larger than ${opts.maxBytes} bytes`);
          }
          chunks.push(chunk as Buffer);
        }
      } catch (e) {
        if (e instanceof RemoteFetchError) throw e;
        if (signal.aborted) throw timedOut();
        throw new RemoteFetchError('network', `reading the image from ${host} failed (${(e as Error).message})`);
      }
      return { mediaType, data: Buffer.concat(chunks, size) };
    } finally {
      void agent.destroy().catch(() => undefined);
    }
  }
}
