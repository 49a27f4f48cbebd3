import { z } from 'zod';
import { parseDuration, parseSize } from '../util/duration.js';
import { keyLimitsSchema } from '../limits/schema.js';
import { parseCidr } from '../providers/remote-fetch/address.js';

const duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const size = z.union([z.number(), z.string()]).transform((v, ctx) => {
  try {
    return parseSize(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

export const timeoutsSchema = z.strictObject({
  connect: duration.optional(),
  ttft: duration.optional(),
  idle: duration.optional(),
  total: duration.optional(),
});

const modelEntrySchema = z.union([
  z.string().min(1),
  z.strictObject({
    id: z.string().min(1),
    context: z.number().int().positive().optional(),
    max_output: z.number().int().positive().optional(),
    price: z
      .strictObject({
        input: z.number().nonnegative().optional(),
        output: z.number().nonnegative().optional(),
        cache_read: z.number().nonnegative().optional(),
        cache_write: z.number().nonnegative().optional(),
      })
      .optional(),
  }),
]);

export const quirksSchema = z.strictObject({
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  systemRole: z.enum(['system', 'developer']).optional(),
  stringContentOnly: z.boolean().optional(),
  stripSchemaKeyword: z.boolean().optional(),
  toolCallIdStyle: z.enum(['any', 'alnum9']).optional(),
  reasoningField: z.enum(['reasoning_content', 'reasoning']).optional(),
  replayReasoningContent: z.boolean().optional(),
  reasoningRequest: z.enum(['reasoning_effort', 'reasoning_object', 'none']).optional(),
  streamUsage: z.boolean().optional(),
  cacheControl: z.boolean().optional(),
  omitEmptyTools: z.boolean().optional(),
  noToolChoice: z.boolean().optional(),
  noSampling: z.boolean().optional(),
  maxStop: z.number().int().positive().optional(),
  geminiSchemaField: z.enum(['parametersJsonSchema', 'parameters']).optional(),
  normalizeResponses: z.boolean().optional(),
});

export const providerConfigSchema = z
  .strictObject({
    format: z.enum(['anthropic', 'openai', 'gemini']).optional(),
    api_key: z.string().min(1).optional(),
    api_keys: z.array(z.string().min(1)).min(1).optional(),
    base_url: z.url({ protocol: /^https?$/ }).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    timeouts: timeoutsSchema.optional(),
    models: z.array(modelEntrySchema).optional(),
    enabled: z.boolean().optional(),
    /** Dialect flags of an OpenAI-compatible (or Gemini) endpoint; see docs/configuration.md. */
    quirks: quirksSchema.optional(),
  })
  .refine((p) => !(p.api_key && p.api_keys), { message: 'give either api_key or api_keys, not both' });

const redisUrl = z.string().regex(/^rediss?:\/\/\S+$/, 'expected a URL such as redis://host:6379 (rediss:// for TLS)');

export const permissionSchema = z.enum(['routers:write', 'admin']);

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      body_limit: size.default(32 * 1024 * 1024),
      /** Memory kept in free buffers for reuse by large request bodies (src/ingress/body-pool.ts); 0 turns it off. */
      body_pool: size.default(8 * 1024 * 1024),
      shutdown_grace: duration.default(10_000),
      /** HTTPS instead of HTTP: PEM certificate (chain) and private key files (docs/security.md). */
      tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
      /**
       * `host:port` of a second listener for /admin/v1 and /portal; when set they are served only there, not on the
       * main port (docs/security.md).
       */
      admin_bind: z
        .string()
        .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9091')
        .optional(),
      /** Largest single upstream stream event, and largest upstream JSON body, held in memory (hostile providers). */
      upstream_event_limit: size.default(16 * 1024 * 1024),
      upstream_body_limit: size.default(64 * 1024 * 1024),
    })
    .prefault({}),
  /** Fetching image URLs on a client's behalf (Gemini needs remote images inline); docs/security.md. */
  remote_fetch: z
    .strictObject({
      enabled: z.boolean().default(true),
      max_bytes: size.default(10 * 1024 * 1024),
      timeout: duration.default(10_000),
      /** Private addresses or CIDR ranges fetched anyway (an internal image server); empty by default. */
      allow_addresses: z
        .array(
          z.string().refine((v) => {
            try {
              parseCidr(v);
              return true;
            } catch {
              return false;
            }
          }, 'expected an IP address or CIDR range'),
        )
        .default([]),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** GET /metrics needs a key: the scrape key below or the admin key. */
      require_key: z.boolean().default(false),
      /** A key that may read /metrics and nothing else, for the Prometheus scraper (at least 16 characters). */
      key: z.string().min(16, 'metrics.key must be at least 16 characters').optional(),
    })
    .prefault({})
    .refine((m) => !m.key || m.require_key, { message: 'metrics.key is only used with require_key: true' }),
  storage: z
    .union([
      z.strictObject({ sqlite: z.string().min(1) }),
      z.strictObject({ postgres: z.string().min(1) }),
    ])
    .optional(),
  /**
   * Shared state across instances (docs/deployment.md): a URL, or `{url, prefix}` where `prefix` namespaces every
   * Redis key and channel (default "switchyard"), so several deployments (or parallel test runs) can share one Redis.
   */
  redis: z
    .union([redisUrl, z.strictObject({ url: redisUrl, prefix: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$/, 'letters, digits, : . _ - (max 64)').default('switchyard') })])
    .transform((v) => (typeof v === 'string' ? { url: v, prefix: 'switchyard' } : v))
    .optional(),
  /** Per-key limits (docs/configuration.md#limits); `limits.default` applies to every client key. */
  limits: z.strictObject({ default: keyLimitsSchema.optional() }).prefault({}),
  auth: z
    .strictObject({
      admin_key: z.string().min(16, 'admin_key must be at least 16 characters').optional(),
      /**
       * Failed authentications one address may make in a burst, earned back over `window`; then 429 with
       * retry-after (docs/security.md). `max_failures: 0` turns it off.
       */
      failure_throttle: z
        .strictObject({ max_failures: z.number().int().min(0).default(10), window: duration.default(60_000) })
        .prefault({}),
      keys: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (max 64)'),
            key: z.string().min(16, 'a client key must be at least 16 characters'),
            permissions: z.array(permissionSchema).default([]),
            limits: keyLimitsSchema.optional(),
          }),
        )
        .default([]),
    })
    .prefault({}),
  providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'provider names are lower-case letters, digits and -'), providerConfigSchema).default({}),
  aliases: z.record(z.string().min(1), z.string().min(1)).default({}),
  routers: z.array(z.unknown()).default([]),
  failover: z
    .strictObject({
      max_attempts: z.number().int().min(1).max(20).default(4),
      timeouts: timeoutsSchema.prefault({}),
      /** Start the next candidate in parallel when a stream has no first token after this long. */
      hedge_after: duration.optional(),
      /** Circuit breaker policy per (provider, model, key); see docs/failover.md. */
      breaker: z
        .strictObject({
          consecutiveFailures: z.number().int().min(1).optional(),
          errorRate: z.number().gt(0).max(1).optional(),
          minRequests: z.number().int().min(1).optional(),
          windowMs: duration.optional(),
          cooldownMs: duration.optional(),
          maxCooldownMs: duration.optional(),
          halfOpenProbes: z.number().int().min(1).optional(),
        })
        .optional(),
    })
    .prefault({}),
  telemetry: z
    .strictObject({
      records: z
        .strictObject({
          /** false: requests get no record at all (nothing queued or stored; metrics still count them). */
          enabled: z.boolean().default(true),
          flush_interval: duration.default(200),
          queue_limit: z.number().int().min(100).default(50_000),
          bodies: z.boolean().default(false),
          /** Each stored body is cut at this many bytes. */
          body_max_bytes: size.default(256 * 1024),
          /** Records older than this are deleted (hourly); 0 keeps them forever. */
          retention: duration.default(30 * 86_400_000),
        })
        .prefault({}),
      log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /**
       * OpenTelemetry traces over OTLP/HTTP (docs/observability.md). Off without an endpoint here or in
       * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT; an empty string (`${VAR:-}`) counts as none.
       */
      otlp: z
        .strictObject({
          /** Base URL; spans go to `<endpoint>/v1/traces` unless it already ends so. */
          endpoint: z.union([z.literal(''), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })]).optional(),
          /** Sent with every export (vendor API keys); never logged. */
          headers: z.record(z.string(), z.string()).optional(),
          /** `service.name` of the spans; default OTEL_SERVICE_NAME, else "switchyard". */
          service_name: z.string().min(1).optional(),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type ProviderConfig = z.output<typeof providerConfigSchema>;
export type TimeoutsConfig = z.output<typeof timeoutsSchema>;
