import type { ConfigInput } from '../../src/config/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

export const ADMIN = 'sy-admin-key-for-cluster-tests-0001';

/** Custom providers on the simulator for the cluster tests: one priced model for budgets, one to break circuits. */
export function simProviders(sim: Simulator): ConfigInput['providers'] {
  return {
    priced: { format: 'anthropic', base_url: sim.url, api_key: 'sim-priced-key-0001', models: [{ id: 'priced-model', price: { input: 1000, output: 1000 } }] },
    flaky: { format: 'anthropic', base_url: sim.url, api_key: 'sim-flaky-key-0001', models: ['flaky-model'] },
  };
}

export interface Pair {
  sim: Simulator;
  a: Harness;
  b: Harness;
  close(): Promise<void>;
}

/** Two router instances on different ports with one config (as behind a load balancer), one simulator behind both. */
export async function startPair(config: (sim: Simulator) => Partial<ConfigInput>): Promise<Pair> {
  const sim = await startSimulator({ port: 0 });
  const overrides = config(sim);
  // Both start at once on the empty database, as a deployment's instances would.
  const [a, b] = await Promise.all([startHarness(overrides, { sim }), startHarness(overrides, { sim })]);
  return {
    sim,
    a,
    b,
    async close() {
      await Promise.all([a.close(), b.close()]);
      await sim.close();
    },
  };
}

export async function post(h: Harness, path: string, body: unknown, key: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, headers: res.headers };
}

export async function get(h: Harness, path: string, key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

export function message(model: string, text = 'hello', maxTokens = 20): Record<string, unknown> {
  return { model, max_tokens: maxTokens, messages: [{ role: 'user', content: text }] };
}

/** Polls `check` every 5 ms and returns how long it took to hold, failing after `ms`. */
export async function timeUntil(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
