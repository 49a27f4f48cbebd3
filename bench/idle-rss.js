// Idle memory of a freshly started router (issue 9): starts `switchyard start` with an Anthropic-only config and
// with Anthropic + OpenAI + Gemini providers (every base URL on 127.0.0.1:9: nothing is called at idle), waits, and
// reads VmRSS, RssAnon and RssFile from /proc/PID/status. Linux only.
//
//   npm run build && node bench/idle-rss.js [--wait MS (3000)] [--runs N (5)]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/switchyard.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const WAIT_MS = arg('--wait', 3000);
const RUNS = arg('--runs', 5);

const CONFIGS = {
  'anthropic only': ['providers:', '  anthropic: { api_key: sk-ant-idle, base_url: http://127.0.0.1:9 }'],
  'anthropic + openai + gemini': [
    'providers:',
    '  anthropic: { api_key: sk-ant-idle, base_url: http://127.0.0.1:9 }',
    '  openai: { api_key: sk-openai-idle, base_url: http://127.0.0.1:9/v1 }',
    '  google-ai-studio: { api_key: gemini-idle, base_url: http://127.0.0.1:9 }',
  ],
};

const mb = (status, field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN) / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(lines) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sy-idle-'));
  try {
    writeFileSync(path.join(dir, 'switchyard.yaml'), [...lines, 'telemetry: { log_level: warn }'].join('\n'));
    // Provider keys from the environment would add providers: only the config's count.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/_API_KEY$/.test(k)));
    const child = spawn(process.execPath, [BIN, 'start', '--config', path.join(dir, 'switchyard.yaml'), '--port', '0', '--data-dir', path.join(dir, 'data')], { env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    child.kill('SIGTERM');
    await exited;
    return { vmrss: mb(status, 'VmRSS'), anon: mb(status, 'RssAnon'), file: mb(status, 'RssFile') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`idle memory ${WAIT_MS} ms after start, median of ${RUNS} runs (MB)`);
console.log('config                        VmRSS  RssAnon  RssFile');
for (const [name, lines] of Object.entries(CONFIGS)) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measure(lines));
  const m = (k) => median(runs.map((r) => r[k])).toFixed(1);
  console.log(`${name.padEnd(28)} ${m('vmrss').padStart(6)}  ${m('anon').padStart(7)}  ${m('file').padStart(7)}`);
}
