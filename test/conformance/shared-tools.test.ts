import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SHARED_TOOLS_MIN_BYTES } from '../../src/formats/canonical/byte-strings.js';
import { startHarness, type Harness } from '../helpers/harness.js';

/**
 * An agent sends the same tools every turn; a translated request's tools are parsed once per distinct bytes and their
 * upstream text is reused while they stay the same (SharedValues, MemberTexts). What goes upstream must still be
 * exactly this request's tools: the same when they are the same, changed the moment one byte of them changes.
 */
const UPSTREAMS = { openai: 'openai/gpt-5.1', gemini: 'google-ai-studio/gemini-2.5-flash' } as const;

let h: Harness;

beforeAll(async () => {
  const { startSimulator } = await import('../../src/simulator/index.js');
  const sim = await startSimulator({ port: 0 });
  h = await startHarness(
    {
      providers: {
        openai: { api_key: 'sk-openai-test-0001', base_url: `${sim.url}/v1` },
        'google-ai-studio': { api_key: 'gemini-test-key-0001', base_url: sim.url },
      },
    },
    { sim },
  );
});
afterAll(async () => {
  await h.close();
  await h.sim.close();
});
beforeEach(() => h.sim.reset());

function tools(variant: { description?: string; property?: string } = {}) {
  return Array.from({ length: 24 }, (_, i) => ({
    name: `tool_${i}`,
    description: i === 7 && variant.description ? variant.description : `Tool ${i}: does thing ${i} → «carefully», 日本語 ok.\n${'Details. '.repeat(40)}`,
    input_schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { [i === 3 && variant.property ? variant.property : 'path']: { type: 'string', description: `where ${i}` }, count: { type: 'integer', minimum: 0 } },
      required: ['count'],
      additionalProperties: false,
    },
  }));
}

async function send(model: string, toolList: unknown[], question: string): Promise<Record<string, unknown>> {
  const body = JSON.stringify({ model, max_tokens: 200, messages: [{ role: 'user', content: question }], tools: toolList });
  expect(Buffer.byteLength(JSON.stringify(toolList))).toBeGreaterThan(SHARED_TOOLS_MIN_BYTES);
  const res = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': h.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body });
  expect(res.status).toBe(200);
  await res.text();
  const sent = h.sim.requests.at(-1)!;
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(sent.body)) as Record<string, unknown>;
}

/** Tool names, descriptions and property names as the upstream got them, whatever its format. */
function toolFacts(upstream: Record<string, unknown>): Array<{ name: string; description: string; properties: string[] }> {
  const list = (upstream.tools as Array<Record<string, unknown>>).flatMap((t) => (t.functionDeclarations as Array<Record<string, unknown>> | undefined) ?? [t.function as Record<string, unknown>]);
  return list.map((f) => {
    const schema = (f.parameters ?? f.parametersJsonSchema) as { properties: Record<string, unknown> };
    return { name: f.name as string, description: f.description as string, properties: Object.keys(schema.properties) };
  });
}

describe('tools sent again', () => {
  for (const [upstream, model] of Object.entries(UPSTREAMS)) {
    it(`reach ${upstream} as sent each time, reused while unchanged and new as soon as they change`, async () => {
      const first = await send(model, tools(), 'first question');
      const again = await send(model, tools(), 'second question, same tools');
      expect(again.tools).toEqual(first.tools);
      expect(toolFacts(first)).toHaveLength(24);
      expect(toolFacts(first)[0].description).toContain('→ «carefully», 日本語 ok.');

      const changed = await send(model, tools({ description: 'Changed: now reads ünïcode.', property: 'file_path' }), 'third question, two tools changed');
      const facts = toolFacts(changed);
      expect(facts[7].description).toBe('Changed: now reads ünïcode.');
      expect(facts[3].properties).toEqual(['file_path', 'count']);
      expect(facts.filter((_, i) => i !== 3 && i !== 7)).toEqual(toolFacts(first).filter((_, i) => i !== 3 && i !== 7));

      const back = await send(model, tools(), 'fourth question, the first tools again');
      expect(back.tools).toEqual(first.tools);
    });
  }
});
