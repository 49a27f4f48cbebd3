import type { RequestContext } from '../context.js';
import { sendError, sendJson } from '../respond.js';

export function sendAdminJson(ctx: RequestContext, status: number, body: unknown): void {
  ctx.status = status;
  sendJson(ctx.res, status, JSON.stringify(body), { 'x-request-id': ctx.id });
}

/** 400 in the OpenAI error shape, naming the offending parameter when there is one. */
export function sendBadRequest(ctx: RequestContext, message: string, param?: string): void {
  sendError(ctx, 400, message, { type: 'invalid_request_error', param });
}

export function sendNotFound(ctx: RequestContext, message: string): void {
  sendError(ctx, 404, message, { type: 'not_found_error', code: 'not_found' });
}
