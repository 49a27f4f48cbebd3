import { describe, expect, it } from 'vitest';
import { renderOpenAiTools } from './openai-tools.js';

describe('renderOpenAiTools', () => {
  it('renders functions as the TypeScript namespace OpenAI puts in the prompt', () => {
    const text = renderOpenAiTools([
      {
        name: 'get_current_weather',
        description: 'Get the current weather in a given location',
        inputSchema: {
          type: 'object',
          properties: {
            location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
            unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          },
          required: ['location'],
        },
      },
      { name: 'get_time', inputSchema: { type: 'object', properties: {} } },
    ]);
    expect(text).toBe(
      [
        'namespace functions {',
        '',
        '// Get the current weather in a given location',
        'type get_current_weather = (_: {',
        '// The city and state, e.g. San Francisco, CA',
        'location: string,',
        'unit?: "celsius" | "fahrenheit",',
        '}) => any;',
        '',
        'type get_time = () => any;',
        '',
        '} // namespace functions',
      ].join('\n'),
    );
  });

  it('renders nested objects, arrays, unions, nullable types and constants', () => {
    const text = renderOpenAiTools([
      {
        name: 'edit',
        inputSchema: {
          type: 'object',
          required: ['edits'],
          properties: {
            edits: {
              type: 'array',
              items: { type: 'object', required: ['old'], properties: { old: { type: 'string', description: 'Text to replace' }, count: { type: 'integer' } } },
            },
            mode: { anyOf: [{ const: 'fast' }, { type: 'null' }] },
            level: { type: ['number', 'null'] },
            tags: { type: 'array', items: { enum: [1, 2] } },
            meta: { type: 'object' },
            ref: { $ref: '#/$defs/X' },
          },
        },
      },
    ]);
    expect(text).toContain('edits: {\n  // Text to replace\n  old: string,\n  count?: number,\n}[],');
    expect(text).toContain('mode?: "fast" | null,');
    expect(text).toContain('level?: number | null,');
    expect(text).toContain('tags?: (1 | 2)[],');
    expect(text).toContain('meta?: object,');
    expect(text).toContain('ref?: any,');
  });

  it('stops descending into absurdly deep schemas', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 200; i++) schema = { type: 'object', properties: { x: schema } };
    const text = renderOpenAiTools([{ name: 'deep', inputSchema: schema }]);
    expect(text).toContain('x?: any,');
    expect(text.length).toBeLessThan(2000);
  });
});
