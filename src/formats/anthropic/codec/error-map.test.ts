import { describe, expect, it } from 'vitest';
import { codecFor } from '../../index.js';
import { kindForStatus, kindForType, statusForType } from './error-map.js';

describe('Anthropic error types from upstream', () => {
  // Regression: the type was looked up in a plain object, so `valueOf` found Object.prototype.valueOf and the
  // stream decoder threw a TypeError on `{"type":"error","error":{"type":"valueOf"}}` (found by test/security/fuzz).
  it('names of Object.prototype members are unknown types, not crashes', () => {
    for (const type of ['valueOf', 'constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(statusForType(type)).toBe(500);
      expect(kindForType(type, 503)).toBe(kindForStatus(503));
    }
  });

  it('known types keep their status and kind', () => {
    expect(statusForType('overloaded_error')).toBe(529);
    expect(kindForType('rate_limit_error', 200)).toBe('rate_limit');
  });

  it('an in-stream error event with such a type becomes an api_error event', () => {
    const d = codecFor('anthropic').streamDecoder({ provider: 'p', model: 'm' });
    const events = d.push('error', JSON.stringify({ type: 'error', error: { type: 'valueOf', message: 'odd' } }));
    expect(events).toEqual([{ type: 'error', error: { status: 500, kind: 'api_error', message: 'odd' } }]);
  });
});
