import type { ErrorKind } from './types.js';

/** Canonical error kind of an upstream HTTP status, for every wire format (wire-formats 2.3 and 5.9.8). */
export function errorKindForStatus(status: number): ErrorKind {
  switch (status) {
    case 401:
      return 'authentication';
    case 402:
      return 'billing';
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 408:
    case 504:
      return 'timeout';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit';
    case 503:
    case 529:
      return 'overloaded';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request';
  }
}
