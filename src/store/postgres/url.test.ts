import { describe, expect, it } from 'vitest';
import { describePostgresUrl, isPostgresUrl } from './url.js';

describe('describePostgresUrl', () => {
  it('hides the password and the query string', () => {
    expect(describePostgresUrl('postgres://sy:hunter2@db.internal:5432/switchyard?sslmode=require&password=x')).toBe('postgres://sy:***@db.internal:5432/switchyard');
    expect(describePostgresUrl('postgresql://sy@127.0.0.1/switchyard')).toBe('postgresql://sy@127.0.0.1/switchyard');
  });

  it('says nothing of a value it cannot parse or that is not a PostgreSQL URL', () => {
    expect(describePostgresUrl('host=db password=hunter2')).toBe('the configured PostgreSQL URL');
    expect(describePostgresUrl('mysql://u:hunter2@h/db')).toBe('the configured PostgreSQL URL');
  });
});

describe('isPostgresUrl', () => {
  it('accepts both schemes', () => {
    expect(isPostgresUrl('postgres://h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://h/db')).toBe(true);
    expect(isPostgresUrl('sqlite://x')).toBe(false);
    expect(isPostgresUrl('host=h')).toBe(false);
  });
});
