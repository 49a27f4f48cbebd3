import * as nodeBuffer from 'node:buffer';
import { TextDecoder } from 'node:util';

/** `buffer.isUtf8` (Node >= 18.14 / 19.4), looked up dynamically so older runtimes fall back. */
const nativeIsUtf8 = (nodeBuffer as { isUtf8?: (input: Uint8Array) => boolean }).isUtf8;

let fatalDecoder: TextDecoder | undefined;

/** Whether `buf` is well-formed UTF-8 (native and allocation-free where `buffer.isUtf8` exists). */
export function isValidUtf8(buf: Uint8Array): boolean {
  if (nativeIsUtf8) return nativeIsUtf8(buf);
  fatalDecoder ??= new TextDecoder('utf-8', { fatal: true });
  try {
    fatalDecoder.decode(buf);
    return true;
  } catch {
    return false;
  }
}

/** Whether every char of `s` is ASCII (so its UTF-8 and latin1 encodings are the same bytes). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
