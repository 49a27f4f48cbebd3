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

/** OpenAI's `{error: {message, type, param, code}}` for an error Switchyard names with its Anthropic type. */
export function openaiErrorBody(status: number, anthropicType: string, message: string, opts: { param?: string | null; code?: string | null } = {}): { status: number; body: string } {
  let type = 'invalid_request_error';
  let code: string | null = opts.code ?? null;
  let outStatus = status;
  switch (anthropicType) {
    case 'authentication_error':
      code ??= 'invalid_api_key';
      break;
    case 'permission_error':
      type = 'permission_error';
      break;
    case 'not_found_error':
      code ??= 'model_not_found';
      break;
    case 'rate_limit_error':
      type = 'rate_limit_error';
      code ??= 'rate_limit_exceeded';
      break;
    case 'billing_error':
      type = 'insufficient_quota';
      code ??= 'insufficient_quota';
      break;
    case 'request_too_large':
      code ??= 'request_too_large';
      break;
    case 'overloaded_error':
      // Some OpenAI clients do not know 529.
      type = 'server_error';
      code ??= 'overloaded';
      if (outStatus === 529) outStatus = 503;
      break;
    case 'timeout_error':
      type = 'server_error';
      code ??= 'timeout';
      break;
    case 'api_error':
      type = 'server_error';
      break;
  }
  return { status: outStatus, body: JSON.stringify({ error: { message, type, param: opts.param ?? null, code } }) };
}

/** Ends the request with an error in the caller's API format and notes it for the record. */
export function sendError(
  ctx: RequestContext,
  status: number,
  message: string,
  opts: { type?: string; errorClass?: string; headers?: Record<string, string>; param?: string; code?: string } = {},
): void {
  const type = opts.type ?? anthropicErrorType(status);
  const headers = { 'x-request-id': ctx.id, ...opts.headers };
  if (ctx.api === 'openai') {
    const out = openaiErrorBody(status, type, message, { param: opts.param, code: opts.code });
    ctx.fail(out.status, opts.errorClass ?? type, message);
    sendJson(ctx.res, out.status, out.body, headers);
    return;
  }
  ctx.fail(status, opts.errorClass ?? type, message);
  sendJson(ctx.res, status, anthropicErrorBody(status, message, ctx.id, type), headers);
}
