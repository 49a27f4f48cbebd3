import { Command } from 'commander';
import { ConfigError } from '../config/index.js';
import { runClaude } from './claude.js';
import { keysCreate, keysList, keysRevoke } from './keys.js';
import { runStart } from './start.js';
import { runSimulate } from './simulate.js';

const program = new Command()
  .name('switchyard')
  .description('Self-hosted LLM router: one key for every provider, failover, routing and a portal.')
  .showHelpAfterError();

const common = (cmd: Command) =>
  cmd
    .option('-c, --config <file>', 'YAML config file (default: ./switchyard.yaml when present)')
    .option('--data-dir <dir>', 'directory for the embedded SQLite store and local files', undefined);

common(program.command('start').description('run the router (and the demo provider when no provider key is set)'))
  .option('-p, --port <port>', 'port to listen on (default 8080)')
  .option('-H, --host <host>', 'address to bind (default 127.0.0.1)')
  .action(runStart);

const keys = program.command('keys').description('manage client keys (stored only as hashes)');
common(keys.command('create <name>').description('create a client key; it is printed once'))
  .option('--permission <perm...>', 'extra permissions: routers:write, admin')
  .action(keysCreate);
common(keys.command('list').description('list client keys')).option('--all', 'include revoked keys').action(keysList);
common(keys.command('revoke <id-or-name>').description('revoke a client key')).action(keysRevoke);

program
  .command('simulate')
  .description('run the provider simulator (Anthropic, OpenAI and Gemini wire protocols) for tests, benchmarks and demos')
  .option('-p, --port <port>', 'port (default 9090)', '9090')
  .option('-H, --host <host>', 'address to bind', '127.0.0.1')
  .action(runSimulate);

// Every argument after `claude` belongs to Claude Code (its -c, -p would clash with ours), so it is dispatched before
// option parsing; the config comes from SWITCHYARD_CONFIG or ./switchyard.yaml and the data dir from SWITCHYARD_DATA_DIR.
program.command('claude').description('run Claude Code against this router with a valid key; all arguments go to claude');

const argv = process.argv;
const run =
  argv[2] === 'claude'
    ? runClaude(argv.slice(3), { config: process.env.SWITCHYARD_CONFIG }).then((code) => {
        process.exitCode = code;
      })
    : program.parseAsync(argv);

run.catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(err.message + '\n');
  else process.stderr.write(`switchyard: ${(err as Error).message}\n`);
  process.exit(1);
});
