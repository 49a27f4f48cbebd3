import { describe, expect, it } from 'vitest';
import { field, numField, strField, toCamel, toSnake } from './fields.js';

describe('Gemini field names', () => {
  it('reads a structural field in either spelling, lowerCamelCase first', () => {
    expect(field({ thoughtSignature: 'a' }, 'thoughtSignature')).toBe('a');
    expect(field({ thought_signature: 'b' }, 'thoughtSignature')).toBe('b');
    expect(field({ thoughtSignature: 'a', thought_signature: 'b' }, 'thoughtSignature')).toBe('a');
    expect(field({}, 'thoughtSignature')).toBeUndefined();
  });

  it('gives the same answers on repeated reads (the snake-case spelling is remembered per name)', () => {
    for (let i = 0; i < 3; i++) {
      expect(numField({ prompt_token_count: 7 }, 'promptTokenCount')).toBe(7);
      expect(numField({ promptTokenCount: 8 }, 'promptTokenCount')).toBe(8);
      expect(strField({ finish_reason: 'STOP' }, 'finishReason')).toBe('STOP');
      expect(strField({ finishReason: 3 }, 'finishReason')).toBeUndefined();
    }
  });

  it('converts between the spellings', () => {
    expect(toSnake('usageMetadata')).toBe('usage_metadata');
    expect(toCamel('usage_metadata')).toBe('usageMetadata');
  });
});
