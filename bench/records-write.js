// Micro-benchmark of the request-record write path: the router CPU one record costs, from `Recorder.add` to the
// store, with SQLite and PostgreSQL, without HTTP around it. Run after `npm run build` (or
// `npx tsc -p tsconfig.build.json`):
//
//   node bench/records-write.js [--dist DIR] [--backends none,sqlite,postgres] [--reps 3] [--records 20000]
//                               [--garbage-parses 4] [--live-mb 64]
//
// `--dist` measures another build (e.g. one of an older tree compiled into /tmp/x/dist, with a node_modules link
// and a {"type":"module"} package.json next to it), so before and after can be compared on one machine. PostgreSQL:
// a throwaway database `switchyard_bench_rw_<pid>` is created on SWITCHYARD_BENCH_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/postgres) and dropped at the end. The records are what a successful
// anthropic→anthropic passthrough of the small body records (see `makeRecord`).
//
// Per backend, all through the public Recorder API (so any build can be measured), CPU µs per record:
//   queue   `Recorder.add` (no write runs meanwhile)
//   write   `Recorder.flush` of batches of 1,000 (a 200 ms tick at 5k req/s) into a table that already holds 100,000
//           records; for PostgreSQL also the CPU of the server's processes (`/proc`, every process named postgres)
//   steady  the whole cost in a steady state: each simulated request leaves the garbage a request makes (so
//           scavenges run about as often as in a router; `--garbage-parses`) next to a long-lived heap
//           (`--live-mb`) and adds its record, with a flush every 1,000 records; process CPU (all threads, GC
//           helpers included) minus the same loop with records discarded (as `telemetry.records.enabled: false`
//           does). This is the figure that includes what queued records cost the GC; the GC pauses (main thread,
//           from PerformanceObserver) of that difference are shown next to it.
// Backend `none` stores nothing: its figures are the queue's share alone (holding records until their flush).
// Figures move by ±1-2 µs from run to run on a shared VM: compare medians of several runs.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { smallBody } from './bodies.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: path.join(repoRoot, 'dist') },
    backends: { type: 'string', default: 'none,sqlite,postgres' },
    records: { type: 'string', default: '20000' },
    reps: { type: 'string', default: '3' },
    // JSON.parse of the small request body per simulated request: the request path's own garbage.
    'garbage-parses': { type: 'string', default: '4' },
    // Long-lived objects held throughout (a router holds its catalog, tokenizer tables, pools...): what each major
    // GC, which promoted records make more frequent, has to mark.
    'live-mb': { type: 'string', default: '64' },
  },
});
const dist = path.resolve(args.dist);
const STEADY_RECORDS = Number(args.records);
const REPS = Number(args.reps);
const GARBAGE_PARSES = Number(args['garbage-parses']);
const LIVE_MB = Number(args['live-mb']);
const BATCH = 1000;
const PREFILL = 100_000;
const PG_ADMIN_URL = process.env.SWITCHYARD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const { Recorder } = await import(pathToFileURL(path.join(dist, 'telemetry/recorder.js')).href);
const { SqliteStore } = await import(pathToFileURL(path.join(dist, 'store/sqlite/index.js')).href);
const { PostgresStore } = await import(pathToFileURL(path.join(dist, 'store/postgres/index.js')).href);

const log = pino({ level: 'silent' });
const BODY_TEXT = JSON.stringify(smallBody());
const UA = 'Anthropic/JS 0.52.0';
const MODEL = 'claude-opus-4-8';

let seq = 0;
/** A request id as src/util/ids.ts makes one: time-ordered prefix plus 14 random characters. */
function newId(now) {
  return 'req_' + now.toString(36).padStart(9, '0') + randomBytes(11).toString('base64url').slice(0, 14);
}

/**
 * The record of a successful anthropic→anthropic passthrough of the small body, as RequestContext.finish and
 * priceRecord leave it: a concrete model (routing kind `model`, one candidate), one attempt sharing the usage, no
 * metadata, no bodies. Built fresh per request, as the router does.
 */
