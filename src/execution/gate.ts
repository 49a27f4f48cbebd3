import type { AttemptRecord } from '../telemetry/record.js';
import type { Provider, ProviderRegistry } from '../providers/registry.js';
import type { BreakerKey, CircuitBreakers } from './breakers/index.js';
import { isFailoverStatus } from './attempt.js';

export type Gate =
  | { allowed: true; key: string; breaker: BreakerKey; probe: boolean; openedAt: number }
  | { allowed: false; breaker: BreakerKey; retryInMs: number };

/**
 * Picks the provider key for an attempt and asks its circuit breaker (per provider, model and key) whether a request
 * may be sent. The breaker key names the provider key by position, never by its value.
 */
export function openGate(breakers: CircuitBreakers, registry: ProviderRegistry, provider: Provider, model: string): Gate {
  const key = registry.nextKey(provider);
  const breaker: BreakerKey = { provider: provider.name, model, key: `key${Math.max(provider.keys.indexOf(key), 0)}` };
  const verdict = breakers.acquire(breaker);
  if (!verdict.allowed) return { allowed: false, breaker, retryInMs: verdict.retryInMs };
  return { allowed: true, key, breaker, probe: verdict.probe, openedAt: performance.now() };
}

/** The attempt record of a request skipped because its circuit is open (no request was sent). */
export function skippedAttempt(provider: string, model: string, retryInMs: number): AttemptRecord {
  return { provider, model, status: null, success: false, errorClass: 'circuit_open', error: `circuit open for ${provider}/${model}; next probe in ${Math.ceil(retryInMs / 1000)} s`, ttftMs: null, durationMs: 0 };
}

/**
 * Tells the breaker how the attempt ended: success closes, a failure another provider could fix counts against it,
 * and anything that says nothing about the provider (the caller's own 4xx, the client leaving) counts nothing.
 */
export function settleGate(breakers: CircuitBreakers, gate: Gate, attempt: AttemptRecord | undefined, requestStart: number): void {
  if (!gate.allowed) return;
  if (attempt) {
    // For the record: which provider key (by position) and when, relative to the request, the attempt began.
    attempt.keyId = gate.breaker.key;
    attempt.startMs = Math.round((gate.openedAt - requestStart) * 100) / 100;
  }
  // The caller's own doing (gone, untranslatable, an image URL it may not use) says nothing about the provider.
  if (!attempt || attempt.errorClass === 'client_closed' || attempt.errorClass === 'translation_error' || attempt.errorClass?.startsWith('remote_fetch_')) {
    breakers.release(gate.breaker, gate.probe);
  } else if (attempt.success) {
    breakers.success(gate.breaker, gate.probe);
  } else if (attempt.status !== null && !isFailoverStatus(attempt.status)) {
    breakers.release(gate.breaker, gate.probe);
  } else {
    breakers.failure(gate.breaker, gate.probe, attempt.errorClass ?? 'error');
  }
}
