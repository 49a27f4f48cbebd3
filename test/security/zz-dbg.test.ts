import { it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness } from '/work/main/test/helpers/harness.js';

it('dbg', async () => {
  const START = `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'x', stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } } })}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`;
  const DELTA = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"more "}}\n\n';
  const up = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(START);
      let open = true;
      res.on('close', () => { open = false; console.log('upstream closed'); });
      const piece = Buffer.from(DELTA.repeat(64));
      const pump = () => { while (open && res.write(piece)); if (open) res.once('drain', pump); };
      pump();
    });
  });
  await new Promise<void>((r) => up.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(up.address() as AddressInfo).port}`;
  const h = await startHarness({ failover: { max_attempts: 1 }, providers: { 'evil-a': { format: 'anthropic', base_url: base, api_key: 'sk-evil-a-provider-key-0003', models: ['x'] } } });
  const t0 = Date.now();
  const timer = setInterval(() => console.log('tick', Date.now() - t0), 500);
  const r = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'x-api-key': h.key, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'evil-a/x', stream: true, messages: [{ role: 'user', content: 'hi' }], fallback: { timeout: '1500ms' } }) });
  const reader = r.body!.getReader();
  let n = 0; let last = '';
  for (;;) { const { done, value } = await reader.read(); if (done) break; n += value.length; last = Buffer.from(value).toString().slice(-200); }
  clearInterval(timer);
  console.log('done', Date.now() - t0, n, last);
  await h.close(); up.close();
}, 20000);
