import { describe, expect, it } from 'vitest';
import { exposeGc, YoungGc, type Gc } from './young-gc.js';

describe('YoungGc', () => {
  it('runs one minor GC per everyBytes read, none before', () => {
    const calls: unknown[] = [];
    const gc: Gc = (o) => calls.push(o);
    const y = new YoungGc(1000, gc);
    y.note(600);
    expect(calls).toEqual([]);
    y.note(400);
    expect(calls).toEqual([{ type: 'minor' }]);
    for (let i = 0; i < 10; i++) y.note(250);
    expect(calls).toHaveLength(3);
    new YoungGc(0, gc).note(1e9);
    expect(calls).toHaveLength(3);
  });

  it("reaches V8's gc at run time, and a minor GC frees the memory of dead young buffers", () => {
    const gc = exposeGc();
    expect(typeof gc).toBe('function');
    gc!({ type: 'minor' });
    const before = process.memoryUsage().arrayBuffers;
    // Garbage as soon as made, like a socket read once copied into its body.
    for (let i = 0; i < 16; i++) Buffer.allocUnsafeSlow(1 << 20).fill(1);
    const piled = process.memoryUsage().arrayBuffers;
    gc!({ type: 'minor' });
    const after = process.memoryUsage().arrayBuffers;
    expect(piled - before).toBeGreaterThanOrEqual(15 << 20);
    expect(after - before).toBeLessThan(4 << 20);
  });
});
