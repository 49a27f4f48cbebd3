import type { Services } from '../../app-types.js';
import { InvalidQueryError } from '../../store/index.js';
import type { RequestContext } from '../context.js';
import { detailJson, summaryJson } from './present.js';
import { parseListQuery } from './query.js';
import { requireAdmin } from './require-admin.js';
import { sendAdminJson, sendBadRequest, sendNotFound } from './respond.js';
import { pathId, requestUrl } from './url.js';

/** `GET /admin/v1/requests`: records newest first, filtered, paged by an opaque cursor. */
export async function handleListRequests(svc: Services, ctx: RequestContext): Promise<void> {
  if (!requireAdmin(svc, ctx)) return;
  const q = parseListQuery(requestUrl(ctx));
  if (!q.ok) return sendBadRequest(ctx, q.message, q.param);
  let page;
  try {
    page = await svc.store.queryRecords(q.value.filter, { limit: q.value.limit, cursor: q.value.cursor });
  } catch (err) {
    if (err instanceof InvalidQueryError) return sendBadRequest(ctx, err.message, err.param);
    throw err;
  }
  sendAdminJson(ctx, 200, { data: page.records.map(summaryJson), next_cursor: page.nextCursor });
}

/** `GET /admin/v1/requests/{id}`: one record with its attempts, routing decision, metadata and bodies. */
export async function handleGetRequest(svc: Services, ctx: RequestContext): Promise<void> {
  if (!requireAdmin(svc, ctx)) return;
  const id = pathId(ctx);
  if (id === null) return sendBadRequest(ctx, 'The request id in the path is not valid percent-encoding.', 'id');
  const record = await svc.store.getRecord(id);
  // A record is written shortly after its request ends (in batches); a very recent id may not be stored yet.
  if (!record) return sendNotFound(ctx, `No record with id "${id}". Records are stored a moment after their request ends and kept for telemetry.records.retention.`);
  sendAdminJson(ctx, 200, detailJson(record));
}
