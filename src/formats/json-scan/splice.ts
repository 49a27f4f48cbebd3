import { Buffer } from 'node:buffer';
import type { MemberSpan, ScannedObject } from './scan.js';

/**
 * One change to a top-level member. `replaceValue` is raw JSON text for the new value (not validated: the caller
 * vouches for it, typically `JSON.stringify(x)`); `remove` deletes the whole member and exactly one adjacent comma.
 * An edit with neither is a no-op.
 */
export interface Edit {
  span: MemberSpan;
  replaceValue?: string | Buffer;
  remove?: boolean;
}

export interface SplicedBody {
  /** Write these in order. Most are `buf.subarray` views; only replaced/appended text is new memory. */
  chunks: Buffer[];
  /** Sum of the chunk lengths. */
  length: number;
}

/** Collects output pieces, merging adjacent ranges of the source buffer into one view. */
class ChunkWriter {
  readonly chunks: Buffer[] = [];
  length = 0;
  private runStart = -1;
  private runEnd = -1;
  constructor(private readonly src: Buffer) {}

  range(start: number, end: number): void {
    if (end <= start) return;
    if (start === this.runEnd) {
      this.runEnd = end;
      return;
    }
    this.flushRun();
    this.runStart = start;
    this.runEnd = end;
  }

  bytes(b: Buffer): void {
    if (b.length === 0) return;
    this.flushRun();
    this.chunks.push(b);
    this.length += b.length;
  }

  text(s: string): void {
    if (s.length > 0) this.bytes(Buffer.from(s, 'utf8'));
  }

  private flushRun(): void {
    if (this.runEnd > this.runStart) {
      this.chunks.push(this.src.subarray(this.runStart, this.runEnd));
      this.length += this.runEnd - this.runStart;
    }
    this.runStart = this.runEnd = -1;
  }

  finish(): SplicedBody {
    this.flushRun();
    return { chunks: this.chunks, length: this.length };
  }
}

function memberIndex(members: MemberSpan[], span: MemberSpan): number {
  // Binary search on memberStart (members are in document order), then check it is the same member.
  let lo = 0;
  let hi = members.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = members[mid];
    if (m.memberStart < span.memberStart) lo = mid + 1;
    else if (m.memberStart > span.memberStart) hi = mid - 1;
    else return m === span || (m.valueStart === span.valueStart && m.valueEnd === span.valueEnd && m.memberEnd === span.memberEnd) ? mid : -1;
  }
  return -1;
}

/**
 * Builds a new body from `buf` (which `obj` was scanned from) without copying it: members are replaced or removed per
 * `edits`, then `append` members are added before the closing brace. The result stays valid JSON in every case
 * (removing the first, last or every member; appending to an empty object). Whitespace outside edited members is
 * preserved byte for byte; an edited member keeps its key and the whitespace around its value.
 */
export function spliceMembers(
  buf: Buffer,
  obj: ScannedObject,
  edits: Edit[],
  append: Array<[key: string, rawJson: string | Buffer]> = [],
): SplicedBody {
  const members = obj.members;
  const n = members.length;
  if (obj.closeBrace >= buf.length || buf[obj.closeBrace] !== 0x7d || buf[obj.openBrace] !== 0x7b) {
    throw new RangeError('spliceMembers: the scanned object does not match this buffer');
  }
  const actions: Array<Edit | undefined> = new Array<Edit | undefined>(n);
  for (const edit of edits) {
    const idx = memberIndex(members, edit.span);
    if (idx < 0) throw new RangeError(`spliceMembers: the span for "${edit.span.key}" is not a member of this object`);
    if (actions[idx]) throw new RangeError(`spliceMembers: member "${edit.span.key}" at byte ${edit.span.keyStart} is edited twice`);
    actions[idx] = edit;
  }

  const out = new ChunkWriter(buf);
  out.range(0, obj.openBrace + 1);
  if (n === 0) out.range(obj.openBrace + 1, obj.closeBrace);
  let lastKept = -1;
  for (let k = 0; k < n; k++) {
    const action = actions[k];
    if (action?.remove) continue;
    const m = members[k];
    // The comma that followed the previous kept member (a view, so it merges with that member's run).
    if (lastKept >= 0) out.range(members[lastKept].memberEnd, members[lastKept].memberEnd + 1);
    const replacement = action?.replaceValue;
    if (replacement !== undefined) {
      out.range(m.memberStart, m.valueStart);
      if (typeof replacement === 'string') out.text(replacement);
      else out.bytes(replacement);
      out.range(m.valueEnd, m.memberEnd);
    } else {
      out.range(m.memberStart, m.memberEnd);
    }
    lastKept = k;
  }
  let pending = '';
  let needComma = lastKept >= 0;
  for (const [key, raw] of append) {
    pending += (needComma ? ',' : '') + JSON.stringify(key) + ':';
    needComma = true;
    if (typeof raw === 'string') pending += raw;
    else {
      out.text(pending);
      pending = '';
      out.bytes(raw);
    }
  }
  out.text(pending);
  out.range(obj.closeBrace, buf.length);
  return out.finish();
}
