/** Which tokenizer (and so which estimator) a routed model is counted with. */
export type TokenizerFamily = 'openai-o200k' | 'openai-cl100k' | 'anthropic' | 'gemini' | 'generic';

// Matched against the model id's last path segment, lower-cased (`openai/gpt-4o` and `azure/gpt-4o` are gpt-4o).
const O200K = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|gpt-realtime|gpt-audio|o[1-9](?:$|[-.])|codex|computer-use)/;
const CL100K = /^(gpt-4(?:$|-)|gpt-3\.5|gpt-35|text-embedding-(?:3|ada))/;

/**
 * The family from the model id first (aggregators such as OpenRouter serve every vendor's models), then from the
 * provider's name when the id says nothing (a deployment alias on Azure, a custom name on an Anthropic proxy).
 */
export function tokenizerFamilyFor(provider: string, model: string): TokenizerFamily {
  const id = model.toLowerCase();
  const last = id.slice(id.lastIndexOf('/') + 1);
  if (O200K.test(last)) return 'openai-o200k';
  if (CL100K.test(last)) return 'openai-cl100k';
  // Bedrock/Vertex ids wrap the name (`us.anthropic.claude-sonnet-4-5-v1:0`, `claude-sonnet-4-5@20250929`).
  if (id.includes('claude')) return 'anthropic';
  // Gemma shares Gemini's SentencePiece vocabulary.
  if (id.includes('gemini') || id.includes('gemma')) return 'gemini';
  const p = provider.toLowerCase();
  if (p.includes('anthropic')) return 'anthropic';
  if (p.includes('gemini') || p.includes('google') || p.includes('vertex')) return 'gemini';
  if (p === 'openai' || p.startsWith('openai-') || p.includes('azure')) return 'openai-o200k';
  return 'generic';
}

/** The family counts with an OpenAI BPE exactly rather than with a calibrated approximation. */
export function isOpenAiFamily(family: TokenizerFamily): family is 'openai-o200k' | 'openai-cl100k' {
  return family === 'openai-o200k' || family === 'openai-cl100k';
}
