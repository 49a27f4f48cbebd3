/** Builders shared by the router tests. */
import type { Request } from '../../formats/canonical/types.js';
import type { RequestFacts } from './facts.js';

/** Deterministic [0, 1) generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function facts(over: Partial<RequestFacts> = {}): RequestFacts {
  return {
    api: 'anthropic',
    model: 'router/test',
    metadata: {},
    messages: [{ role: 'user', content: 'hello' }],
    inputTokens: 10,
    hasTools: false,
    hasImages: false,
    thinking: false,
    stream: false,
    client: 'curl',
    key: 'dev',
    headers: {},
    user: null,
    ...over,
  };
}

export function request(over: Partial<Request> = {}): Request {
  return { model: 'router/test', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }], stream: false, extensions: {}, ...over };
}
