import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * Large request bodies are read into pooled buffers that the next requests reuse (src/ingress/body-pool.ts). Waves of
 * concurrent ~120 KB requests, each with its own marker, passthrough and translated, streamed and not: every
 * upstream request, answer and stored record must be its own request's, byte for byte, while the buffers go round.
 * The suite runs with SWITCHYARD_CHECK_BODY_POOL=1 (vitest.config.ts), which poisons released buffers; the first test
 * checks that this harness runs in that mode, so that a read after release would show here as corrupt data.
 */
let h: Harness;
beforeAll(async () => {
  const sim = await startSimulator({ port: 0 });
  h = await startHarness(
    { providers: { openai: { api_key: 'sk-openai-test-0001', base_url: `${sim.url}/v1` } }, telemetry: { records: { flush_interval: 50, bodies: true } } },
    { sim },
  );
});
afterAll(async () => {
  await h.close();
  await h.sim.close();
});

function body(marker: string, model: string, stream: boolean): string {
  // Claude Code-like: a long unique history, then the marked question last (the simulator echoes the last prompt).
  const filler = Array.from({ length: 120 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `${marker} turn ${i}: ${'lorem ipsum dolor sit amet '.repeat(36)}` }));
  return JSON.stringify({ model, max_tokens: 64, stream, messages: [...filler, { role: 'user', content: `Question ${marker}?` }] });
}

describe('pooled request bodies', () => {
  it('run in check mode (released buffers poisoned)', () => {
    expect(h.app.services.bodyPool.check).toBe(true);
  });

  it('never mix requests: upstream bodies, answers and records stay each request own while buffers are reused', async () => {
    const wave = async (w: number) =>
      Promise.all(
        Array.from({ length: 16 }, async (_, i) => {
          const marker = `m${w}x${i}q`;
          const model = i % 2 ? 'openai/gpt-4o-mini' : 'claude-sonnet-4-6';
          const stream = i % 4 >= 2;
          const sent = body(marker, model, stream);
          expect(sent.length).toBeGreaterThan(100_000);
          const res = await fetch(`${h.url}/v1/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': h.key },
            body: sent,
          });
          const text = await res.text();
          expect(res.status, text.slice(0, 300)).toBe(200);
          expect(text).toContain(`Question ${marker}?`);
          return { id: res.headers.get('x-request-id')!, marker, sent, model };
        }),
      );
    const sent = [];
    for (let w = 0; w < 4; w++) sent.push(...(await wave(w)));
    expect(h.app.services.bodyPool.idleBytes).toBeGreaterThan(0);

    for (const { marker, sent: text, model } of sent) {
      const forwarded = h.sim.requests.filter((r) => r.body.includes(`Question ${marker}?`));
      expect(forwarded).toHaveLength(1);
      const up = forwarded[0].body.toString('utf8');
      // Every turn of this request and of no other.
      expect(up.match(/m\d+x\d+q turn/g)!.every((m) => m.startsWith(marker))).toBe(true);
      if (model.startsWith('claude')) expect(up).toBe(text);
    }
    await h.flush();
    for (const { id, sent: text } of sent) {
      const rec = await h.app.services.store.getRecord(id);
      expect(rec?.bodies?.request).toBe(text);
    }
  });
});
