import { errors as undiciErrors } from 'undici';
import { SseTooLargeError } from '../formats/sse/index.js';
import { UpstreamInvalidResponseError, UpstreamTooLargeError } from './io.js';

/** Statuses after which another provider may answer (SPEC section 6); anything else is the caller's own error. */
export function isFailoverStatus(status: number): boolean {
  return status === 401 || status === 403 || status === 408 || status === 409 || status === 429 || status >= 500;
}

export interface TransportFailure {
  errorClass: 'connect_error' | 'connect_timeout' | 'timeout' | 'upstream_reset' | 'upstream_too_large' | 'upstream_invalid_response' | 'client_closed';
  message: string;
}

/** Names a network-level failure without leaking anything from the request (keys, bodies). */
export function classifyTransportError(err: unknown, providerName: string): TransportFailure {
  const e = err as NodeJS.ErrnoException & { name?: string };
  if (e instanceof undiciErrors.ConnectTimeoutError) return { errorClass: 'connect_timeout', message: `connecting to provider ${providerName} timed out` };
  if (e?.name === 'TimeoutError') return { errorClass: 'timeout', message: `provider ${providerName} did not answer in time` };
  if (e?.name === 'AbortError' || e instanceof undiciErrors.RequestAbortedError) return { errorClass: 'client_closed', message: 'the client closed the connection' };
  // A hostile or broken upstream's oversized event or body: cut off before it could exhaust memory.
  if (e instanceof UpstreamTooLargeError || e instanceof SseTooLargeError) return { errorClass: 'upstream_too_large', message: `provider ${providerName} sent too much: ${e.message}` };
  if (e instanceof UpstreamInvalidResponseError) return { errorClass: 'upstream_invalid_response', message: e.message };
  const code = e?.code ?? (e?.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { errorClass: 'connect_error', message: `could not connect to provider ${providerName} (${code})` };
  }
  return { errorClass: 'upstream_reset', message: `connection to provider ${providerName} failed (${code ?? e?.name ?? 'error'})` };
}

/** A provider refusing Switchyard's own credentials (401/403) is the operator's problem, not the caller's: said so in a 502. */
export function upstreamAuthMessage(provider: string, status: number, message: string): string {
  return `provider ${provider} rejected Switchyard's credentials (${status}): ${message}`;
}
