import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deltaFrame, stringDeltaFrame } from './stream-encode.js';

describe('stringDeltaFrame', () => {
  it('writes exactly the frame deltaFrame makes, for any string (escapes, line breaks, lone surrogates)', () => {
    const kinds = [
      ['text_delta', 'text'],
      ['thinking_delta', 'thinking'],
      ['input_json_delta', 'partial_json'],
    ] as const;
    fc.assert(
      fc.property(fc.nat(1000), fc.constantFrom(...kinds), fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', '\n\r\u2028"\\', '\ud800x', '{"a":1}')), (index, [type, field], value) => {
        expect(stringDeltaFrame(index, type, field, value)).toBe(deltaFrame(index, { type, [field]: value }));
      }),
      { numRuns: 2000 },
    );
  });
});
