/**
 * A PostgreSQL URL as it may be shown: scheme, user, host, port and database, without the password or the query
 * string (which may carry `password=` or key material). Configured URLs must never be logged whole.
 */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return 'the configured PostgreSQL URL';
    if (u.password) u.password = '***';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return 'the configured PostgreSQL URL';
  }
}

/** Whether a `storage.postgres` value looks like a URL this backend accepts. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}
