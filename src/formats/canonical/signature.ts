import type { SignatureOrigin, WireFormat } from './types.js';

/**
 * Reasoning signatures from a non-Anthropic upstream (Gemini thought signatures, or none for OpenAI reasoning) are
 * handed to Anthropic clients inside thinking blocks, which clients such as Claude Code replay verbatim on the next
 * turn. Wrapping them with their origin lets the next request route each signature back to the only kind of upstream
 * that can verify it, without server-side state: `sy1:<format>:<provider>:<model>:<signature>`.
 */
const PREFIX = 'sy1:';

export function wrapSignature(origin: SignatureOrigin, signature: string): string {
  return `${PREFIX}${origin.format}:${encodeURIComponent(origin.provider ?? '')}:${encodeURIComponent(origin.model ?? '')}:${signature}`;
}

export function unwrapSignature(value: string): { origin: SignatureOrigin; signature: string } | null {
  if (!value.startsWith(PREFIX)) return null;
  const parts = value.slice(PREFIX.length).split(':');
  if (parts.length < 4) return null;
  const [format, provider, model, ...rest] = parts;
  if (format !== 'anthropic' && format !== 'openai' && format !== 'gemini') return null;
  return {
    origin: { format: format as WireFormat, provider: decodeURIComponent(provider) || undefined, model: decodeURIComponent(model) || undefined },
    signature: rest.join(':'),
  };
}
