import { z } from 'zod';

/**
 * Per-key limits as the config (`limits.default`, `auth.keys[].limits`), the CLI (`--limit name=value`) and the
 * `client_keys.limits` column spell them. A field left out inherits from the level below (the key's stored limits over
 * the config key's, over `limits.default`); `null` lifts an inherited limit.
 */
export const keyLimitsSchema = z.strictObject({
  requests_per_minute: z.number().int().positive().nullable().optional(),
  tokens_per_minute: z.number().int().positive().nullable().optional(),
  concurrent_requests: z.number().int().positive().nullable().optional(),
  usd_per_day: z.number().positive().nullable().optional(),
  usd_per_month: z.number().positive().nullable().optional(),
});

export type KeyLimitsInput = z.output<typeof keyLimitsSchema>;

export const LIMIT_NAMES = ['requests_per_minute', 'tokens_per_minute', 'concurrent_requests', 'usd_per_day', 'usd_per_month'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** Parses stored JSON (the `client_keys.limits` column) leniently: anything malformed reads as "no limits of its own". */
export function parseStoredLimits(raw: unknown): KeyLimitsInput | null {
  if (raw === null || raw === undefined) return null;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      return null;
    }
  }
  const parsed = keyLimitsSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
