import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { imageSizeFromBase64, imageSizeOf } from './image-size.js';
import { RECORDED } from './testing/fixtures.js';

function png(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(13);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), len, Buffer.from('IHDR'), ihdr, Buffer.alloc(4), Buffer.alloc(64)]);
}

function gif(w: number, h: number): Buffer {
  const b = Buffer.alloc(32);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(w, 6);
  b.writeUInt16LE(h, 8);
  return b;
}

function riff(kind: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(20);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(12 + payload.length, 4);
  head.write('WEBP', 8, 'latin1');
  head.write(kind, 12, 'latin1');
  head.writeUInt32LE(payload.length, 16);
  return Buffer.concat([head, payload, Buffer.alloc(16)]);
}

function webpVp8x(w: number, h: number): Buffer {
  const p = Buffer.alloc(10);
  p.writeUIntLE(w - 1, 4, 3);
  p.writeUIntLE(h - 1, 7, 3);
  return riff('VP8X', p);
}

function webpVp8l(w: number, h: number): Buffer {
  const p = Buffer.alloc(5);
  p[0] = 0x2f;
  p.writeUInt32LE(((w - 1) & 0x3fff) | (((h - 1) & 0x3fff) << 14), 1);
  return riff('VP8L', p);
}

function webpVp8(w: number, h: number): Buffer {
  const p = Buffer.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0, 0, 0, 0]);
  p.writeUInt16LE(w, 6);
  p.writeUInt16LE(h, 8);
  return riff('VP8 ', p);
}

/** A JPEG whose frame header comes after APPn segments of the given sizes (EXIF/ICC blocks of real photos). */
function jpeg(w: number, h: number, appSizes: number[] = [16]): Buffer {
  const parts = [Buffer.from([0xff, 0xd8])];
  appSizes.forEach((size, i) => {
    const seg = Buffer.alloc(4 + size);
    seg[0] = 0xff;
    seg[1] = 0xe0 + (i % 16);
    seg.writeUInt16BE(size + 2, 2);
    seg.fill(0xff, 4); // segment bodies full of 0xff must not confuse the walker
    parts.push(seg);
  });
  const sof = Buffer.from([0xff, 0xc2, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  sof.writeUInt16BE(h, 5);
  sof.writeUInt16BE(w, 7);
  parts.push(sof, Buffer.from([0xff, 0xda, 0x00, 0x02]), Buffer.alloc(32), Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

describe('imageSizeFromBase64', () => {
  it('reads PNG, GIF, WebP (VP8X, VP8L, VP8) and JPEG headers', () => {
    expect(imageSizeFromBase64(png(1920, 1080).toString('base64'))).toEqual({ width: 1920, height: 1080 });
    expect(imageSizeFromBase64(gif(320, 200).toString('base64'))).toEqual({ width: 320, height: 200 });
    expect(imageSizeFromBase64(webpVp8x(4000, 3000).toString('base64'))).toEqual({ width: 4000, height: 3000 });
    expect(imageSizeFromBase64(webpVp8l(800, 601).toString('base64'))).toEqual({ width: 800, height: 601 });
    expect(imageSizeFromBase64(webpVp8(640, 480).toString('base64'))).toEqual({ width: 640, height: 480 });
    expect(imageSizeFromBase64(jpeg(1024, 768).toString('base64'))).toEqual({ width: 1024, height: 768 });
  });

  it('walks past large EXIF/ICC segments to the JPEG frame header', () => {
    expect(imageSizeFromBase64(jpeg(3024, 4032, [65_000, 40_000, 3]).toString('base64'))).toEqual({ width: 3024, height: 4032 });
  });

  it('reads the recorded images: the 16x16 PNG sent to OpenAI and the 540x360 JPEG sent to Gemini', () => {
    const openai = parseYaml(readFileSync(path.join(RECORDED, 'openai/openai--chat-image-to-text.yaml'), 'utf8')) as {
      interactions: Array<{ request: { body: string } }>;
    };
    const url = (JSON.parse(openai.interactions[0].request.body) as { messages: Array<{ content: Array<{ image_url?: { url: string } }> }> }).messages[0].content[1].image_url!.url;
    expect(imageSizeOf({ kind: 'url', url })).toEqual({ width: 16, height: 16 });

    const gemini = parseYaml(readFileSync(path.join(RECORDED, 'gemini/gemini--test_google_model_image_url_input.yaml'), 'utf8')) as {
      interactions: Array<{ request: { parsed_body: { contents: Array<{ parts: Array<{ inlineData?: { data: string } }> }> } } }>;
    };
    // Recorded in the URL-safe base64 alphabet.
    const data = gemini.interactions[1].request.parsed_body.contents[0].parts[1].inlineData!.data;
    expect(data).toMatch(/[-_]/);
    expect(imageSizeFromBase64(data)).toEqual({ width: 540, height: 360 });
  });

  it('reads data: URLs and base64 sources, not remote URLs', () => {
    const b64 = png(10, 20).toString('base64');
    expect(imageSizeOf({ kind: 'url', url: `data:image/png;base64,${b64}` })).toEqual({ width: 10, height: 20 });
    expect(imageSizeOf({ kind: 'base64', mediaType: 'image/png', data: b64 })).toEqual({ width: 10, height: 20 });
    expect(imageSizeOf({ kind: 'url', url: 'https://example.com/a.png' })).toBeUndefined();
  });

  it('tolerates line-wrapped base64', () => {
    const wrapped = jpeg(300, 200, [5000]).toString('base64').replace(/(.{76})/g, '$1\n');
    expect(imageSizeFromBase64(wrapped)).toEqual({ width: 300, height: 200 });
  });

  it('returns undefined for what is not a readable image', () => {
    expect(imageSizeFromBase64('')).toBeUndefined();
    expect(imageSizeFromBase64(Buffer.from('%PDF-1.7 hello world, not an image').toString('base64'))).toBeUndefined();
    expect(imageSizeFromBase64(png(0, 5).toString('base64'))).toBeUndefined();
    // A JPEG cut off before its frame header.
    expect(imageSizeFromBase64(jpeg(10, 10, [3000]).subarray(0, 2000).toString('base64'))).toBeUndefined();
    expect(imageSizeFromBase64('!!!! not base64 at all !!!!')).toBeUndefined();
  });

  it('round-trips any size in every format and both base64 alphabets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16383 }),
        fc.integer({ min: 1, max: 16383 }),
        fc.array(fc.integer({ min: 0, max: 65_000 }), { maxLength: 3 }),
        fc.boolean(),
        (w, h, apps, urlSafe) => {
          const enc = (b: Buffer): string => b.toString(urlSafe ? 'base64url' : 'base64');
          const want = { width: w, height: h };
          expect(imageSizeFromBase64(enc(png(w, h)))).toEqual(want);
          expect(imageSizeFromBase64(enc(webpVp8x(w, h)))).toEqual(want);
          expect(imageSizeFromBase64(enc(webpVp8l(w, h)))).toEqual(want);
          expect(imageSizeFromBase64(enc(jpeg(w, h, apps)))).toEqual(want);
        },
      ),
      { numRuns: 150 },
    );
  });
});
