import { describe, expect, it } from 'vitest';
import type { Tool } from '../canonical/types.js';
import { deepFreeze } from '../json-scan/index.js';
import { ToolsCounts } from './tools-memo.js';

const schema = () => deepFreeze({ type: 'object', properties: { path: { type: 'string', description: 'Where' } } });
const tools = (description: string, inputSchema: Record<string, unknown> = schema()): Tool[] => [{ name: 'Read', description, inputSchema }];

describe('ToolsCounts', () => {
  it('counts shared tools once while they stay the same JSON, and again when they change', () => {
    const counts = new ToolsCounts();
    let counted = 0;
    const count = (n: number) => () => (counted++, n);
    expect(counts.get('k', tools('Reads a file'), count(10))).toBe(10);
    // New objects each request (as a decoder makes them), the same JSON: the kept count.
    expect(counts.get('k', tools('Reads a file'), count(99))).toBe(10);
    expect(counted).toBe(1);
    expect(counts.get('k', tools('Reads a file, then another'), count(12))).toBe(12);
    expect(counted).toBe(2);
    // Each key keeps its own list.
    expect(counts.get('other', tools('Reads a file, then another'), count(7))).toBe(7);
    expect(counts.get('k', tools('Reads a file, then another'), count(99))).toBe(12);
  });

  it('always counts tools whose schemas are not deep-frozen (they may have been changed in place)', () => {
    const counts = new ToolsCounts();
    const open = { type: 'object', properties: {} };
    expect(counts.get('k', tools('x', open), () => 1)).toBe(1);
    expect(counts.get('k', tools('x', open), () => 2)).toBe(2);
  });

  it('keeps its own frozen copy: a request changing its tool objects later does not change the kept list', () => {
    const counts = new ToolsCounts();
    const first = tools('Reads a file');
    counts.get('k', first, () => 10);
    (first[0] as { description: string }).description = 'changed';
    expect(counts.get('k', tools('Reads a file'), () => 99)).toBe(10);
  });
});
