import { expect } from 'vitest';
import type { Harness } from '../helpers/harness.js';

/** The admin key the admin API tests configure (`auth.admin_key`). */
export const ADMIN_KEY = 'sk-admin-test-key-0123456789';

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  requestId: string | null;
}

export async function call<T = Record<string, unknown>>(h: Harness, method: string, path: string, opts: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  const key = opts.key === undefined ? ADMIN_KEY : opts.key;
  const headers: Record<string, string> = { ...opts.headers };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${h.url}${path}`, { method, headers, body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, requestId: res.headers.get('x-request-id') };
}

export const get = <T = Record<string, unknown>>(h: Harness, path: string, key?: string | null) => call<T>(h, 'GET', path, { key });

/** A model request through the Anthropic surface; returns the status and the record id. */
export async function message(h: Harness, body: Record<string, unknown>, opts: { key?: string; userAgent?: string } = {}): Promise<{ status: number; id: string }> {
  const res = await fetch(`${h.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': opts.key ?? h.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'user-agent': opts.userAgent ?? 'admin-test/1.0' },
    body: JSON.stringify({ max_tokens: 50, messages: [{ role: 'user', content: 'hello' }], ...body }),
  });
  await res.arrayBuffer();
  return { status: res.status, id: res.headers.get('x-request-id') ?? '' };
}

/**
 * Waits until the records of these request ids are stored. A record is queued when its response has closed on the
 * server side, which can be a moment after the client has read the whole answer.
 */
export async function stored(h: Harness, ids: string[]): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await h.flush();
    const found = await Promise.all(ids.map((id) => h.app.services.store.getRecord(id)));
    if (found.every((r) => r !== null)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`records not stored: ${ids.join(', ')}`);
}

/** The OpenAI error shape with this status and type. */
export function expectError(r: Reply, status: number, type: string, param?: string): void {
  expect(r.status).toBe(status);
  const error = (r.body as { error: Record<string, unknown> }).error;
  expect(Object.keys(r.body)).toEqual(['error']);
  expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(error).toMatchObject({ type, param: param ?? null });
  expect(typeof error.message).toBe('string');
  expect(error.code === null || typeof error.code === 'string').toBe(true);
  expect(r.requestId).toMatch(/^req_/);
}
