import { startSimulator } from '../simulator/index.js';

export async function runSimulate(opts: { port: string; host: string }): Promise<void> {
  const sim = await startSimulator({ port: Number(opts.port), host: opts.host, label: 'switchyard-simulate' });
  process.stdout.write(`Switchyard provider simulator listening on ${sim.url} (Anthropic, OpenAI and Gemini protocols; control at ${sim.url}/_sim/*)\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
