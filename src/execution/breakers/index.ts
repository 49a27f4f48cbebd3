export {
  CircuitBreakers,
  DEFAULT_BREAKER_POLICY,
  REMOTE_REASON,
  WINDOW_BUCKETS,
  resolveBreakerPolicy,
  type AcquireResult,
  type BreakerChangeListener,
  type BreakerKey,
  type BreakerPolicy,
  type BreakerSnapshot,
  type BreakerState,
  type CircuitBreakersOptions,
} from './breakers.js';
