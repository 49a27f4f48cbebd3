/** Anthropic error types by HTTP status, per the Messages API error table. */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicErrorType(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function anthropicErrorBody(status: number, message: string, requestId: string, type = anthropicErrorType(status)): string {
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId });
}

/** Reads `{type:"error", error:{type, message}}` from an upstream body, if it is one. */
export function readAnthropicError(body: string): { type: string; message: string } | null {
  try {
    const parsed = JSON.parse(body) as { error?: { type?: unknown; message?: unknown } };
    if (parsed && typeof parsed.error === 'object' && parsed.error && typeof parsed.error.message === 'string') {
      return { type: typeof parsed.error.type === 'string' ? parsed.error.type : 'api_error', message: parsed.error.message };
    }
  } catch {
    // not JSON: the caller falls back to a generic message
  }
  return null;
}
