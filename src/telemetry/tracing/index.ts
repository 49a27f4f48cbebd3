import type { Logger } from 'pino';
import type { Tracing } from './otlp.js';
import { displayUrl, resolveOtlpTarget, type OtlpConfig } from './target.js';

export type { Tracing } from './otlp.js';
export type { OtlpConfig, OtlpTarget } from './target.js';
export { OtlpEndpointError, resolveOtlpTarget, tracesUrl } from './target.js';
export { traceIdFor, traceIdOf } from './trace-id.js';
export { recordedParent, traceContextEntries, type TraceParent } from './trace-context.js';

/**
 * OpenTelemetry traces for finished requests, or null when no OTLP endpoint is configured. The SDK (~90 ms of module
 * loading) is imported only when an endpoint is set, so a router without tracing pays nothing, at start or per
 * request. Throws OtlpEndpointError for an endpoint that is not an http(s) URL.
 */
export async function createTracing(cfg: OtlpConfig | undefined, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Tracing | null> {
  const target = resolveOtlpTarget(cfg, env);
  if (!target) return null;
  const { OtlpTracing } = await import('./otlp.js');
  log.info({ endpoint: displayUrl(target.url), from: target.source, service: target.serviceName }, 'exporting traces over OTLP/HTTP');
  return new OtlpTracing(target, log);
}
