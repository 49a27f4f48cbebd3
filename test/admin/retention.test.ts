import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/index.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { RequestRecord } from '../../src/telemetry/record.js';
import { minimalRecord } from '../helpers/records.js';

const DAY = 86_400_000;

function record(id: string, time: number): RequestRecord {
  return { ...minimalRecord(id), time, endpoint: 'messages', requestedModel: null, durationMs: 1 };
}

describe('telemetry.records.retention in a running app', () => {
  it('records past the retention are deleted at start; newer ones stay', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sy-retention-'));
    const store = new SqliteStore(path.join(dataDir, 'switchyard.db'));
    const now = Date.now();
    await store.insertRecords([record('req_old', now - 8 * DAY), record('req_recent', now - 6 * DAY)]);
    const config = parseConfig({ server: { port: 0 }, telemetry: { records: { retention: '7d' }, log_level: 'silent' } }, 'test', {});
    const app = await createApp({ config, dataDir, store, logger: pino({ level: 'silent' }), env: {}, demoWhenEmpty: false });
    try {
      // The first prune runs in the background right after start.
      for (let i = 0; i < 200 && (await store.getRecord('req_old')) !== null; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await store.getRecord('req_old')).toBeNull();
      expect(await store.getRecord('req_recent')).not.toBeNull();
    } finally {
      await app.close(100);
    }
  });
});
