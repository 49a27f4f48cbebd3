/** Test support: what the official Anthropic SDK makes of an SSE text or a JSON body. */
import Anthropic from '@anthropic-ai/sdk';

function client(response: () => Response): Anthropic {
  return new Anthropic({ apiKey: 'test-key', baseURL: 'http://sdk.test', maxRetries: 0, fetch: async () => response() });
}

/** The final message `messages.stream(...).finalMessage()` accumulates from `sse`. */
export async function sdkFinalMessage(sse: string): Promise<Anthropic.Message> {
  const c = client(() => new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } }));
  return c.messages.stream({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
}

/** Every event the SDK's stream iterator yields (it throws on an `error` event). */
export async function sdkEvents(sse: string): Promise<Anthropic.MessageStreamEvent[]> {
  const c = client(() => new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } }));
  const stream = await c.messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }], stream: true });
  const out: Anthropic.MessageStreamEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}

/** The SDK's view of a non-streaming body. */
export async function sdkMessage(body: unknown): Promise<Anthropic.Message> {
  const c = client(() => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }));
  return c.messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] });
}

/** Records as SSE text exactly as the API frames them. */
export function toSse(records: Array<{ event: string | undefined; data: string }>): string {
  return records.map((r) => (r.event ? `event: ${r.event}\n` : '') + `data: ${r.data}\n\n`).join('');
}
