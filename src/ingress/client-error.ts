import type { Socket } from 'node:net';
import type { Services } from '../app-types.js';
import { anthropicErrorBody } from '../formats/anthropic/errors.js';
import { newRequestId } from '../util/ids.js';
import { openaiErrorBody } from './respond.js';

const ENDPOINTS: Array<[string, string]> = [
  ['/v1/messages/count_tokens', 'count_tokens'],
  ['/v1/messages', 'messages'],
  ['/v1/chat/completions', 'chat_completions'],
];

/**
 * Answers a request Node's HTTP parser refused before any handler saw it (a CR or LF injected into a header value,
 * a malformed request line, headers too large) with an error in the format its path suggests, and records it, instead
 * of Node's bare "400 Bad Request". The connection is closed: after a parse error its framing cannot be trusted.
 */
export function answerClientError(svc: Services, err: Error & { code?: string; rawPacket?: Buffer }, socket: Socket): void {
  // As Node's own handler: once an answer has started on this connection, another one would corrupt it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const head = err.rawPacket ? err.rawPacket.subarray(0, 256).toString('latin1') : '';
  const path = /^[A-Z]+ (\S+)/.exec(head)?.[1]?.split('?')[0] ?? '';
  const api = path.startsWith('/v1/chat') ? 'openai' : 'anthropic';
  const endpoint = ENDPOINTS.find(([p]) => path === p)?.[1] ?? 'unknown';
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message =
    status === 431 ? 'Request headers are too large.' : status === 408 ? 'The request took too long to arrive.' : `Malformed HTTP request (${err.code ?? 'parse error'}): header values must not contain CR, LF or NUL.`;
  const id = newRequestId();
  const body = api === 'openai' ? openaiErrorBody(status, 'invalid_request_error', message).body : anthropicErrorBody(status, message, id, 'invalid_request_error');
  socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${id}\r\nconnection: close\r\n\r\n${body}`);
  if (status === 408) return;
  svc.recorder.add({
    id,
    time: Date.now(),
    keyId: null,
    keyName: null,
    api,
    endpoint,
    client: null,
    requestedModel: null,
    model: null,
    provider: null,
    status,
    errorClass: 'malformed_http',
    error: message,
    stream: false,
    stopReason: null,
    usage: null,
    costUsd: null,
    overheadMs: null,
    ttftMs: null,
    generationMs: null,
    durationMs: 0,
    attempts: [],
    routing: null,
    metadata: null,
    bodies: null,
  });
}
