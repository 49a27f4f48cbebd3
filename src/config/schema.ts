import { z } from 'zod';
import { parseDuration, parseSize } from '../util/duration.js';

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

export const permissionSchema = z.enum(['routers:write', 'admin']);

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      body_limit: size.default(32 * 1024 * 1024),
      shutdown_grace: duration.default(10_000),
    })
    .prefault({}),
  storage: z
    .union([
      z.strictObject({ sqlite: z.string().min(1) }),
      z.strictObject({ postgres: z.string().min(1) }),
    ])
    .optional(),
  redis: z.string().min(1).optional(),
  auth: z
    .strictObject({
      admin_key: z.string().min(16, 'admin_key must be at least 16 characters').optional(),
      keys: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (max 64)'),
            key: z.string().min(16, 'a client key must be at least 16 characters'),
            permissions: z.array(permissionSchema).default([]),
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
          flush_interval: duration.default(200),
          queue_limit: z.number().int().min(100).default(50_000),
          bodies: z.boolean().default(false),
        })
        .prefault({}),
      log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type ProviderConfig = z.output<typeof providerConfigSchema>;
export type TimeoutsConfig = z.output<typeof timeoutsSchema>;
