import { describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../canonical/types.js';
import { decodeGeminiError, encodeGeminiError, parseRetryDelay } from './errors.js';
import { recordedJson, type Loose } from './test-support.js';

const body = (code: number, status: string, message: string, details?: unknown[]) => JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } });

describe('decodeError', () => {
  it('429 RESOURCE_EXHAUSTED with RetryInfo (recorded): rate limit, retry after the delay rounded up', () => {
    const raw = JSON.stringify(recordedJson('gemini--google-429-retry-info.json'));
    expect(decodeGeminiError(429, raw, {})).toEqual({ status: 429, kind: 'rate_limit', message: 'You exceeded your current quota, please check your plan.', retryAfter: 35 });
  });

  it('400 INVALID_ARGUMENT (recorded): the caller’s bad request with the upstream message', () => {
    const raw = JSON.stringify(recordedJson('gemini--google-thinking-level-minimal-unsupported.json'));
    expect(decodeGeminiError(400, raw, {})).toEqual({ status: 400, kind: 'invalid_request', message: 'Thinking level MINIMAL is not supported for this model. Please retry with other thinking level.' });
  });

  it('a bad API key is a 400 on Gemini but an authentication failure for us', () => {
    const raw = body(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
      { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
    ]);
    expect(decodeGeminiError(400, raw, {})).toEqual({ status: 401, kind: 'authentication', message: 'API key not valid. Please pass a valid API key.' });
    // the reason alone is enough
    expect(decodeGeminiError(400, body(400, 'INVALID_ARGUMENT', 'bad key', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }]), {}).kind).toBe('authentication');
  });

  it('maps the status table of wire-formats 5.9.8', () => {
    const cases: Array<[number, string, number, ErrorInfo['kind']]> = [
      [400, 'FAILED_PRECONDITION', 400, 'invalid_request'],
      [401, 'UNAUTHENTICATED', 401, 'authentication'],
      [403, 'PERMISSION_DENIED', 403, 'permission'],
      [404, 'NOT_FOUND', 404, 'not_found'],
      [413, 'INVALID_ARGUMENT', 413, 'request_too_large'],
      [429, 'RESOURCE_EXHAUSTED', 429, 'rate_limit'],
      [499, 'CANCELLED', 499, 'invalid_request'],
      [500, 'INTERNAL', 500, 'api_error'],
      [502, 'UNAVAILABLE', 502, 'api_error'],
      [503, 'UNAVAILABLE', 503, 'overloaded'],
      [504, 'DEADLINE_EXCEEDED', 504, 'timeout'],
    ];
    for (const [http, status, outStatus, kind] of cases) {
      expect(decodeGeminiError(http, body(http, status, `m${http}`), {}), `${http} ${status}`).toEqual({ status: outStatus, kind, message: `m${http}` });
    }
  });

  it('honours a retry-after header (seconds or a date) before RetryInfo', () => {
    const raw = body(429, 'RESOURCE_EXHAUSTED', 'slow down', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }]);
    expect(decodeGeminiError(429, raw, {}).retryAfter).toBe(7);
    expect(decodeGeminiError(429, raw, { 'retry-after': '3' }).retryAfter).toBe(3);
    expect(decodeGeminiError(503, body(503, 'UNAVAILABLE', 'x'), { 'retry-after': [new Date(Date.now() + 10_000).toUTCString()] }).retryAfter).toBeGreaterThanOrEqual(9);
  });

  it('reads the JSON array of the non-SSE streaming endpoint, and non-JSON bodies', () => {
    expect(decodeGeminiError(500, `[${body(500, 'INTERNAL', 'An internal error has occurred.')}]`, {})).toEqual({ status: 500, kind: 'api_error', message: 'An internal error has occurred.' });
    expect(decodeGeminiError(502, '<html>Bad Gateway</html>', {})).toEqual({ status: 502, kind: 'api_error', message: '<html>Bad Gateway</html>' });
    expect(decodeGeminiError(503, '', {})).toEqual({ status: 503, kind: 'overloaded', message: 'Gemini API error (HTTP 503)' });
  });

  it('parses protobuf durations', () => {
    expect(parseRetryDelay('7s')).toBe(7);
    expect(parseRetryDelay('34.4s')).toBe(35);
    expect(parseRetryDelay('0.2s')).toBe(1);
    expect(parseRetryDelay('7')).toBeUndefined();
    expect(parseRetryDelay(7)).toBeUndefined();
  });
});

describe('encodeError', () => {
  it('produces a Gemini error body with the request id and retry information', () => {
    expect(encodeGeminiError({ status: 429, kind: 'rate_limit', message: 'too many', retryAfter: 12 }, 'req_1')).toEqual({
      status: 429,
      body: {
        error: {
          code: 429,
          message: 'too many',
          status: 'RESOURCE_EXHAUSTED',
          details: [
            { '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId: 'req_1' },
            { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' },
          ],
        },
      },
      headers: { 'retry-after': '12' },
    });
  });

  it('uses 503 for overload and marks requests that must not be retried', () => {
    const out = encodeGeminiError({ status: 529, kind: 'overloaded', message: 'busy' }, 'r');
    expect(out.status).toBe(503);
    expect((out.body as Loose).error.status).toBe('UNAVAILABLE');
    expect(encodeGeminiError({ status: 400, kind: 'invalid_request', message: 'cannot translate', noRetry: true }, 'r').headers).toEqual({ 'x-should-retry': 'false' });
    expect(encodeGeminiError({ status: 400, kind: 'invalid_request', message: 'x' }, 'r').headers).toBeUndefined();
  });

  it('round-trips through decodeError', () => {
    const kinds: ErrorInfo[] = [
      { status: 400, kind: 'invalid_request', message: 'a' },
      { status: 401, kind: 'authentication', message: 'b' },
      { status: 402, kind: 'billing', message: 'c' },
      { status: 403, kind: 'permission', message: 'd' },
      { status: 404, kind: 'not_found', message: 'e' },
      { status: 413, kind: 'request_too_large', message: 'f' },
      { status: 429, kind: 'rate_limit', message: 'g', retryAfter: 5 },
      { status: 500, kind: 'api_error', message: 'h' },
      { status: 503, kind: 'overloaded', message: 'i' },
      { status: 504, kind: 'timeout', message: 'j' },
    ];
    for (const err of kinds) {
      const out = encodeGeminiError(err, 'r');
      expect(decodeGeminiError(out.status, JSON.stringify(out.body), out.headers ?? {})).toEqual(err);
    }
  });
});
