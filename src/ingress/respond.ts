import type { ServerResponse } from 'node:http';
import { anthropicErrorBody, anthropicErrorType } from '../formats/anthropic/errors.js';
import type { RequestContext } from './context.js';

export function sendJson(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Ends the request with an error in the caller's API format and notes it for the record. */
export function sendError(
  ctx: RequestContext,
  status: number,
  message: string,
  opts: { type?: string; errorClass?: string; headers?: Record<string, string> } = {},
): void {
  const type = opts.type ?? anthropicErrorType(status);
  ctx.fail(status, opts.errorClass ?? type, message);
  const headers = { 'x-request-id': ctx.id, ...opts.headers };
  // OpenAI-format errors arrive with the OpenAI surface (next issue); every current surface speaks Anthropic.
  sendJson(ctx.res, status, anthropicErrorBody(status, message, ctx.id, type), headers);
}
