/**
 * Pixel dimensions of a base64 image read from its header only (PNG, JPEG, GIF, WebP), without decoding the image
 * or even the whole base64 string: image token prices depend on width and height, and a Claude Code screenshot is
 * megabytes of base64 that a token estimate must not copy.
 */
import type { ImageSource } from '../canonical/types.js';

export interface ImageSize {
  width: number;
  height: number;
}

/** Random access to the bytes behind a base64 string, decoding only the 4-character groups asked for. */
class Base64Bytes {
  readonly length: number;
  constructor(private readonly b64: string) {
    let pad = 0;
    if (b64.endsWith('==')) pad = 2;
    else if (b64.endsWith('=')) pad = 1;
    this.length = Math.floor((b64.length * 3) / 4) - pad;
  }

  /** `len` bytes from `offset` (fewer at the end of the data). Node's base64 decoder takes the URL-safe alphabet too. */
  read(offset: number, len: number): Buffer {
    const startGroup = Math.floor(offset / 3);
    const endGroup = Math.ceil((offset + len) / 3);
    const chunk = Buffer.from(this.b64.slice(startGroup * 4, endGroup * 4), 'base64');
    const skip = offset - startGroup * 3;
    return chunk.subarray(skip, skip + len);
  }
}

/** Width and height of a base64-encoded PNG, JPEG, GIF or WebP image, or undefined when the header is unreadable. */
export function imageSizeFromBase64(b64: string): ImageSize | undefined {
  // Line-wrapped base64 (MIME style, every 64 or 76 characters) breaks the offset arithmetic; it is rare in JSON
  // APIs, so such data is unwrapped first.
  if (/\s/.test(b64.slice(0, 1024))) return sniff(new Base64Bytes(b64.replace(/\s+/g, '')));
  return sniff(new Base64Bytes(b64));
}

/** The size of an image source when it is inline data (a base64 source or a `data:` URL). */
export function imageSizeOf(source: ImageSource): ImageSize | undefined {
  if (source.kind === 'base64') return imageSizeFromBase64(source.data);
  const comma = source.url.indexOf(',');
  if (source.url.startsWith('data:') && comma > 0 && source.url.slice(0, comma).endsWith(';base64')) {
    return imageSizeFromBase64(source.url.slice(comma + 1));
  }
  return undefined;
}

function sniff(bytes: Base64Bytes): ImageSize | undefined {
  const sig = bytes.read(0, 30);
  if (sig.length < 10) return undefined;
  if (sig[0] === 0x89 && sig.toString('latin1', 1, 4) === 'PNG') {
    // IHDR is always the first chunk: width and height are big-endian at bytes 16 and 20.
    return sig.length >= 24 ? valid(sig.readUInt32BE(16), sig.readUInt32BE(20)) : undefined;
  }
  if (sig.toString('latin1', 0, 3) === 'GIF') return valid(sig.readUInt16LE(6), sig.readUInt16LE(8));
  if (sig.toString('latin1', 0, 4) === 'RIFF' && sig.toString('latin1', 8, 12) === 'WEBP') return webp(sig);
  if (sig[0] === 0xff && sig[1] === 0xd8) return jpeg(bytes);
  return undefined;
}

function webp(b: Buffer): ImageSize | undefined {
  const kind = b.toString('latin1', 12, 16);
  if (kind === 'VP8X' && b.length >= 30) {
    // 24-bit little-endian canvas width-1 and height-1.
    return valid(1 + b.readUIntLE(24, 3), 1 + b.readUIntLE(27, 3));
  }
  if (kind === 'VP8L' && b.length >= 25) {
    const bits = b.readUInt32LE(21);
    return valid(1 + (bits & 0x3fff), 1 + ((bits >>> 14) & 0x3fff));
  }
  if (kind === 'VP8 ' && b.length >= 30) {
    // Lossy: after the 3-byte frame tag and the 9d 01 2a start code, 14-bit width and height.
    return valid(b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff);
  }
  return undefined;
}

/** Start-of-frame markers carry the size (SOF0..SOF15 except DHT C4, JPG C8 and DAC CC). */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpeg(bytes: Base64Bytes): ImageSize | undefined {
  let offset = 2;
  // Walk segment headers only; EXIF/ICC segments before the frame header can be tens of kilobytes.
  for (let guard = 0; guard < 512 && offset + 9 <= bytes.length; guard++) {
    const h = bytes.read(offset, 9);
    if (h[0] !== 0xff) return undefined;
    const marker = h[1];
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    if (isSof(marker)) return valid(h.readUInt16BE(7), h.readUInt16BE(5));
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image / start of scan before any frame
    offset += 2 + h.readUInt16BE(2);
  }
  return undefined;
}

function valid(width: number, height: number): ImageSize | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}
