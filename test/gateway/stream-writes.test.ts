import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * A translated stream leaves the router in one write per upstream read, not one per event: each write is a chunk of
 * the chunked encoding and a syscall (regression: a small translated stream went out as ~12 chunks, one per event).
 * The client here reads the raw HTTP/1.1 response and counts the chunks.
 */
let h: Harness;
beforeAll(async () => {
  const sim = await startSimulator({ port: 0 });
  h = await startHarness({ providers: { openai: { api_key: 'sk-openai-test-0001', base_url: `${sim.url}/v1` } } }, { sim });
});
afterAll(async () => {
  await h.close();
  await h.sim.close();
});

/** POSTs `body` on a raw socket; returns the chunk sizes of the chunked response body and the body itself. */
function rawPost(path: string, body: string): Promise<{ sizes: number[]; text: string }> {
  const { hostname, port } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () =>
      socket.write(
        `POST ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\n` +
          `x-api-key: ${h.key}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      ),
    );
    let raw = '';
    socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => {
      let rest = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      const sizes: number[] = [];
      let text = '';
      for (;;) {
        const eol = rest.indexOf('\r\n');
        const size = parseInt(rest.slice(0, eol), 16);
        if (!(size > 0)) break;
        sizes.push(size);
        text += rest.slice(eol + 2, eol + 2 + size);
        rest = rest.slice(eol + 2 + size + 2);
      }
      resolve({ sizes, text: Buffer.from(text, 'latin1').toString('utf8') });
    });
  });
}

describe('translated stream writes', () => {
  it('batch the events of one upstream read into one chunk', async () => {
    const body = JSON.stringify({ model: 'openai/gpt-4o-mini', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Say something short.' }] });
    const { sizes, text } = await rawPost('/v1/messages', body);
    const events = text.split('\n\n').filter((e) => e.startsWith('event:'));
    expect(events.at(-1)).toMatch(/^event: message_stop/);
    expect(events.length).toBeGreaterThanOrEqual(8);
    // The simulator writes its answer at once: the held preamble at the first content, then the rest (before: 6).
    expect(sizes.length).toBeLessThanOrEqual(3);
  });
});
