import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor, bodyText } from './redact.js';

describe('Redactor', () => {
  it('removes the exact secrets it was given, wherever they appear', () => {
    const r = new Redactor(['provider-secret-123456', 'short']);
    const out = r.redact('{"note":"my key is provider-secret-123456 ok","x":"short"}');
    expect(out).not.toContain('provider-secret-123456');
    expect(out).toContain(REDACTED);
    // Too short to be a key: left alone rather than shredding ordinary words.
    expect(out).toContain('"x":"short"');
  });

  it('removes extra per-request secrets (the presented client key)', () => {
    expect(new Redactor([]).redact('hello client-key-abcdefgh', ['client-key-abcdefgh'])).toBe(`hello ${REDACTED}`);
  });

  it.each([
    ['Anthropic', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
    ['OpenAI project', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123'],
    ['Switchyard client', 'sk-sy-AbCdEfGhIjKlMnOpQrStUv'],
    ['Gemini', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
    ['Groq', 'gsk_AbCdEfGhIjKlMnOpQrStUvWxYz012345'],
    ['xAI', 'xai-AbCdEfGhIjKlMnOpQrStUvWxYz012345'],
    ['AWS', 'AKIAIOSFODNN7EXAMPLE'],
    ['GitHub', 'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'],
  ])('removes an unknown %s key by its shape', (_name, key) => {
    const out = new Redactor([]).redact(`{"messages":[{"role":"user","content":"use ${key} please"}]}`);
    expect(out).not.toContain(key);
    expect(out).toContain(REDACTED);
  });

  it('removes bearer tokens and the values of secret-named JSON fields', () => {
    const out = new Redactor([]).redact('{"headers":{"Authorization":"Bearer abc.def.ghi-jkl"},"api_key":"xyz","db_password":"p\\"w","tokens":3}');
    expect(out).not.toMatch(/abc\.def|"xyz"|p\\"w/);
    expect(out).toContain(`"api_key":"${REDACTED}"`);
    expect(out).toContain(`"db_password":"${REDACTED}"`);
    // A number-valued field named like a counter is not a secret string.
    expect(out).toContain('"tokens":3');
  });

  it('leaves ordinary prompts untouched', () => {
    const text = '{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Summarise the skeleton key chapter"}]}';
    expect(new Redactor(['provider-secret-123456']).redact(text)).toBe(text);
  });
});

describe('bodyText', () => {
  it('keeps bodies under the limit whole and cuts longer ones with a marker', () => {
    expect(bodyText(Buffer.from('abc'), 10)).toBe('abc');
    expect(bodyText(Buffer.from('abcdefghij'), 4)).toBe('abcd\n[… 6 more bytes not stored]');
  });
});
