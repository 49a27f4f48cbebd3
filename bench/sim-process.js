// The provider simulator in its own process for the benchmark. Prints one JSON line {url, pid} once listening.
import { startSimulator } from '../dist/simulator/index.js';

// A small request log: the benchmark sends ~200 KB bodies and never reads the log back.
const sim = await startSimulator({ port: 0, seed: 1, logLimit: 64, logBodyBytesLimit: 16 * 1024 * 1024 });
process.stdout.write(JSON.stringify({ url: sim.url, pid: process.pid }) + '\n');

const stop = () => void sim.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// If the benchmark dies without killing us, stdin closes: leave too.
process.stdin.on('end', stop);
process.stdin.resume();
