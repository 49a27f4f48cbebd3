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
