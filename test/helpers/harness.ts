import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { createClientKey } from '../../src/auth/index.js';
import { parseConfig, type ConfigInput } from '../../src/config/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

export interface Harness {
  app: App;
  url: string;
  sim: Simulator;
  key: string;
  dataDir: string;
  /** Waits until every queued record has been written. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A router on a random loopback port whose `anthropic` provider is the simulator on another random port, plus a fresh
 * client key. Nothing can reach a real provider: every base URL is loopback.
 */
export async function startHarness(overrides: Partial<ConfigInput> = {}, opts: { sim?: Simulator } = {}): Promise<Harness> {
  const sim = opts.sim ?? (await startSimulator({ port: 0 }));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sy-test-'));
  const config = parseConfig(
    {
      server: { port: 0 },
      ...overrides,
      providers: { anthropic: { api_key: 'sk-ant-test-provider-key-0001', base_url: sim.url }, ...(overrides.providers ?? {}) },
      telemetry: { records: { flush_interval: 50 }, log_level: 'silent', ...(overrides.telemetry ?? {}) },
    },
    'test',
    {},
  );
  const app = await createApp({ config, dataDir, logger: pino({ level: 'silent' }), env: {} });
  const url = await app.listen(0, '127.0.0.1');
  const { key, record } = await createClientKey(app.services.store, 'test-key');
  app.services.keys.noteCreated(record);
  return {
    app,
    url,
    sim,
    key,
    dataDir,
    flush: () => app.services.recorder.flush(),
    async close() {
      await app.close(1000);
      if (!opts.sim) await sim.close();
    },
  };
}
