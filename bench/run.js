// `npm run bench`: the whole benchmark matrix in one run (docs/benchmarks.md says what each part measures and why).
//   paths     passthrough and translated paths through the router, next to the same load sent straight to the
//             simulator and through the two floor proxies (bench/floor-pipe.js, bench/floor-reserialise.js);
//             with --peers also through Portkey's gateway and claude-code-router
//   records   throughput with request records off, on (SQLite) and on (PostgreSQL)
//   failover  a primary provider failing 30.8 % of its requests, with a backup
//   startup   start to first served request, and peak RSS under c=64 large-body load, of freshly started routers
// Then the targets of issues 6 and 9, each with its figure and met / not met.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildBodies, MODEL } from './bodies.js';
import { createPool, percentile, runLoad, streamComplete } from './load.js';
import { installPeers, PEERS, PEERS_DIR, startCcr, startPortkey } from './peers.js';
import { canPin, cpuMs, freePort, machineBusyMs, memory, pinPid, pinSelf, resetPeak, startNode, stop, waitIdle } from './procs.js';
import { buildReport, f2, f3, int, pct, writeDoc } from './report.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLIENT_KEY = 'sk-sy-bench-0123456789abcdef';
const UPSTREAM_KEY = 'sk-ant-bench-simulator';
const PG_ADMIN_URL = process.env.SWITCHYARD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const SECTIONS = ['paths', 'records', 'failover', 'startup'];
const USAGE =
  'node bench/run.js [--quick] [--duration SECONDS] [--concurrency 1,16,64] [--records-concurrency 16,64] [--failover-concurrency 1,16]\n' +
  '                  [--random-failures] [--sections paths,records,failover,startup] [--peers] [--peers-dir DIR] [--no-write]';

/**
 * Every path a cell can take: who answers (`target`: the simulator `sim`, the `router`, a floor proxy or a peer), the
 * client's wire protocol, the model the body names, the provider the router must pick, and `upstream`, the protocol
 * the simulator sees (for the `direct <upstream>` comparison). Floor and direct cells send the body a client would
 * send the provider itself (no `provider/` prefix).
 */
export const PATHS = {
  'direct anthropic': { target: 'sim', client: 'anthropic', model: MODEL },
  'pipe anthropic': { target: 'pipe', client: 'anthropic', model: MODEL },
  'reserialise anthropic': { target: 'reserialise', client: 'anthropic', model: MODEL },
  'anthropic→anthropic': { target: 'router', client: 'anthropic', model: MODEL, provider: 'anthropic', upstream: 'anthropic' },
  'anthropic→openai': { target: 'router', client: 'anthropic', model: 'openai/gpt-5.1', provider: 'openai', upstream: 'openai' },
  'ccr anthropic→openai': { target: 'ccr', client: 'anthropic', model: MODEL, upstream: 'openai' },
  'anthropic→gemini': { target: 'router', client: 'anthropic', model: 'google-ai-studio/gemini-2.5-flash', provider: 'google-ai-studio', upstream: 'gemini' },
  'direct openai': { target: 'sim', client: 'openai', model: 'gpt-5.1' },
  'pipe openai': { target: 'pipe', client: 'openai', model: 'gpt-5.1' },
  'reserialise openai': { target: 'reserialise', client: 'openai', model: 'gpt-5.1' },
  'openai→openai': { target: 'router', client: 'openai', model: 'openai/gpt-5.1', provider: 'openai', upstream: 'openai' },
  'portkey openai→openai': { target: 'portkey', client: 'openai', model: 'gpt-5.1', upstream: 'openai' },
  'openai→anthropic': { target: 'router', client: 'openai', model: `anthropic/${MODEL}`, provider: 'anthropic', upstream: 'anthropic' },
  'direct gemini': { target: 'sim', client: 'gemini', model: 'gemini-2.5-flash' },
  failover: { target: 'router', client: 'anthropic', model: 'anthropic/claude-sonnet-4-6', provider: 'anthropic', upstream: 'anthropic', extra: { models: ['backup/claude-sonnet-4-6'] } },
};
/** One group of the paths section (one body, mode and concurrency), in the order it is measured: back to back. */
const GROUP = Object.keys(PATHS).filter((p) => p !== 'failover');
const PEER_PATHS = { portkey: 'portkey openai→openai', ccr: 'ccr anthropic→openai' };
/** The router every section but `records` uses (records in SQLite). */
const ROUTER = 'router';
/**
 * The records section's routers, by store: used by nothing else (so the paths section's grown heap is not in their
 * figures), each measured with records off and on in turn, switched by a config reload (SIGHUP): records on is
 * compared with records off in the same process, not with another process whose own speed differs by as much as
 * the records cost (up to 80 µs/request between three fresh routers, in session 3's runs).
 */
const RECORDS_ROUTERS = { sqlite: 'router records sqlite', postgres: 'router records postgres' };
const STORE_NAMES = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/**
 * The primary's failures in the failover scenario: four kinds, 1/13 of its requests each (4/13 = 30.8 % in all).
 * The simulator tries rules in order, the first that fires wins and `every` counts the requests that reach a rule,
 * so `every` 13, 12, 11, 10 gives each kind the same share; `startFailures` staggers the rules' counters so that no
 * two failures are adjacent. At `conc` 1 the router then never sees 5 failures in a row (nor over 50 %), so the
 * primary's circuit breaker stays closed and the cells measure failover; at `conc` 16 failures come back before the
 * slower successes of the same burst and can still open it (the `circuit open` column). `--random-failures` rolls
 * instead (probability 1/13, 1/12, 1/11, 1/10: the same shares), which opens the breaker within ~600 requests.
 */
