import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeEvent } from '../../sse/index.js';
import { blockStopFrame, deltaFrame, frame, MESSAGE_STOP_FRAME, PING_FRAME, stringDeltaFrame } from './stream-encode.js';

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

describe('frame', () => {
  it('writes what encodeEvent writes for the JSON of any value (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('message_start', 'content_block_start', 'message_delta', 'error'), fc.jsonValue(), fc.string({ unit: 'binary' }), (event, value, text) => {
        const data = { type: event, value, text } as Parameters<typeof frame>[1];
        expect(frame(event, data)).toBe(encodeEvent(event, JSON.stringify(data)));
      }),
      { numRuns: 1000 },
    );
  });

  it('has the fixed frames and content_block_stop as the frames of their objects', () => {
    expect(PING_FRAME).toBe(encodeEvent('ping', JSON.stringify({ type: 'ping' })));
    expect(MESSAGE_STOP_FRAME).toBe(encodeEvent('message_stop', JSON.stringify({ type: 'message_stop' })));
    for (const index of [0, 7, 1234]) expect(blockStopFrame(index)).toBe(encodeEvent('content_block_stop', JSON.stringify({ type: 'content_block_stop', index })));
  });
});
