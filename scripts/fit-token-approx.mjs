#!/usr/bin/env node
/**
 * Re-fits the piece costs of src/formats/tokens/approx.ts (the BPE-free token estimate of the request path) against
 * the real o200k BPE, and prints the new constants and the estimate's error on held-out text.
 *
 *   npm run build && node scripts/fit-token-approx.mjs
 *
 * Fitting text: this repository's docs and sources, the READMEs and package.json files of node_modules, the strings
 * of the recorded Claude Code requests (../shared/fixtures/claude-code, when present), and every other message of
 * TypeScript's translated diagnostics (13 languages). Held out: ../shared/reference and SPEC.md, a slice of
 * typescript.js, package-lock.json, the other half of the translated diagnostics, and random base64.
 * Each group's cost is `base + slope * max(0, length - knee)`, least squares over every piece of the group (ASCII
 * words and punctuation over the English texts only); letters of other scripts cost their mean per letter, and a
 * Latin letter with a diacritic its mean cost beyond the ASCII word model.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = path.resolve(ROOT, '../shared');
const approx = await import(path.join(ROOT, 'dist/formats/tokens/approx.js'));
const require = createRequire(path.join(ROOT, 'package.json'));
const o200k = require('gpt-tokenizer/cjs/encoding/o200k_base');
const cl100k = require('gpt-tokenizer/cjs/encoding/cl100k_base');
const PLAIN = { disallowedSpecial: new Set() };
const bpe = (s) => o200k.countTokens(s, PLAIN);

function files(dir, ext, out = []) {
  for (const f of readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) {
      if (f !== 'node_modules' && !f.startsWith('.')) files(p, ext, out);
    } else if (f.endsWith(ext)) out.push(p);
  }
  return out;
}
const read = (p) => readFileSync(p, 'utf8');
const modules = readdirSync(path.join(ROOT, 'node_modules')).sort();
const LANGS = ['cs', 'de', 'es', 'fr', 'it', 'ja', 'ko', 'pl', 'pt-br', 'ru', 'tr', 'zh-cn', 'zh-tw'];
function diagnostics(parity) {
  const out = {};
  for (const l of LANGS) {
    const messages = Object.values(JSON.parse(read(path.join(ROOT, `node_modules/typescript/lib/${l}/diagnosticMessages.generated.json`))));
    out[`TypeScript diagnostics (${l})`] = messages.filter((_, i) => i % 2 === parity).join('\n');
  }
  return out;
}
function claudeCodeStrings() {
  const dir = path.join(SHARED, 'fixtures/claude-code');
  if (!existsSync(dir)) return '';
  const seen = new Set();
  const collect = (v) => {
    if (typeof v === 'string') seen.add(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'input_schema') seen.add(JSON.stringify(x));
        else collect(x);
      }
    }
  };
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of read(path.join(dir, f)).split('\n')) {
      if (!line.trim()) continue;
      const body = JSON.parse(line).body;
      if (body && typeof body === 'object') collect({ system: body.system, messages: body.messages, tools: body.tools });
    }
  }
  return [...seen].join('\n');
}
function pseudoRandomBase64(n) {
  const b = Buffer.alloc(n);
  let s = 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b.toString('base64');
}

const fitting = {
  'docs/*.md': files(path.join(ROOT, 'docs'), '.md').map(read).join('\n\n'),
  'src/**/*.ts': files(path.join(ROOT, 'src'), '.ts').map(read).join('\n').slice(0, 600_000),
  'node_modules READMEs': modules.map((m) => path.join(ROOT, 'node_modules', m, 'README.md')).filter(existsSync).map(read).join('\n\n').slice(0, 800_000),
  'node_modules package.json': modules.map((m) => path.join(ROOT, 'node_modules', m, 'package.json')).filter(existsSync).map((p) => JSON.stringify(JSON.parse(read(p)))).join('\n').slice(0, 300_000),
  'Claude Code request strings': claudeCodeStrings(),
  ...diagnostics(0),
};
const heldOut = {
  ...Object.fromEntries(['reference/wire-formats.md', 'reference/gateways.md', 'reference/hosted-router-notes.md', 'SPEC.md'].filter((f) => existsSync(path.join(SHARED, f))).map((f) => [`shared/${f}`, read(path.join(SHARED, f))])),
  'typescript.js (code)': read(path.join(ROOT, 'node_modules/typescript/lib/typescript.js')).slice(1_000_000, 1_200_000),
  'package-lock.json (JSON, hashes)': read(path.join(ROOT, 'package-lock.json')).slice(0, 150_000),
  ...diagnostics(1),
  'random base64': pseudoRandomBase64(60_000),
};