function makeRecord(now) {
  seq++;
  const usage = { input: 812, output: 64 + (seq % 50), cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  const ttft = 40 + (seq % 100) / 10;
  return {
    id: newId(now),
    time: now,
    keyId: 'key_3f9a0c51d2e8b7a64c10',
    keyName: 'bench',
    api: 'anthropic',
    endpoint: 'messages',
    client: UA.slice(0, 200),
    requestedModel: MODEL,
    model: 'anthropic/' + MODEL,
    provider: 'anthropic',
    status: 200,
    errorClass: null,
    error: null,
    stream: false,
    stopReason: 'end_turn',
    usage,
    costUsd: 0.01378 + (seq % 7) / 1e5,
    ttftMs: ttft,
    overheadMs: 0.21,
    generationMs: 17.45,
    durationMs: ttft + 17.66,
    attempts: [
      { provider: 'anthropic', model: MODEL, status: 200, success: true, errorClass: null, error: null, ttftMs: ttft, durationMs: ttft + 17.45, keyId: 'key0', startMs: 0.21, usage, costUsd: 0.01378 },
    ],
    routing: {
      kind: 'model',
      router: null,
      routeId: null,
      variantId: null,
      matchedExpression: null,
      celErrors: [],
      reasoning: null,
      auto: null,
      candidates: [{ provider: 'anthropic', model: MODEL }],
      passedOver: [],
    },
    metadata: null,
    bodies: null,
  };
}

/** ~LIVE_MB of small long-lived objects (about 100 bytes each). */
const live = Array.from({ length: Math.round((LIVE_MB * 1024 * 1024) / 100) }, (_, i) => ({ i, name: `entry-${i}`, next: null }));

/** What a request leaves behind besides its record (parsed body, headers, buffers): drives the scavenger. */
let sink = 0;
function requestGarbage() {
  for (let i = 0; i < GARBAGE_PARSES; i++) sink += JSON.parse(BODY_TEXT).messages.length;
}

function cpuUs() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const CLK_TCK_US = 10_000; // USER_HZ is 100 on Linux
/** CPU (µs) used so far by every process named `postgres` on this machine (the server's backends and workers). */
function postgresServerCpuUs() {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const fields = stat.slice(close + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * CLK_TCK_US;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function newRecorder(store, flushIntervalMs) {
  // batchSize above anything added here: writes happen on the tick (or an explicit flush) only, as at 5k req/s.
  return new Recorder(store, log, { flushIntervalMs, queueLimit: 1_000_000, batchSize: 1_000_000 });
}

async function prefill(store) {
  const rec = newRecorder(store, 3_600_000);
  const t0 = Date.now() - 3_600_000;
  for (let i = 0; i < PREFILL; i++) {
    rec.add(makeRecord(t0 + Math.floor(i / 5)));
    if (rec.depth >= 5000) await rec.flush();
  }
  await rec.close();
}

/** µs per record of `add` and of `flush`, over `REPS` x 5 batches of BATCH records. */
async function queueAndWrite(store) {
  const rec = newRecorder(store, 3_600_000);
  const add = [];
  const write = [];
  let serverUs = 0;
  for (let i = 0; i < REPS * 5; i++) {
    const records = Array.from({ length: BATCH }, () => makeRecord(Date.now()));
    const a0 = cpuUs();
    for (const r of records) rec.add(r);
    const a1 = cpuUs();
    const s0 = store.kind === 'postgres' ? postgresServerCpuUs() : 0;
    await rec.flush();
    const a2 = cpuUs();
    if (store.kind === 'postgres') serverUs += postgresServerCpuUs() - s0;
    add.push((a1 - a0) / BATCH);
    write.push((a2 - a1) / BATCH);
  }
  await rec.close();
  // The server's CPU comes in 10 ms ticks: summed over every batch rather than a median per batch.
  return { add: median(add), write: median(write), server: store.kind === 'postgres' ? serverUs / (REPS * 5 * BATCH) : null };
}

/** GC pause time (µs) observed so far, main thread. */
let gcUs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcUs += e.duration * 1000;
}).observe({ entryTypes: ['gc'] });

/**
 * Process CPU (µs) of `count` simulated requests, each leaving its garbage and adding its record, with a flush after
 * every BATCH records (a 200 ms tick at 5k req/s). Run back to back, not paced by timers: which records survive a
 * scavenge depends on how much is allocated while they wait, not on the clock, and an unpaced loop leaves out the
 * noise of timer wake-ups.
 */
async function steadyRun(recorder, count) {
  if (global.gc) global.gc();
  const s0 = postgresServerCpuUs();
  const g0 = gcUs;
  const c0 = cpuUs();
  for (let i = 1; i <= count; i++) {
    requestGarbage();
    recorder.add(makeRecord(Date.now()));
    if (i % BATCH === 0) await recorder.flush();
  }
  await recorder.close();
  const cpu = cpuUs() - c0;
  // The observer reports on the next turn of the event loop.
  await new Promise((r) => setImmediate(r));
  return { cpu, gc: gcUs - g0, server: postgresServerCpuUs() - s0, records: count };
}

/** Records on minus records discarded, µs per record (median of REPS pairs, run alternately). */
async function steady(store) {
  const on = [];
  const gc = [];
  const server = [];
  for (let i = 0; i < REPS; i++) {
    const off = new (class extends Recorder {
      add() {}
    })(store, log, { flushIntervalMs: 3_600_000, queueLimit: 50_000 });
    const a = await steadyRun(off, STEADY_RECORDS);
    const b = await steadyRun(newRecorder(store, 3_600_000), STEADY_RECORDS);
    on.push((b.cpu - a.cpu) / b.records);
    gc.push((b.gc - a.gc) / b.records);
    server.push(b.server - a.server);
  }
  return { steady: median(on), steadyGc: median(gc), steadyServer: store.kind === 'postgres' ? server.reduce((x, y) => x + y, 0) / (REPS * STEADY_RECORDS) : null };
}

async function measure(name, store) {
  await prefill(store);
  const qw = await queueAndWrite(store);
  const st = await steady(store);
  return { backend: name, ...qw, ...st };
}

async function connectAdmin() {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    return c;
  } catch (err) {
    console.warn(`[SKIPPED] postgres: no server at ${PG_ADMIN_URL.replace(/\/\/[^@]*@/, '//')} (${err.message})`);
    return null;
  }
}

