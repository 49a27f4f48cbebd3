/**
 * Buffers for large request bodies, reused from one request to the next.
 *
 * Why: a request body is held for the whole request (failover may send it again), which at c=64 with Claude Code's
 * ~200 KB bodies is long enough for V8 to promote it to the old generation. A promoted buffer's memory is freed only
 * by the next full GC, which V8 starts once ~64 MB more of such memory has piled up: that pile was ~30 MB of the
 * router's peak RSS under the benchmark's large-body load (issue 9). A reused buffer is never garbage, and the socket
 * reads it is copied from die young.
 *
 * Safety: a buffer goes back to the pool only when nothing of its request can read it any more (`release`, called
 * once the request is recorded). With `check` on (SWITCHYARD_CHECK_BODY_POOL=1, set for the test suite) every body
 * is pooled whatever its size, a released buffer is overwritten with `POISON`, and a second release throws, so a
 * read after release shows as corrupt data in any test.
 */
export class BodyPool {
  /** Free buffers by capacity. */
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;
  /** The whole buffer behind each body handed out, until it is released. */
  private readonly lent = new WeakMap<Buffer, Buffer>();
  private readonly minBytes: number;

  constructor(
    /** Most bytes kept in free buffers; 0 turns pooling off. */
    readonly maxFreeBytes: number,
    readonly check = false,
  ) {
    this.minBytes = check ? 1 : MIN_POOLED_BYTES;
  }

  /**
   * A buffer of at least `size` bytes for a body of that declared size, or null when bodies of that size are not
   * pooled (allocate as usual then). `view(buffer, length)` makes the body handed to the request.
   */
  take(size: number): Buffer | null {
    if (this.maxFreeBytes === 0 || !(size >= this.minBytes && size <= MAX_POOLED_BYTES)) return null;
    const capacity = sizeClass(size);
    const buf = this.free.get(capacity)?.pop();
    if (!buf) return Buffer.allocUnsafeSlow(capacity);
    this.freeBytes -= capacity;
    return buf;
  }

  /** The body: the first `length` bytes of a buffer from `take`, remembered so that `release` can return it. */
  view(buf: Buffer, length: number): Buffer {
    const body = buf.subarray(0, length);
    this.lent.set(body, buf);
    return body;
  }

  /** Returns a body's buffer to the pool; a body that did not come from `view` is left alone. */
  release(body: Buffer): void {
    const buf = this.lent.get(body);
    if (!buf) {
      if (this.check && poisoned(body)) throw new Error('BodyPool: a body was released twice');
      return;
    }
    this.lent.delete(body);
    if (this.check) buf.fill(POISON);
    if (this.freeBytes + buf.length > this.maxFreeBytes) return;
    let list = this.free.get(buf.length);
    if (!list) this.free.set(buf.length, (list = []));
    list.push(buf);
    this.freeBytes += buf.length;
  }

  /** Bytes held in free buffers. */
  get idleBytes(): number {
    return this.freeBytes;
  }
}

/** Smaller bodies arrive in one socket read and are used as read: there is nothing to gain. */
export const MIN_POOLED_BYTES = 32 * 1024;
/** Larger bodies are rare; keeping their buffers would hold memory for nothing. */
export const MAX_POOLED_BYTES = 4 * 1024 * 1024;
/** What a released buffer is overwritten with in check mode: `#` is never valid JSON. */
export const POISON = 0x23;

/** Capacity for a body of `size` bytes: four classes per power of two, so at most a quarter is unused. */
export function sizeClass(size: number): number {
  const step = Math.max(2 ** Math.floor(Math.log2(size)) / 4, 1);
  return Math.ceil(size / step) * step;
}

function poisoned(body: Buffer): boolean {
  return body.length > 0 && body.every((b) => b === POISON);
}
