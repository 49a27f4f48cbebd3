import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileRouter, decide, factsFromRequest, isNoRouteMatched, loadCel, parseRouter } from './index.js';
import type { Request } from '../../formats/canonical/types.js';

beforeAll(() => loadCel());

const EXAMPLES = path.resolve(import.meta.dirname, '../../../examples/routers');
const load = (f: string) => {
  const parsed = parseRouter(JSON.parse(readFileSync(path.join(EXAMPLES, f), 'utf8')));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return compileRouter(parsed.router);
};

function request(over: Partial<Request>): Request {
  return { model: 'router/x', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'fix the bug' }] }], stream: true, extensions: {}, ...over };
}

function route(compiled: ReturnType<typeof load>, req: Request, metadata: Record<string, unknown> = {}, tokens = 1000) {
  const d = decide(compiled, factsFromRequest({ api: 'anthropic', request: req, metadata, headers: { 'user-agent': 'claude-cli/2.1.197 (external, sdk-cli)' }, keyName: 'k', estimateInputTokens: () => tokens }));
  if (isNoRouteMatched(d)) throw new Error(d.error);
  return d.routeId;
}

const tools = [{ name: 'Bash', inputSchema: { type: 'object' } }];

describe('shipped example routers', () => {
  it('claude-code.json routes background, long-context, reasoning and coding requests', () => {
    const c = load('claude-code.json');
    expect(route(c, request({ thinking: { type: 'disabled' } }))).toBe('background');
    expect(route(c, request({ tools, thinking: { type: 'adaptive' } }), {}, 250_000)).toBe('long-context');
    expect(route(c, request({ tools, thinking: { type: 'adaptive' }, messages: [{ role: 'user', content: [{ type: 'text', text: 'ultrathink about this design' }] }] }))).toBe('deep-reasoning');
    expect(route(c, request({ tools, thinking: { type: 'adaptive' } }))).toBe('coding');
  });

  it('cost-optimizer.json routes by the complexity metadata', () => {
    const c = load('cost-optimizer.json');
    expect(route(c, request({}), { complexity: 'high' })).toBe('complex');
    expect(route(c, request({}), { complexity: 'medium' })).toBe('medium');
    expect(route(c, request({}), { complexity: 'low' })).toBe('simple');
    expect(route(c, request({}), {})).toBe('simple');
    expect(route(c, request({}), {}, 90_000)).toBe('complex');
  });
});
