/** Per-key limits (SPEC section 8): requests and tokens per minute, concurrent requests, USD budgets. The only entry point of src/limits. */
export { KeyLimiter, humanDuration, usd, type KeyLimiterOptions, type LimitDecision, type LimitedKey } from './limiter.js';
export { LocalLimits } from './local.js';
export { BudgetSeeder, periodStart, type RecordedSpend } from './seed.js';
export { RedisLimits, type RedisLimitsOptions } from './redis.js';
export { keyLimitsSchema, parseStoredLimits, LIMIT_NAMES, type KeyLimitsInput, type LimitName } from './schema.js';
export { periodsOf, periodEndsIn, toNano, NANO_PER_USD, type Admission, type AdmitInput, type LimitBackend, type ResolvedLimits, type Ticket } from './types.js';
