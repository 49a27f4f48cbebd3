import type { Services } from '../../app-types.js';
import type { RequestContext } from '../context.js';
import { requireAdmin } from './require-admin.js';
import { sendAdminJson } from './respond.js';

/** `GET /admin/v1/stats`: this instance's live TTFT and throughput per provider and model (what `auto` ranks by). */
export async function handleStats(svc: Services, ctx: RequestContext): Promise<void> {
  if (!requireAdmin(svc, ctx)) return;
  const opts = svc.stats.options;
  const data = svc.stats.snapshot().map((e) => ({
    provider: e.provider,
    model: e.model,
    ttft_p50_ms: e.ttftP50,
    throughput_p50_tokens_per_s: e.throughputP50,
    samples: e.samples,
    failures: e.failures,
  }));
  sendAdminJson(ctx, 200, { data, window: { samples: opts.window, min_samples: opts.minSamples, max_age_ms: opts.maxAgeMs } });
}