const FAILOVER_MODEL = 'claude-sonnet-4-6';
const FAILOVER_FAULTS = [{ kind: 'status', status: 529 }, { kind: 'status', status: 500 }, { kind: 'status', status: 429 }, { kind: 'reset' }];
const FAILOVER_EVERY = [13, 12, 11, 10];

/** Percent of one core that processes outside the benchmark may use during a cell before it is measured again. */
const OTHER_LIMIT = 10;

function parseArgs(argv) {
  const o = { quick: false, duration: undefined, concurrency: undefined, recordsConcurrency: undefined, failoverConcurrency: undefined, sections: SECTIONS, randomFailures: false, peers: false, peersDir: PEERS_DIR, write: true };
  const list = (v) => v.split(',').map(Number);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--duration') o.duration = Number(argv[++i]);
    else if (a === '--concurrency') o.concurrency = list(argv[++i]);
    else if (a === '--records-concurrency') o.recordsConcurrency = list(argv[++i]);
    else if (a === '--failover-concurrency') o.failoverConcurrency = list(argv[++i]);
    else if (a === '--sections') o.sections = argv[++i].split(',');
    else if (a === '--random-failures') o.randomFailures = true;
    else if (a === '--peers') o.peers = true;
    else if (a === '--peers-dir') o.peersDir = path.resolve(argv[++i]);
    else if (a === '--no-write') o.write = false;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (o.duration !== undefined && !(o.duration > 0)) throw new Error('--duration needs a positive number of seconds');
  for (const c of [...(o.concurrency ?? []), ...(o.recordsConcurrency ?? []), ...(o.failoverConcurrency ?? [])]) {
    if (!Number.isInteger(c) || c <= 0) throw new Error('--concurrency, --records-concurrency and --failover-concurrency need positive integers');
  }
  for (const s of o.sections) if (!SECTIONS.includes(s)) throw new Error(`--sections: unknown section ${s} (${SECTIONS.join(', ')})`);
  // --quick keeps the levels the targets are measured at: c=16 for CPU and throughput, c=1 for stream latency;
  // the startup section measures peak RSS at c=64 in both modes.
  o.levels = o.concurrency ? { json: o.concurrency, stream: o.concurrency } : o.quick ? { json: [16], stream: [1] } : { json: [1, 16, 64], stream: [1, 16, 64] };
  o.recordsConcurrency ??= o.quick ? [16] : [16, 64];
  o.failoverConcurrency ??= o.quick ? [1] : [1, 16];
  // More, shorter rounds: off and on of a pair are closer in time, and the median of 12 paired ratios moves less with
  // this VM's bursts than that of 8 (single rounds range from 0.5 to 1.4 on a noisy day).
  o.recordsRounds = o.quick ? 4 : 12;
  // Paths cells are measured in rounds too (one in quick mode, which has no time for more): on a noisy day the VM's
  // speed drifts by half within minutes, more than the ratios the targets compare.
  o.pathRounds = o.quick ? 1 : 3;
  const s = (full, quick) => (o.duration ?? (o.quick ? quick : full)) * 1000;
  o.timing = {
    // Per round (see buildPlan): 3 rounds of 1 s (quick: one of 1 s).
    paths: { durationMs: s(3, 1) / o.pathRounds, warmupMs: o.quick ? 200 : 500 },
    // Per round (see buildPlan): 12 rounds of 1 s (quick: 4 of 0.4 s) after the routers' common warm-up.
    records: { durationMs: s(12, 1.6) / o.recordsRounds, warmupMs: o.quick ? 100 : 300 },
    failover: { durationMs: s(5, 1), warmupMs: o.quick ? 200 : 1000 },
    startup: { durationMs: s(3, 1) },
  };
  // The warm-up before any measurement, per process, path, body and mode: slices of globalWarmupMs until the process's
  // CPU per request stops falling, at most globalWarmupSlices of them (see warmUntilSteady).
  o.globalWarmupMs = o.quick ? 200 : 750;
  o.globalWarmupSlices = o.quick ? 5 : 10;
  // The records routers serve nothing before their section: a longer warm-up, half with records off, half on.
  o.recordsWarmupMs = o.quick ? 1000 : 3000;
  if (o.write && o.sections.length < SECTIONS.length) {
    console.log('(not writing docs/benchmarks.md: only some sections run)');
    o.write = false;
  }
  return o;
}

/** Environment for the children: no real provider keys, so only the simulator-backed providers exist. */
function childEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/_API_KEY$|^ANTHROPIC_|^OPENAI_|^GEMINI_|^SWITCHYARD_|^PORTKEY_|_PROXY$/i.test(k)) delete env[k];
  return env;
}

/**
 * The router's config: Anthropic, OpenAI and Gemini providers on the simulator (or Anthropic only), `backup`
 * (Anthropic format) on the second simulator for failover, and request records in SQLite, PostgreSQL or off.
 */