// Every piece of the fitting text, with its exact cost.
const byLength = new Map(); // group -> length -> { n, tokens }
const perLetter = new Map(); // group -> { letters, tokens }
const accented = []; // [group, length, accents, tokens]
for (const [name, text] of Object.entries(fitting)) {
  // ASCII words and punctuation are fitted to the English texts only: words of other Latin-script languages cost
  // more than English words of the same shape (o200k's vocabulary is English-heavy) and would bias English upwards.
  const english = !name.startsWith('TypeScript diagnostics');
  approx.scanPieces(text, (p) => {
    const g = approx.pieceGroup(text, p);
    const tokens = bpe(text.slice(p.start, p.end));
    if (g.group.startsWith('o')) {
      const a = perLetter.get(g.group) ?? { letters: 0, tokens: 0 };
      a.letters += g.length;
      a.tokens += tokens;
      perLetter.set(g.group, a);
    } else if (g.accents > 0) accented.push([g.group, g.length, g.accents, tokens]);
    else if (english) {
      const m = byLength.get(g.group) ?? new Map();
      const a = m.get(g.length) ?? { n: 0, tokens: 0 };
      a.n++;
      a.tokens += tokens;
      m.set(g.length, a);
      byLength.set(g.group, m);
    }
  });
}

const lengthCosts = {};
for (const [group, m] of [...byLength].sort()) {
  if (group === '1') continue;
  let best = null;
  for (let knee = 0; knee <= 14; knee++) {
    let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const [len, a] of m) {
      const x = Math.max(0, len - knee);
      sw += a.n;
      sx += a.n * x;
      sy += a.tokens;
      sxx += a.n * x * x;
      sxy += x * a.tokens;
    }
    const det = sw * sxx - sx * sx;
    const slope = det > 0 ? Math.max(0, (sw * sxy - sx * sy) / det) : 0;
    const base = (sy - slope * sx) / sw;
    let err = 0;
    for (const [len, a] of m) err += a.n * (a.tokens / a.n - (base + slope * Math.max(0, len - knee))) ** 2;
    if (!best || err < best.err) best = { base: +base.toFixed(3), slope: +slope.toFixed(3), knee, err };
  }
  lengthCosts[group] = { base: best.base, slope: best.slope, knee: best.knee };
}
const letterCosts = Object.fromEntries([...perLetter].sort().map(([g, a]) => [g, +(a.tokens / a.letters).toFixed(3)]));
let residual = 0;
let accents = 0;
for (const [group, len, n, tokens] of accented) {
  const c = lengthCosts[group];
  residual += tokens - (c.base + c.slope * Math.max(0, len - c.knee));
  accents += n;
}
const accentCost = +(residual / accents).toFixed(3);

console.log('// Paste into src/formats/tokens/approx.ts:');
console.log(`export const ACCENT_COST = ${accentCost};`);
console.log('export const LENGTH_COSTS = {');
for (const [g, c] of Object.entries(lengthCosts)) console.log(`  ${g}: { base: ${c.base}, slope: ${c.slope}, knee: ${c.knee} },`);
console.log('};\nexport const LETTER_COSTS = {');
for (const [g, c] of Object.entries(letterCosts)) console.log(`  ${g}: ${c},`);
console.log('};');
// OPENAI_TEXT_SCALE['openai-cl100k'] of profiles.ts: cl100k tokens per o200k token of the English fitting texts.
const english = Object.entries(fitting).filter(([name]) => !name.startsWith('TypeScript diagnostics'));
const cl = english.reduce((n, [, t]) => n + cl100k.countTokens(t, PLAIN), 0);
const o = english.reduce((n, [, t]) => n + bpe(t), 0);
console.log(`// cl100k / o200k over ${english.map(([n]) => n).join(', ')}: ${(cl / o).toFixed(3)}\n`);

// The estimate with the constants just fitted, against the exact count.
function estimate(text) {
  let total = 0;
  approx.scanPieces(text, (p) => {
    const g = approx.pieceGroup(text, p);
    const lc = lengthCosts[g.group];
    if (lc) total += lc.base + lc.slope * Math.max(0, g.length - lc.knee) + g.accents * accentCost;
    else if (letterCosts[g.group] !== undefined) total += letterCosts[g.group] * g.length;
    else total += 1;
  });
  return Math.round(total);
}
const current = (text) => approx.approxTokens(text);
console.log('| text | characters | o200k | estimate | error | estimate with the constants in dist/ |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, text] of [...Object.entries(fitting).map(([n, t]) => [`(fitting) ${n}`, t]), ...Object.entries(heldOut)]) {
  const exact = bpe(text);
  const e = estimate(text);
  const pct = (x) => `${((100 * (x - exact)) / exact).toFixed(1)}%`;
  const shipped = current(text);
  console.log(`| ${name} | ${text.length} | ${exact} | ${e} | ${pct(e)} | ${shipped} (${pct(shipped)}) |`);
}
