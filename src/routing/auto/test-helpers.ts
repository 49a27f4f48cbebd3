/** Builders shared by the auto selection tests. */
import type { CatalogModel } from '../catalog/index.js';
import type { AutoNeeds } from './needs.js';
import type { PoolEntry } from './pool.js';

export interface ModelSpec {
  price?: [number, number];
  ttft?: number;
  tps?: number;
  intelligence?: number | null;
  coding?: number | null;
  math?: number | null;
  context?: number;
  maxInput?: number;
  maxOutput?: number;
  tools?: boolean;
  vision?: boolean;
  pdf?: boolean;
  jsonSchema?: boolean;
  reasoning?: boolean;
  aliases?: string[];
}

/** A catalog entry with plain defaults: 128k context, 8k output, text only, tools, no scores. */
export function model(provider: string, id: string, s: ModelSpec = {}): CatalogModel {
  const input = ['text', ...(s.vision ? ['image'] : []), ...(s.pdf ? ['pdf'] : [])];
  return {
    id,
    provider,
    name: id,
    context: s.context ?? 128_000,
    ...(s.maxInput !== undefined ? { maxInput: s.maxInput } : {}),
    maxOutput: s.maxOutput ?? 8192,
    modalities: { input, output: ['text'] },
    capabilities: { tools: s.tools ?? true, vision: s.vision ?? false, reasoning: s.reasoning ?? false, jsonSchema: s.jsonSchema ?? false, pdf: s.pdf ?? false },
    price: { input: s.price?.[0] ?? 1, output: s.price?.[1] ?? 1 },
    scores: { intelligence: s.intelligence ?? null, coding: s.coding ?? null, math: s.math ?? null },
    priors: { ttftMs: s.ttft ?? 1000, tokensPerSecond: s.tps ?? 100 },
    ...(s.aliases ? { aliases: s.aliases } : {}),
    sources: {},
  };
}

export function entry(m: CatalogModel): PoolEntry {
  return { provider: m.provider, model: m };
}

export function needs(over: Partial<AutoNeeds> = {}): AutoNeeds {
  return { inputTokens: 1000, tools: false, images: false, pdf: false, jsonSchema: false, thinking: false, ...over };
}

export const names = (r: { ranked: Array<{ provider: string; model: string }> }): string[] => r.ranked.map((x) => `${x.provider}/${x.model}`);
