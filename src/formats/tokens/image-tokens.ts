/**
 * What one image costs in prompt tokens, per provider, from its pixel size when the inline data lets us read it.
 * The formulas are the providers' published ones; where a size is unknown (a URL image) a 1024x1024 image is
 * assumed, except for Anthropic where a screenshot-sized image at its resize limit is.
 */
import type { ImageSize } from './image-size.js';

const ASSUMED: ImageSize = { width: 1024, height: 1024 };

/**
 * OpenAI models that price images in 32 px patches (capped at 1536) times a per-model multiplier, as the usage
 * numbers report them (a 16x16 PNG costs 3 prompt tokens on gpt-5-nano: one patch x 2.46, rounded up).
 */
const PATCH_MODELS: Array<[RegExp, number]> = [
  [/^gpt-5(?:\.\d+)?-nano/, 2.46],
  [/^gpt-5(?:\.\d+)?-mini/, 1.62],
  [/^gpt-4\.1-nano/, 2.46],
  [/^gpt-4\.1-mini/, 1.62],
  [/^o4-mini/, 1.72],
];

/** Tile-priced OpenAI models: [base, per 512 px tile]. gpt-4o's 85/170 is the default. */
const TILE_MODELS: Array<[RegExp, number, number]> = [
  [/^gpt-4o-mini/, 2833, 5667],
  [/^gpt-5/, 70, 140],
  [/^o[13](?:$|-)/, 75, 150],
  [/^computer-use/, 65, 129],
];

function modelTail(model: string): string {
  const id = model.toLowerCase();
  return id.slice(id.lastIndexOf('/') + 1);
}

export function openAiImageTokens(model: string, size: ImageSize | undefined, detail: string | undefined): number {
  const id = modelTail(model);
  const patch = PATCH_MODELS.find(([re]) => re.test(id));
  if (patch) {
    const s = size ?? ASSUMED;
    // Low detail renders the image at most 512x512.
    const scaled = detail === 'low' ? fitWithin(s, 512, 512) : s;
    return Math.ceil(patchCount(scaled.width, scaled.height) * patch[1]);
  }
  const tile = TILE_MODELS.find(([re]) => re.test(id));
  const base = tile ? tile[1] : 85;
  const perTile = tile ? tile[2] : 170;
  if (detail === 'low') return base;
  const s = size ?? ASSUMED;
  const fitted = fitWithin(s, 2048, 2048);
  const short = Math.min(fitted.width, fitted.height);
  const k = short > 768 ? 768 / short : 1;
  const tiles = Math.ceil((fitted.width * k) / 512) * Math.ceil((fitted.height * k) / 512);
  return base + perTile * tiles;
}

/** OpenAI's patch count: 32 px patches; above 1536 the image is scaled so whole patches cover it within the cap. */
function patchCount(width: number, height: number): number {
  const raw = Math.ceil(width / 32) * Math.ceil(height / 32);
  if (raw <= 1536) return raw;
  let r = Math.sqrt((32 * 32 * 1536) / (width * height));
  r *= Math.min(Math.floor((width * r) / 32) / ((width * r) / 32), Math.floor((height * r) / 32) / ((height * r) / 32));
  return Math.min(1536, Math.ceil((width * r) / 32) * Math.ceil((height * r) / 32));
}

function fitWithin(s: ImageSize, maxW: number, maxH: number): ImageSize {
  const k = Math.min(1, maxW / s.width, maxH / s.height);
  return { width: s.width * k, height: s.height * k };
}

/**
 * Anthropic: tokens = width*height/750 after the API's resize: long edge at most 1568 px and at most ~1.23
 * megapixels (the largest sizes its documentation lists as not resized: 1092x1092, 951x1268, 784x1568), so one
 * image costs at most ~1640 tokens. An unknown size (URL image) is taken as a typical screenshot at the limit.
 */
export function anthropicImageTokens(size: ImageSize | undefined): number {
  if (!size) return ANTHROPIC_UNKNOWN_IMAGE;
  let { width, height } = fitWithin(size, 1568, 1568);
  const pixels = width * height;
  if (pixels > ANTHROPIC_MAX_PIXELS) {
    const k = Math.sqrt(ANTHROPIC_MAX_PIXELS / pixels);
    width *= k;
    height *= k;
  }
  return Math.ceil((width * height) / 750);
}
const ANTHROPIC_MAX_PIXELS = 784 * 1568;
const ANTHROPIC_UNKNOWN_IMAGE = 1600;

/**
 * Gemini 3 prices an image by media resolution (1120 tokens at the default, high). Gemini 2.x: 258 tokens when both
 * sides are at most 384 px; larger images are cut into square crops of 2/3 of the short side, 258 tokens each, plus
 * one 258-token overview. The overview term is fitted to the recorded 540x360 JPEG, which gemini-2.0-flash
 * reported as 1806 image tokens (7 x 258).
 */
export function geminiImageTokens(model: string, size: ImageSize | undefined): number {
  if (/gemini-(?:[3-9]|\d\d)/.test(modelTail(model))) return 1120;
  const s = size ?? ASSUMED;
  if (s.width <= 384 && s.height <= 384) return 258;
  const crop = Math.max(1, Math.floor(Math.min(s.width, s.height) / 1.5));
  return 258 * (Math.ceil(s.width / crop) * Math.ceil(s.height / crop) + 1);
}
