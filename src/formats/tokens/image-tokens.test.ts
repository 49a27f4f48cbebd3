import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicImageTokens, geminiImageTokens, openAiImageTokens } from './image-tokens.js';

const size = (width: number, height: number) => ({ width, height });

describe('OpenAI image tokens', () => {
  it('follows the published tile examples for gpt-4o', () => {
    expect(openAiImageTokens('gpt-4o', size(1024, 1024), undefined)).toBe(765);
    expect(openAiImageTokens('gpt-4o', size(2048, 4096), 'high')).toBe(1105);
    expect(openAiImageTokens('gpt-4o', size(4096, 8192), 'low')).toBe(85);
    expect(openAiImageTokens('gpt-4o', size(512, 512), 'auto')).toBe(255);
    expect(openAiImageTokens('openai/gpt-4.1', size(1024, 1024), undefined)).toBe(765);
  });

  it("uses each model's base and tile price", () => {
    expect(openAiImageTokens('gpt-4o-mini', size(1024, 1024), undefined)).toBe(2833 + 4 * 5667);
    expect(openAiImageTokens('gpt-5', size(1024, 1024), undefined)).toBe(70 + 4 * 140);
    expect(openAiImageTokens('o3', size(1024, 1024), undefined)).toBe(75 + 4 * 150);
  });

  it('prices patch models in 32 px patches times the model multiplier (published 1800x2400 → 1452 patches)', () => {
    expect(openAiImageTokens('gpt-4.1-mini', size(1024, 1024), undefined)).toBe(Math.ceil(1024 * 1.62));
    expect(openAiImageTokens('gpt-4.1-mini', size(1800, 2400), undefined)).toBe(Math.ceil(1452 * 1.62));
    expect(openAiImageTokens('gpt-5-nano', size(16, 16), undefined)).toBe(3);
    expect(openAiImageTokens('o4-mini', size(1800, 2400), undefined)).toBe(Math.ceil(1452 * 1.72));
  });

  it('assumes a 1024x1024 image when the size is unknown (765 for gpt-4o high, 85 low)', () => {
    expect(openAiImageTokens('gpt-4o', undefined, undefined)).toBe(765);
    expect(openAiImageTokens('gpt-4o', undefined, 'low')).toBe(85);
  });

  it('never exceeds 1536 patches', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20000 }), fc.integer({ min: 1, max: 20000 }), (w, h) => {
        expect(openAiImageTokens('gpt-5-mini', size(w, h), undefined)).toBeLessThanOrEqual(Math.ceil(1536 * 1.62));
      }),
    );
  });
});

describe('Anthropic image tokens', () => {
  it('is width*height/750 after resizing, as in the published table', () => {
    expect(anthropicImageTokens(size(200, 200))).toBe(54);
    expect(anthropicImageTokens(size(1000, 1000))).toBe(1334);
    expect(anthropicImageTokens(size(1092, 1092))).toBe(1590);
    expect(anthropicImageTokens(size(540, 360))).toBe(260);
  });

  it('caps large screenshots at the resize limit (~1640 tokens) and takes 1600 for unknown sizes', () => {
    expect(anthropicImageTokens(size(3840, 2160))).toBe(1640);
    expect(anthropicImageTokens(size(784, 1568))).toBe(1640);
    expect(anthropicImageTokens(undefined)).toBe(1600);
    fc.assert(fc.property(fc.integer({ min: 1, max: 30000 }), fc.integer({ min: 1, max: 30000 }), (w, h) => anthropicImageTokens(size(w, h)) <= 1640));
  });
});

describe('Gemini image tokens', () => {
  it('charges 258 for small images and 258 per crop plus an overview above 384 px (gemini 2.x)', () => {
    expect(geminiImageTokens('gemini-2.0-flash', size(384, 384))).toBe(258);
    expect(geminiImageTokens('gemini-2.0-flash', size(540, 360))).toBe(1806);
    expect(geminiImageTokens('gemini-2.5-pro', size(1000, 1000))).toBe(258 * (2 * 2 + 1));
  });

  it('charges the default media resolution of Gemini 3', () => {
    expect(geminiImageTokens('gemini-3-pro-preview', size(540, 360))).toBe(1120);
    expect(geminiImageTokens('models/gemini-3-flash-preview', undefined)).toBe(1120);
  });
});
