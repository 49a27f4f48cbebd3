/** `telemetry.otlp` as parsed from the config file. */
export interface OtlpConfig {
  endpoint?: string;
  headers?: Record<string, string>;
  service_name?: string;
}

/** Where and how spans are exported; `headers` may hold vendor API keys and must never be logged. */
export interface OtlpTarget {
  /** The full traces URL (`.../v1/traces`). */
  url: string;
  /** Where the endpoint came from, for the start-up log line. */
  source: 'config' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_EXPORTER_OTLP_ENDPOINT';
  headers: Record<string, string>;
  serviceName: string;
}

export class OtlpEndpointError extends Error {}

/**
 * The export target, or null when no endpoint is configured (tracing off). The config's endpoint wins; without one
 * the standard variables apply as the OpenTelemetry spec defines them: the traces-specific one is the full URL, the
 * generic one a base URL that gets `/v1/traces`. An empty value counts as unset, so `${VAR:-}` in the config can
 * switch tracing off.
 */
export function resolveOtlpTarget(cfg: OtlpConfig | undefined, env: NodeJS.ProcessEnv): OtlpTarget | null {
  const headers = cfg?.headers ?? {};
  const serviceName = cfg?.service_name || env.OTEL_SERVICE_NAME || 'switchyard';
  if (cfg?.endpoint) return { url: tracesUrl(cfg.endpoint, 'config'), source: 'config', headers, serviceName };
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (traces) return { url: checkedUrl(traces, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT').href, source: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', headers, serviceName };
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (base) return { url: tracesUrl(base, 'OTEL_EXPORTER_OTLP_ENDPOINT'), source: 'OTEL_EXPORTER_OTLP_ENDPOINT', headers, serviceName };
  return null;
}

/** A base URL becomes `<base>/v1/traces`; one that already names the traces path is kept. */
export function tracesUrl(endpoint: string, source: string): string {
  const url = checkedUrl(endpoint, source);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/v1/traces') ? path : path + '/v1/traces';
  return url.href;
}

function checkedUrl(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OtlpEndpointError(`${source}: not a URL: ${displayUrl(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OtlpEndpointError(`${source}: OTLP/HTTP needs an http or https URL`);
  return url;
}

/** The URL without credentials or query (some vendors take a key there), fit for a log line. */
export function displayUrl(value: string): string {
  try {
    const url = new URL(value);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.href;
  } catch {
    return '(invalid URL)';
  }
}