function routerConfig(simUrl, { backupUrl, records = true, store = 'sqlite', pgUrl, anthropicOnly = false } = {}) {
  return [
    'server:',
    '  host: 127.0.0.1',
    ...(store === 'postgres' ? ['storage:', `  postgres: ${pgUrl}`] : []),
    'auth:',
    '  keys:',
    '    - name: bench',
    `      key: ${CLIENT_KEY}`,
    'providers:',
    '  anthropic:',
    `    base_url: ${simUrl}`,
    `    api_key: ${UPSTREAM_KEY}`,
    ...(anthropicOnly
      ? []
      : ['  openai:', `    base_url: ${simUrl}/v1`, '    api_key: sk-openai-bench-simulator', '  google-ai-studio:', `    base_url: ${simUrl}`, '    api_key: gemini-bench-simulator']),
    ...(backupUrl ? ['  backup:', '    format: anthropic', `    base_url: ${backupUrl}`, `    api_key: ${UPSTREAM_KEY}`, `    models: [${FAILOVER_MODEL}]`] : []),
    'telemetry:',
    '  log_level: warn',
    ...(records ? [] : ['  records:', '    enabled: false']),
    '',
  ].join('\n');
}

/** A router's figures from /metrics, by metric name (those without labels). */
async function routerMetrics(url) {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return Object.fromEntries([...(await res.text()).matchAll(/^(switchyard_\w+) (\S+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

/** Switches a router's records on or off: rewrites its config file, sends SIGHUP, waits until /metrics says so. */
async function setRecords(proc, file, config, on) {
  if ((await routerMetrics(proc.url)).switchyard_records_enabled === (on ? 1 : 0)) return;
  writeFileSync(file, config);
  proc.child.kill('SIGHUP');
  const deadline = Date.now() + 5000;
  while ((await routerMetrics(proc.url)).switchyard_records_enabled !== (on ? 1 : 0)) {
    if (Date.now() > deadline) throw new Error(`the router did not switch records ${on ? 'on' : 'off'} within 5 s of SIGHUP`);
    await sleep(20);
  }
}

async function simControl(simUrl, route, body) {
  const res = await fetch(simUrl + route, { method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`simulator ${route}: HTTP ${res.status}: ${await res.text()}`);
  return res.json();
}

/** One request through a path before measuring, so a broken setup fails with a readable message. */
async function smokeTest(name, url, { path: pathName, headers, body, stream, protocol }, provider) {
  const res = await fetch(url + pathName, { method: 'POST', headers, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${name}: smoke request got HTTP ${res.status}: ${text.slice(0, 500)}`);
  if (stream && !streamComplete(protocol, text)) throw new Error(`${name}: smoke stream ended early: ...${text.slice(-300)}`);
  const via = res.headers.get('x-switchyard-provider');
  if (provider && via !== provider) throw new Error(`${name}: router answered via ${via}, expected ${provider}`);
  return res.headers;
}

/**
 * The request `via` sends, per body kind and stream flag: {path, headers, body, stream, protocol}. `direct gemini`
 * is filled in by `captureGemini` (what the router sent the simulator for `anthropic→gemini`).
 */
function buildRequests(via, extraHeaders = {}) {
  const p = PATHS[via];
  const out = { small: {}, large: {} };
  if (p.client === 'gemini') return out;
  const bodies = buildBodies(repoRoot, { openai: p.client === 'openai', model: p.model, extra: p.extra });
  for (const body of ['small', 'large']) {
    for (const stream of [false, true]) {
      out[body][stream] = {
        path: p.client === 'openai' ? '/v1/chat/completions' : body === 'large' ? '/v1/messages?beta=true' : '/v1/messages',
        headers: { ...bodies[body].headers, authorization: `Bearer ${CLIENT_KEY}`, ...extraHeaders },
        body: bodies[body][stream],
        stream,
        protocol: p.client,
      };
    }
  }
  return out;
}

/** The newest request in the simulator's log, as a `direct gemini` request. */
async function captureGemini(simUrl, stream) {
  const [e] = await simControl(simUrl, '/_sim/requests?limit=1');
  if (e?.protocol !== 'gemini') throw new Error(`expected the router's Gemini request in the simulator log, got ${e?.path}`);
  const headers = { 'content-type': 'application/json', 'user-agent': 'switchyard-bench', 'x-goog-api-key': 'gemini-bench-simulator' };
  return { path: e.path + (e.query ? `?${e.query}` : ''), headers, body: Buffer.from(e.body, 'utf8'), stream, protocol: 'gemini' };
}

/** Primary fault rules for the failover cells, after checking that one failure is answered by the backup. */
async function startFailures(simUrl, routerUrl, req, random) {
  const match = { model: FAILOVER_MODEL };
  await simControl(simUrl, '/_sim/fault', { fault: { kind: 'status', status: 529 }, match, times: 1 });
  const h = await smokeTest('failover', routerUrl, req, 'backup');
  if (h.get('x-switchyard-attempts') !== '2') throw new Error(`failover: expected x-switchyard-attempts 2, got ${h.get('x-switchyard-attempts')}`);
  // Three requests straight to the primary after each rule but the last leave the rules' counters at 9, 6, 3 and 0:
  // from there on, every failure is followed by a success (checked over 300k requests).
  const prime = buildBodies(repoRoot, { model: FAILOVER_MODEL }).small;
  for (const [i, fault] of FAILOVER_FAULTS.entries()) {
    await simControl(simUrl, '/_sim/fault', { fault, match, ...(random ? { probability: 1 / FAILOVER_EVERY[i] } : { every: FAILOVER_EVERY[i] }) });
    for (let k = 0; !random && i < FAILOVER_FAULTS.length - 1 && k < 3; k++) {
      const res = await fetch(simUrl + '/v1/messages', { method: 'POST', headers: { ...prime.headers, 'x-api-key': UPSTREAM_KEY }, body: prime.false });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`failover: priming request got HTTP ${res.status}`);
    }
  }
}

/** A failover cell's response: `clean` (the primary answered), `failed over`, or `skipped` (primary's circuit open). */
function failoverKind(headers, text) {
  if (/circuit[ _]open/.test(text)) return 'skipped';
  const attempts = headers['x-switchyard-attempts'];
  const provider = headers['x-switchyard-provider'];
  if (attempts === '1' && provider === 'anthropic') return 'clean';
  if (provider === 'backup' && attempts !== '1') return 'failed over';
  return `${attempts} attempts via ${provider}`;
}

/** A throwaway PostgreSQL database for the records cells: {url, drop()}; throws when the server is unreachable. */
async function createBenchDatabase() {
  const admin = async (sql) => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const name = `switchyard_bench_${process.pid}_${Date.now().toString(36)}`;
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  /**
   * Moves the server processes serving this database (the router's connections) to `cpu`: like the simulators, the
   * database stands in for a machine of its own and must not take the router's core. Returns how many it moved.
   */
  const pinBackends = async (cpu) => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    await c.connect();
    try {
      const { rows } = await c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name]);
      return rows.filter((r) => pinPid(r.pid, cpu)).length;
    } finally {
      await c.end();
    }
  };
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`), pinBackends };
}

/** The cells, in the order they are measured. */
function buildPlan(opts, section) {
  const plan = [];
  if (section('paths')) {
    for (const body of ['small', 'large']) {
      for (const stream of [false, true]) {
        for (const concurrency of opts.levels[stream ? 'stream' : 'json']) {
          // Rounds, in alternating order, as for records: each cell's requests are spread over the whole group's
          // time, so drift on this shared machine falls on all of its paths alike (merged afterwards).
          for (let round = 0; round < opts.pathRounds; round++) {
            for (const via of round % 2 === 0 ? GROUP : [...GROUP].reverse()) {
              plan.push({ section: 'paths', via, body, stream, concurrency, records: 'sqlite', ...(opts.pathRounds > 1 && { round }) });
            }
          }
        }
      }
    }
  }
  if (section('records')) {
    // Rounds: off and on take turns in each router (in alternating order), so that drift over the seconds a group
    // takes (this machine's other tenants, CPU frequency) falls on both alike; the rounds are merged afterwards.
    for (const stream of [false, true]) {
      for (const concurrency of opts.recordsConcurrency) {
        for (let round = 0; round < opts.recordsRounds; round++) {
          for (const store of ['sqlite', 'postgres']) {
            const order = round % 2 === 0 ? ['off', store] : [store, 'off'];
            for (const records of order) plan.push({ section: 'records', via: 'anthropic→anthropic', body: 'small', stream, concurrency, store, records, round });
          }
        }
      }
    }
  }
  // Failover last, concurrency first: a circuit breaker that opens stays open for the next cells (30 s and more).
  if (section('failover')) {
    for (const concurrency of opts.failoverConcurrency) for (const stream of [false, true]) plan.push({ section: 'failover', via: 'failover', body: 'small', stream, concurrency, records: 'sqlite' });
  }
  return plan;
}

/** The process a cell's requests go to (a key of `procs`). */
const targetOf = (cell) => (PATHS[cell.via].target === 'router' ? (cell.section === 'records' ? RECORDS_ROUTERS[cell.store] : ROUTER) : PATHS[cell.via].target);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const f of ['dist/simulator/index.js', 'dist/cli/main.js']) {
    if (!existsSync(path.join(repoRoot, f))) throw new Error(`${f} is missing: run npm run build first (npm run bench does)`);
  }
  const started = performance.now();
  const pinned = canPin();
  if (pinned) pinSelf(1);
  const core = (n) => (pinned ? n : undefined);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  const env = childEnv();
  const section = (s) => opts.sections.includes(s);
  const notes = [];
  const cleanups = [];
  /** name -> {pid, child, url, core}: every process of the run, so a cell can tell its CPU from anyone else's. */
  const procs = {};
  const start = async (name, args, { cpu, ready, env: e = env }) => {
    const p = await startNode(args, { cpu, ready, cwd: repoRoot, env: e, name });
    procs[name] = { pid: p.pid, child: p.child, core: cpu, url: p.match[1] ?? JSON.parse(p.match.input).url };
    return procs[name];
  };
  const jsonReady = /^\{.*"url"/;

  let plan = buildPlan(opts, section);
  const sim = await start('sim', ['bench/sim-process.js'], { cpu: core(1), ready: jsonReady });
  // The failover scenario's backup provider gets a simulator of its own, so the primary's faults never reach it.
  const backup = section('failover') ? await start('backup sim', ['bench/sim-process.js'], { cpu: core(1), ready: jsonReady }) : undefined;

  try {
    // Startup first, while nothing else runs on the router's core.
    const startup = [];
    if (section('startup')) {
      for (const kind of ['anthropic only', 'all providers']) startup.push(await measureStartup(kind, { opts, pinned, tmp, env, simUrl: sim.url }));
    }

    // The processes the cells go through, all on core 0 (one at a time is busy).
    const needed = new Set(plan.map(targetOf));
    let pgDb;
    if (needed.has(RECORDS_ROUTERS.postgres)) {
      try {
        pgDb = await createBenchDatabase();
        cleanups.push(() => pgDb.drop());
      } catch (err) {
        const msg = `PostgreSQL records cells skipped: no server at ${new URL(PG_ADMIN_URL).host} (${err.message})`;
        console.log(`NOTICE: ${msg}`);
        notes.push(msg);
        needed.delete(RECORDS_ROUTERS.postgres);
      }
    }
    for (const [name, store] of [[ROUTER, 'sqlite'], ...Object.entries(RECORDS_ROUTERS).map(([s, n]) => [n, s])]) {
      if (!needed.has(name)) continue;
      const file = path.join(tmp, `${name.replace(/\W+/g, '-')}.yaml`);
      const config = (records) => routerConfig(sim.url, { backupUrl: name === ROUTER ? backup?.url : undefined, records, store, pgUrl: pgDb?.url });
      writeFileSync(file, config(true));
      const p = await start(name, ['bin/switchyard.js', 'start', '--config', file, '--port', '0', '--data-dir', path.join(tmp, `data-${name.replace(/\W+/g, '-')}`)], { cpu: core(0), ready: /listening on (http:\/\/\S+)/ });
      p.setRecords = (on) => setRecords(p, file, config(on), on);
    }
    for (const floor of ['pipe', 'reserialise']) {
      if (needed.has(floor)) await start(floor, [`bench/floor-${floor}.js`, sim.url], { cpu: core(0), ready: jsonReady });
    }
    const peerHeaders = {};
    const peerInfo = [];
    if (opts.peers && section('paths')) {
      let error;
      try {
        error = installPeers(opts.peersDir);
      } catch (err) {
        error = `cannot install into ${opts.peersDir}: ${err.message}`;
      }
      for (const [name, starter] of [['portkey', startPortkey], ['ccr', startCcr]]) {
        const info = { name, ...PEERS[name], path: PEER_PATHS[name] };
        peerInfo.push(info);
        if (error) {
          info.error = error;
          continue;
        }
        try {
          const p = await starter({ dir: opts.peersDir, simUrl: sim.url, cpu: core(0), env, tmp });
          procs[name] = { pid: p.proc.pid, child: p.proc.child, core: core(0), url: p.url };
          peerHeaders[PEER_PATHS[name]] = p.headers;
        } catch (err) {
          info.error = `could not start: ${err.message.split('\n')[0]}`;
        }
      }
    }

    // Requests, checked once through every path they take before anything is measured.
    const requests = {};
    const smoked = new Set();
    const skip = (via, why) => {
      const info = peerInfo.find((p) => p.path === via);
      if (info) info.error ??= why;
      else notes.push(`${via} skipped: ${why}`);
      plan = plan.filter((c) => c.via !== via);
    };
    // Cells whose process is missing (no PostgreSQL server, a peer that did not start) are left out.
    plan = plan.filter((c) => procs[targetOf(c)]);
    // `direct gemini` last: its requests are what the router sent the simulator for `anthropic→gemini`.
    for (const cell of [...plan].sort((a, b) => (a.via === 'direct gemini') - (b.via === 'direct gemini'))) {
      const { via, body, stream } = cell;
      const target = targetOf(cell);
      const key = `${via} ${target} ${body} ${stream}`;
      if (smoked.has(key) || !plan.includes(cell)) continue;
      smoked.add(key);
      requests[via] ??= buildRequests(via, peerHeaders[via]);
      try {
        if (via === 'direct gemini') {
          requests['anthropic→gemini'] ??= buildRequests('anthropic→gemini');
          await smokeTest('anthropic→gemini', procs.router.url, requests['anthropic→gemini'][body][stream], 'google-ai-studio');
          requests[via][body][stream] = await captureGemini(sim.url, stream);
        }
        await smokeTest(via, procs[target].url, requests[via][body][stream], PATHS[via].provider);
      } catch (err) {
        if (!['portkey', 'ccr'].includes(target)) throw err;
        skip(via, `does not answer through the simulator: ${err.message.split('\n')[0].slice(0, 300)}`);
      }
    }
    for (const info of peerInfo) {
      if (info.error) {
        console.log(`NOTICE: ${info.label} ${info.version} not measured: ${info.error}`);
        plan = plan.filter((c) => c.via !== info.path);
      }
    }

    // Start-up work (the routers' and the peers' own) is over before the first measurement; then get every
    // process's JIT through each path, body and mode (a router runs other code per path), so that cells measure the
    // steady state a long-running process is in, not compilation.
    if (pinned) await waitIdle(0);
    const warmed = new Set();
    const warmups = [];
    for (const cell of plan) {
      const key = `${cell.via} ${targetOf(cell)} ${cell.body} ${cell.stream}`;
      if (warmed.has(key) || cell.section === 'failover') continue;
      warmed.add(key);
      const req = requests[cell.via][cell.body][cell.stream];
      const proc = procs[targetOf(cell)];
      const pool = createPool(proc.url, 8);
      if (cell.section === 'records') {
        for (const on of [false, true]) {
          await proc.setRecords(on);
          await runLoad({ pool, ...req, concurrency: 8, durationMs: opts.recordsWarmupMs / 2 });
        }
      } else if (PATHS[cell.via].target === 'sim') {
        await runLoad({ pool, ...req, concurrency: 8, durationMs: opts.globalWarmupMs });
      } else {
        const slices = await warmUntilSteady({ pool, ...req, concurrency: 8, durationMs: opts.globalWarmupMs }, proc.pid, opts.globalWarmupSlices);
        warmups.push({ via: cell.via, body: cell.body, mode: cell.stream ? 'stream' : 'json', slices });
      }
      await pool.close();
    }

    const estimate = plan.reduce((ms, c) => ms + opts.timing[c.section].durationMs + opts.timing[c.section].warmupMs + (PATHS[c.via].target === 'router' ? 800 : 200), 0);
    console.log(
      `switchyard bench: ${plan.length} cells (${['paths', 'records', 'failover'].map((s) => `${plan.filter((c) => c.section === s).length} ${s}`).join(', ')}), ` +
        `about ${Math.ceil(estimate / 1000)} s more; pinning ${pinned ? 'router, floors and peers -> cpu 0, simulators + load generator -> cpu 1' : 'off'}\n`,
    );
    const cells = [];
    const ctx = { pinned, procs, requests };
    let retries = opts.quick ? 6 : 12;
    let failing = false;
    for (const spec of plan) {
      // The router opens its PostgreSQL connections as it needs them: pin whatever exists before each such cell.
      if (spec.store === 'postgres' && pinned && pgDb) await pgDb.pinBackends(1).catch(() => 0);
      if (spec.section === 'records') await procs[targetOf(spec)].setRecords(spec.records !== 'off');
      if (spec.section === 'failover' && !failing) {
        await startFailures(sim.url, procs.router.url, requests.failover.small.false, opts.randomFailures);
        failing = true;
      }
      const t = opts.timing[spec.section];
      let cell = await measureCell({ ...spec, ...t }, ctx);
      // Another process on this (shared) machine took CPU during the cell: measure it again, within a budget,
      // and keep the least disturbed attempt.
      let last = cell;
      // With PostgreSQL records the server process writing them is busy by design (it is part of what the cell
      // measures), and it may run on the router's core: not a disturbance to retry.
      while (last.otherPct >= OTHER_LIMIT && retries > 0 && spec.records !== 'postgres') {
        retries--;
        console.log(`${label(last)}  other processes used ${Math.round(last.otherPct)}% of a core: measuring again`);
        await sleep(1000);
        last = await measureCell({ ...spec, ...t }, ctx);
        if (last.otherPct < cell.otherPct) cell = last;
      }
      cells.push({ ...cell, round: spec.round });
      console.log(
        `${label(cell)} ${int(cell.rps).padStart(6)} req/s  p50 ${f2(cell.p50)} ms  p99 ${f2(cell.p99)} ms  errors ${cell.errors}` +
          (cell.proxied ? `  cpu ${f3(cell.cpu)} ms/req  peak ${Math.round(cell.peakMB)} MB` : '') +
          (cell.via === 'failover' ? `  failed over ${pct(cell.failedOver / cell.count)}, circuit open ${pct(cell.skipped / cell.count)}` : '') +
          (cell.otherPct >= OTHER_LIMIT ? `  (other processes used ${Math.round(cell.otherPct)}% of a core)` : '') +
          (cell.firstError ? `  (first error: ${cell.firstError})` : ''),
      );
    }
    if (failing) await simControl(sim.url, '/_sim/faults/clear', {});
    mergeRounds(cells);

    const report = buildReport({ cells, startup, opts, pinned, requests, notes, peerInfo, elapsedMs: performance.now() - started, paths: PATHS, warmups });
    console.log('\n' + report.text);
    if (opts.write) {
      writeDoc(report.markdown);
      console.log('\nwrote docs/benchmarks.md');
    }
    const errors = cells.reduce((n, c) => n + c.errors, 0) + startup.reduce((n, s) => n + s.errors, 0);
    if (errors > 0) {
      console.error(`\n${errors} request(s) failed; see the errors column`);
      process.exitCode = 1;
    }
  } finally {
    for (const p of Object.values(procs)) await stop(p.child);
    for (const fn of cleanups) await fn().catch((err) => console.error(`cleanup: ${err.message}`));
  }
}

/**
 * Warm-up slices of `load` until the CPU per request of `pid` stops falling: two slices in a row that are not 7 %
 * cheaper than the cheapest before them end it (one alone may be noise), as does `maxSlices`. A router needs a few
 * thousand requests of a large body before everything it runs for them is optimised: its CPU per request falls by
 * half over the first 3-5 s of 200 KB bodies, and switching bodies and back does not undo it. Returns the CPU ms per
 * request of each slice.
 */
async function warmUntilSteady(load, pid, maxSlices) {
  const slices = [];
  let best = Infinity;
  let stale = 0;
  while (slices.length < maxSlices && stale < 2) {
    const c0 = cpuMs(pid);
    const r = await runLoad(load);
    const perRequest = r.count > 0 ? (cpuMs(pid) - c0) / r.count : NaN;
    slices.push(perRequest);
    stale = perRequest < best * 0.93 ? 0 : stale + 1;
    best = Math.min(best, perRequest);
  }
  return slices;
}

const label = (c) => `${(c.via + (c.section === 'records' ? ` (${STORE_NAMES[c.store]} router, records ${c.records === 'off' ? 'off' : 'on'})` : '')).padEnd(24)} ${c.body.padEnd(5)} ${c.mode.padEnd(6)} c=${String(c.concurrency).padEnd(3)}`;

/**
 * One cell: warm-up, then a timed closed loop. CPU time of every process of the run and of each core, before and
 * after; the peak RSS of the process under test (VmHWM, reset before the cell; sampled RSS where it cannot be reset).
 */
async function measureCell({ section, via, store, records, body, stream, concurrency, round, durationMs, warmupMs }, { pinned, procs, requests }) {
  const name = targetOf({ section, via, store, records });
  const target = procs[name];
  const proxied = PATHS[via].target !== 'sim';
  const viaRouter = PATHS[via].target === 'router';
  const pool = createPool(target.url, concurrency);
  const req = requests[via][body][stream];
  const classify = via === 'failover' ? failoverKind : undefined;
  const load = { pool, path: req.path, headers: req.headers, body: req.body, stream, protocol: req.protocol, concurrency, classify };
  // Router cells wait for request records to be written (every 200 ms) so that each cell pays for its own.
  const settleMs = viaRouter ? 300 : 0;
  await runLoad({ ...load, durationMs: warmupMs });
  await sleep(settleMs); // let the warm-up's request records flush before the CPU reading
  const cpu = () => ({
    ...Object.fromEntries(Object.entries(procs).map(([name, p]) => [name, cpuMs(p.pid)])),
    self: cpuMs(process.pid),
    all: machineBusyMs(),
    core0: pinned ? machineBusyMs(0) : 0,
    core1: pinned ? machineBusyMs(1) : 0,
  });
  const peakReset = proxied && resetPeak(target.pid);
  let rssMax = 0;
  const sampler = proxied && !peakReset ? setInterval(() => (rssMax = Math.max(rssMax, memory(target.pid).rssMB)), 250) : undefined;
  // Records cells count the records written (outside the CPU window: a scrape costs the router CPU too).
  const written = async () => (section === 'records' ? (await routerMetrics(target.url)).switchyard_records_written_total : NaN);
  const written0 = await written();
  const cpu0 = cpu();
  const r = await runLoad({ ...load, durationMs });
  await sleep(settleMs); // ... and count this cell's record writes
  const cpu1 = cpu();
  const recordsWritten = (await written()) - written0;
  clearInterval(sampler);
  const peakMB = !proxied ? NaN : peakReset ? memory(target.pid).hwmMB : Math.max(rssMax, memory(target.pid).rssMB);
  await pool.close();
  const d = (k) => cpu1[k] - cpu0[k];
  const sum = (filter) => Object.keys(procs).filter((n) => filter(procs[n])).reduce((ms, n) => ms + d(n), 0);
  // CPU that processes outside the benchmark took where it matters: with pinning, core 1 (simulators + load
  // generator) and, for proxied cells, core 0; without pinning, the whole machine.
  const other = pinned
    ? Math.max(0, d('core1') - sum((p) => p.core === 1) - d('self')) + (proxied ? Math.max(0, d('core0') - sum((p) => p.core === 0)) : 0)
    : Math.max(0, d('all') - sum(() => true) - d('self'));
  const clean = r.groups.clean ?? new Float64Array(0);
  const failedOver = r.groups['failed over'] ?? new Float64Array(0);
  const simCpu = d('sim') + (procs['backup sim'] ? d('backup sim') : 0);
  return {
    section,
    via,
    store,
    records,
    recordsWritten,
    target: name,
    body,
    mode: stream ? 'stream' : 'json',
    concurrency,
    proxied,
    rps: (r.count / r.elapsedMs) * 1000,
    elapsedMs: r.elapsedMs,
    // Kept (copied out of the load generator's big sample buffer) only for rounds, which are merged later.
    ...(round !== undefined && { latency: Float64Array.from(r.latency), ttfb: Float64Array.from(r.ttfb ?? []) }),
    p50: percentile(r.latency, 0.5),
    p90: percentile(r.latency, 0.9),
    p99: percentile(r.latency, 0.99),
    ttfb50: stream ? percentile(r.ttfb, 0.5) : NaN,
    ttfb99: stream ? percentile(r.ttfb, 0.99) : NaN,
    count: r.count,
    errors: r.errors,
    firstError: r.firstError,
    cpu: proxied && r.count > 0 ? d(name) / r.count : NaN,
    simCpu: r.count > 0 ? simCpu / r.count : NaN,
    peakMB,
    otherPct: (100 * other) / (r.elapsedMs + settleMs),
    ...(classify && {
      clean: clean.length,
      cleanP50: percentile(clean, 0.5),
      failedOver: failedOver.length,
      failedOverP50: percentile(failedOver, 0.5),
      failedOverP99: percentile(failedOver, 0.99),
      skipped: r.groups.skipped?.length ?? 0,
      skippedP50: percentile(r.groups.skipped ?? [], 0.5),
    }),
  };
}

/** Merges the rounds of each cell (in place, where its first round was): one cell over all their requests. */
function mergeRounds(cells) {
  const first = new Map();
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c.round === undefined) continue;
    const key = `${c.section} ${c.via} ${c.body} ${c.mode} ${c.concurrency} ${c.store} ${c.records}`;
    if (!first.has(key)) first.set(key, { at: i, parts: [] });
    first.get(key).parts.push(c);
  }
  const merged = new Map();
  for (const { at, parts } of first.values()) {
    const count = parts.reduce((n, p) => n + p.count, 0);
    const elapsedMs = parts.reduce((n, p) => n + p.elapsedMs, 0);
    const weighted = (k, by) => parts.reduce((n, p) => n + p[k] * p[by], 0) / parts.reduce((n, p) => n + p[by], 0);
    const joined = (k) => Float64Array.from(parts.flatMap((p) => Array.from(p[k] ?? []))).sort();
    const latency = joined('latency');
    const ttfb = joined('ttfb');
    const stream = parts[0].mode === 'stream';
    merged.set(at, {
      ...parts[0],
      round: undefined,
      rounds: parts.length,
      count,
      recordsWritten: parts.reduce((n, p) => n + p.recordsWritten, 0),
      // Each round's throughput, by round: a records-on round is compared with the records-off round next to it.
      roundRps: parts.map((p) => p.rps),
      elapsedMs,
      rps: (count / elapsedMs) * 1000,
      errors: parts.reduce((n, p) => n + p.errors, 0),
      firstError: parts.find((p) => p.firstError)?.firstError,
      p50: percentile(latency, 0.5),
      p90: percentile(latency, 0.9),
      p99: percentile(latency, 0.99),
      ttfb50: stream ? percentile(ttfb, 0.5) : NaN,
      ttfb99: stream ? percentile(ttfb, 0.99) : NaN,
      cpu: weighted('cpu', 'count'),
      simCpu: weighted('simCpu', 'count'),
      peakMB: Math.max(...parts.map((p) => p.peakMB)),
      otherPct: weighted('otherPct', 'elapsedMs'),
    });
  }
  const out = cells.flatMap((c, i) => (c.round === undefined ? [c] : merged.has(i) ? [merged.get(i)] : []));
  cells.splice(0, cells.length, ...out);
}

/**
 * A freshly started router: time from spawning it to the first answered POST /v1/messages (polled every few ms on a
 * port picked beforehand), then its peak RSS (VmHWM, start-up included) after c=64 large-body passthrough load, JSON
 * then streaming; the all-providers router then also takes the translated path (Anthropic → OpenAI) the same way.
 */
async function measureStartup(kind, { opts, pinned, tmp, env, simUrl }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cfg = path.join(tmp, `startup-${kind.replace(' ', '-')}.yaml`);
  writeFileSync(cfg, routerConfig(simUrl, { anthropicOnly: kind === 'anthropic only' }));
  const pass = buildRequests('anthropic→anthropic');
  const first = pass.small.false;
  const t0 = performance.now();
  let failed;
  const starting = startNode(['bin/switchyard.js', 'start', '--config', cfg, '--port', String(port), '--data-dir', path.join(tmp, `startup-${kind.replace(' ', '-')}`)], {
    cpu: pinned ? 0 : undefined,
    ready: /listening on/,
    cwd: repoRoot,
    env,
    name: `router (${kind})`,
  });
  starting.catch((err) => (failed = err));
  let startMs;
  while (startMs === undefined) {
    const ok = await fetch(url + first.path, { method: 'POST', headers: first.headers, body: first.body }).then(
      async (res) => (await res.arrayBuffer(), res.status === 200),
      () => false,
    );
    if (ok) startMs = performance.now() - t0;
    else if (failed) throw failed;
    else await sleep(2);
  }
  const router = await starting;
  const result = { kind, startMs, errors: 0 };
  const load = async (requests) => {
    for (const stream of [false, true]) {
      const req = requests.large[stream];
      const pool = createPool(url, 64);
      const r = await runLoad({ pool, ...req, concurrency: 64, durationMs: opts.timing.startup.durationMs });
      await pool.close();
      result.errors += r.errors;
      result.firstError ??= r.firstError;
    }
    return memory(router.pid).hwmMB;
  };
  result.peakMB = await load(pass);
  if (kind === 'all providers') result.peakTranslatedMB = await load(buildRequests('anthropic→openai'));
  await stop(router.child);
  console.log(`startup ${kind}: first answer after ${Math.round(startMs)} ms; peak RSS ${Math.round(result.peakMB)} MB under c=64 large load` + (result.peakTranslatedMB ? `, ${Math.round(result.peakTranslatedMB)} MB after translated` : ''));
  return result;
}

main().catch((err) => {
  console.error(`bench failed: ${err.stack ?? err}`);
  process.exit(1);
});
