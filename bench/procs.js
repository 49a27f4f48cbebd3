// Child processes for the benchmark: spawn (optionally pinned to a core), wait until listening, CPU time and memory
// from /proc, and kill everything on exit.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

const children = new Set();

/** True when `taskset` can pin processes here (and the machine has at least 2 cores). */
export function canPin() {
  const r = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  return r.status === 0 && cpuCount() >= 2;
}

export function cpuCount() {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || 1;
  } catch {
    return 1;
  }
}

/** Pins every thread of this process to `cpu`. */
export function pinSelf(cpu) {
  return pinPid(process.pid, cpu);
}

/** Pins every thread of process `pid` to `cpu`; false when that is not allowed (another user's process). */
export function pinPid(pid, cpu) {
  const r = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  return r.status === 0;
}

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in ms (resolution 1000/CLK_TCK ms, usually 10 ms). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime 14, stime 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

/** CPU time (ms) the whole machine (or core `cpu`) has spent busy: user, nice, system, irq, softirq, steal. */
export function machineBusyMs(cpu) {
  const name = cpu === undefined ? 'cpu' : `cpu${cpu}`;
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(name + ' '));
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return ((f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0)) * 1000) / CLK_TCK;
}

/** {rssMB, hwmMB}: current and peak resident set size. */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
}

/**
 * Resets the process's peak resident set (VmHWM) to its current RSS (`/proc/PID/clear_refs`, Linux 4.0+), so that
 * VmHWM read after a cell is that cell's peak. False when the kernel or permissions do not allow it.
 */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until core `cpu` (or the whole machine) has been under `pct` % busy for a 250 ms window, or `maxMs` pass:
 * freshly started processes finish their start-up work before a measurement.
 */
export async function waitIdle(cpu, { pct = 10, maxMs = 15_000 } = {}) {
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    const before = machineBusyMs(cpu);
    await new Promise((r) => setTimeout(r, 250));
    if (((machineBusyMs(cpu) - before) / 250) * 100 < pct) return true;
  }
  return false;
}

/** A TCP port free on 127.0.0.1 right now, for programs that cannot listen on port 0 and report it. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function cpuModel() {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Starts `node <args>` (under `taskset -c cpu` when cpu is given; taskset execs, so the pid is node's) and resolves
 * with {child, pid, match} once a stdout line matches `ready`. Rejects if the process exits or 30 s pass first.
 */
export function startNode(args, { cpu, ready, cwd, env = process.env, name }) {
  const cmd = cpu === undefined ? process.execPath : 'taskset';
  const argv = cpu === undefined ? args : ['-c', String(cpu), process.execPath, ...args];
  const child = spawn(cmd, argv, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...env, NODE_ENV: 'production' } });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within 30 s`)), 30_000);
    const fail = (err) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${stderr.trim()}`));
    };
    child.once('exit', (code, sig) => fail(new Error(`${name} exited (${code ?? sig}) before it was ready`)));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const m = ready.exec(line);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.on('exit', () => children.delete(child));
      // Keep draining stdout/stderr so the child never blocks on a full pipe.
      lines.removeAllListeners('line');
      lines.on('line', () => {});
      resolve({ child, pid: child.pid, match: m, stderr: () => stderr });
    });
  });
}

/** SIGTERM, then SIGKILL after `ms` if still alive. */
export async function stop(child, ms = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

function killAll() {
  for (const c of children) c.kill('SIGKILL');
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}
