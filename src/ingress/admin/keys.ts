import { z } from 'zod';
import type { Services } from '../../app-types.js';
import { createClientKey } from '../../auth/index.js';
import { keyLimitsSchema } from '../../limits/index.js';
import { BodyTooLargeError, readBody } from '../body.js';
import type { RequestContext } from '../context.js';
import { keyJson, keyUsageJson } from './present.js';
import { requireAdmin } from './require-admin.js';
import { sendAdminJson, sendBadRequest, sendNotFound } from './respond.js';
import { sendError } from '../respond.js';
import { pathId } from './url.js';

const USAGE_WINDOW_MS = 30 * 86_400_000;
/** Key bodies are tiny; no reason to accept the model endpoints' limit. */
const BODY_LIMIT = 16 * 1024;

/** The same names the CLI accepts (`switchyard keys create <name>`). */
const createSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use letters, digits, . _ - (max 64, starting with a letter or digit)'),
  permissions: z.array(z.enum(['routers:write', 'admin'])).default([]),
  /** Per-key limits (docs/configuration.md#limits), stored with the key. */
  limits: keyLimitsSchema.optional(),
});

/** `GET /admin/v1/keys`: every client key, revoked ones too, with its last 30 days of use. */
export async function handleListKeys(svc: Services, ctx: RequestContext): Promise<void> {
  if (!requireAdmin(svc, ctx)) return;
  const [keys, usage] = await Promise.all([svc.store.listKeys({ includeRevoked: true }), svc.store.keyUsage(Date.now() - USAGE_WINDOW_MS)]);
  const byId = new Map(usage.map((u) => [u.keyId, u]));
  sendAdminJson(ctx, 200, { data: keys.map((k) => ({ ...keyJson(k), usage: keyUsageJson(byId.get(k.id)) })) });
}

/** `POST /admin/v1/keys`: a new random key, returned in this response only (the store keeps its keyed hash). */
export async function handleCreateKey(svc: Services, ctx: RequestContext): Promise<void> {
  if (!requireAdmin(svc, ctx)) return;
  let raw: Buffer;
  try {
    raw = await readBody(ctx.req, BODY_LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return sendError(ctx, 413, `Request body is too large: the limit is ${BODY_LIMIT} bytes.`, { type: 'request_too_large' });
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    return sendBadRequest(ctx, `The body is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = createSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue.path.map(String).join('.') || undefined;
    return sendBadRequest(ctx, `Invalid key${param ? ` field "${param}"` : ''}: ${issue.message}. Expected {"name": "ci", "permissions": ["routers:write"]}.`, param);
  }
  const permissions = [...new Set(parsed.data.permissions)];
  const { key, record } = await createClientKey(svc.store, parsed.data.name, permissions, 'api', parsed.data.limits ?? null);
  // Applied here at once (and announced to other instances); the reload then also overrides any refresh that was
  // already in flight and read the keys before this write.
  svc.keys.noteCreated(record);
  await svc.keys.reload();
  svc.log.info({ keyId: record.id, name: record.name, permissions }, 'client key created through the admin API');
  sendAdminJson(ctx, 201, { ...keyJson(record), key });
}

/** `DELETE /admin/v1/keys/{id}`: revokes the key with that id (or the newest active key with that name). */
export async function handleRevokeKey(svc: Services, ctx: RequestContext): Promise<void> {
  if (!requireAdmin(svc, ctx)) return;
  const id = pathId(ctx);
  if (id === null) return sendBadRequest(ctx, 'The key id in the path is not valid percent-encoding.', 'id');
  const revoked = await svc.store.revokeKey(id);
  if (!revoked) return sendNotFound(ctx, `No active client key with id or name "${id}".`);
  svc.keys.noteRevoked(revoked);
  await svc.keys.reload();
  svc.log.info({ keyId: revoked.id, name: revoked.name }, 'client key revoked through the admin API');
  sendAdminJson(ctx, 200, keyJson(revoked));
}
