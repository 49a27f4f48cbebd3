import type { Services } from '../../app-types.js';
import { InvalidQueryError } from '../../store/index.js';
import type { RequestContext } from '../context.js';
import { aggregateRowJson, iso } from './present.js';
import { BUCKETS, parseUsageQuery } from './query.js';
import { requireAdmin } from './require-admin.js';
import { sendAdminJson, sendBadRequest } from './respond.js';
import { requestUrl } from './url.js';

/** `GET /admin/v1/usage`: requests, errors, tokens, cost and latency percentiles per time bucket x one dimension. */
export async function handleUsage(svc: Services, ctx: RequestContext): Promise<void> {
  if (!requireAdmin(svc, ctx)) return;
  const q = parseUsageQuery(requestUrl(ctx), Date.now());
  if (!q.ok) return sendBadRequest(ctx, q.message, q.param);
  const { filter, bucket, groupBy } = q.value;
  let result;
  try {
    result = await svc.store.aggregateRecords(filter, { bucketMs: BUCKETS[bucket], groupBy });
  } catch (err) {
    if (err instanceof InvalidQueryError) return sendBadRequest(ctx, err.message, err.param);
    throw err;
  }
  sendAdminJson(ctx, 200, {
    bucket,
    group_by: groupBy,
    from: iso(filter.from),
    to: iso(filter.to),
    data: result.rows.map((r) => aggregateRowJson(r, true)),
    totals: aggregateRowJson(result.totals, false),
  });
}