const results = [];
const backends = args.backends.split(',');
if (backends.includes('none')) {
  // A store that writes nothing: what is left is queuing records and keeping them until their flush (GC included).
  const none = { kind: 'none', insertRecords: async () => {}, ping: async () => {}, close: async () => {} };
  const qw = await queueAndWrite(none);
  results.push({ backend: 'none', ...qw, ...(await steady(none)) });
}
if (backends.includes('sqlite')) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-rw-'));
  const store = new SqliteStore(path.join(dir, 'records.db'));
  try {
    results.push(await measure('sqlite', store));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
const admin = backends.includes('postgres') ? await connectAdmin() : null;
if (admin) {
  const dbName = `switchyard_bench_rw_${process.pid}`;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${dbName}`;
  const store = await PostgresStore.open(url.toString());
  try {
    results.push(await measure('postgres', store));
  } finally {
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

const f = (n) => (n === null ? '-' : n.toFixed(2));
console.log(`dist: ${dist}; batches of ${BATCH} into ${PREFILL.toLocaleString('en')} stored records; steady: ${STEADY_RECORDS} records x ${REPS}`);
console.log('CPU µs per record (router process unless noted):');
console.log('backend   | queue (add) | write (flush) | write, PG server | steady: on - off | of which GC pauses | steady, PG server');
for (const r of results) {
  const cells = [f(r.add).padStart(11), f(r.write).padStart(13), f(r.server).padStart(16), f(r.steady).padStart(16), f(r.steadyGc).padStart(18), f(r.steadyServer).padStart(17)];
  console.log(`${r.backend.padEnd(9)} | ${cells.join(' | ')}`);
}
if (sink < 0 || live.length < 0) console.log(sink);
