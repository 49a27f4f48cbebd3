import v8 from 'node:v8';
import vm from 'node:vm';

export type Gc = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

/**
 * Runs a young-generation GC (a scavenge) each time `everyBytes` of request body have been read.
 *
 * Why: each large body arrives as socket reads that Node hands over as fresh external buffers (~64 KB each). They are
 * garbage as soon as they are copied into the body (BodyPool), but their memory comes back only when V8 next
 * scavenges, and V8 scavenges when its young generation (32 MB) is full of *JavaScript* objects, which a router that
 * mostly moves bytes fills slowly: ~0.6 s apart under c=64 large-body load, by when ~25-30 MB of dead reads had
 * piled up (issue 9's peak RSS; see docs/decisions/0015-body-pool.md). V8 counts external memory only towards its
 * full GCs (at 64 MB more). A scavenge costs ~0.5-2 ms, once per `everyBytes` (8 MiB: ~40 large requests); router CPU
 * per large request was unchanged in an interleaved A/B, and the fresh-router peak went from ~173 to ~146 MB.
 *
 * `gc` is reached by exposing it at run time (`--expose-gc`) and taking it from a fresh context, since a router is
 * started as `node bin/switchyard.js` with no flags.
 */
export class YoungGc {
  private read = 0;
  constructor(
    readonly everyBytes: number,
    private gc: Gc | null | undefined = undefined,
  ) {}

  /** `bytes` more of request body were read from sockets. */
  note(bytes: number): void {
    if (this.everyBytes <= 0) return;
    this.read += bytes;
    if (this.read < this.everyBytes) return;
    this.read = 0;
    // undefined: not looked up yet; null: not available (then never tried again).
    if (this.gc === undefined) this.gc = exposeGc();
    this.gc?.({ type: 'minor' });
  }
}

/** V8's `gc`, exposed at run time; null if it cannot be. */
export function exposeGc(): Gc | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as Gc;
  } catch {
    return null;
  }
}
