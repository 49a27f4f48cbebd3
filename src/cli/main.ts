import { Command } from 'commander';
import { ConfigError } from '../config/index.js';
import type { CommonOptions } from './options.js';
import type { keysCreate, keysLimits, keysList } from './keys.js';
import type { routersApply, routersDelete, routersGet, routersList, routersTest } from './routers.js';

// Each command's module is imported when the command runs: `start` need not load the simulator, the router tester
// or the key tools (and what they import), which a long-running router would otherwise hold in memory for nothing.
const keysCmd = () => import('./keys.js');
const routersCmd = () => import('./routers.js');

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
  .action(async (opts: CommonOptions) => (await import('./start.js')).runStart(opts));

const keys = program.command('keys').description('manage client keys (stored only as hashes)');
common(keys.command('create <name>').description('create a client key; it is printed once'))
  .option('--permission <perm...>', 'extra permissions: routers:write, admin')
  .option('--limit <name=value...>', 'per-key limits: requests_per_minute, tokens_per_minute, concurrent_requests, usd_per_day, usd_per_month (none: unlimited)')
  .action(async (name: string, opts: Parameters<typeof keysCreate>[1]) => (await keysCmd()).keysCreate(name, opts));
common(keys.command('limits <id-or-name>').description("show or set a key's own limits (a running router applies them within a second)"))
  .option('--limit <name=value...>', 'set these limits (value none: lift an inherited limit), keeping the others')
  .option('--clear', 'remove the limits stored with the key (the config defaults apply again)')
  .action(async (idOrName: string, opts: Parameters<typeof keysLimits>[1]) => (await keysCmd()).keysLimits(idOrName, opts));
common(keys.command('list').description('list client keys'))
  .option('--all', 'include revoked keys')
  .action(async (opts: Parameters<typeof keysList>[0]) => (await keysCmd()).keysList(opts));
common(keys.command('revoke <id-or-name>').description('revoke a client key')).action(async (idOrName: string, opts: CommonOptions) => (await keysCmd()).keysRevoke(idOrName, opts));

const routers = program.command('routers').description('manage routers in the store (a running router picks changes up within a second)');
common(routers.command('apply').description('create or replace the routers of a JSON or YAML file (one router or a list); validates all first'))
  .requiredOption('-f, --file <file>', 'router file (JSON or YAML; - for stdin)')
  .action(async (opts: Parameters<typeof routersApply>[0]) => (await routersCmd()).routersApply(opts));
common(routers.command('list').description('list routers (from the store and the config file)'))
  .option('--json', 'print the API JSON ({routers: [...]})')
  .action(async (opts: Parameters<typeof routersList>[0]) => (await routersCmd()).routersList(opts));
common(routers.command('get <id>').description('print a router as API JSON')).action(async (id: string, opts: Parameters<typeof routersGet>[1]) => (await routersCmd()).routersGet(id, opts));
common(routers.command('delete <id>').description('delete a router')).action(async (id: string, opts: Parameters<typeof routersDelete>[1]) => (await routersCmd()).routersDelete(id, opts));
common(routers.command('test <id>').description('dry-run a request through a router: route, variant, candidate chain, CEL inputs (no provider is called)'))
  .requiredOption('-f, --file <file>', 'the request (Anthropic Messages or OpenAI Chat Completions JSON; - for stdin)')
  .option('--metadata <key=value...>', 'routing metadata (CEL variables); numbers and true/false are typed')
  .option('--header <name:value...>', 'request headers (request.headers, request.client from user-agent)')
  .option('--api <api>', 'anthropic or openai (default: guessed from the request)')
  .option('--key <name>', 'client key name as seen by CEL (request.key)')
  .option('--json', 'print the result as JSON (the :test API answer)')
  .action(async (id: string, opts: Parameters<typeof routersTest>[1]) => (await routersCmd()).routersTest(id, opts));

program
  .command('simulate')
  .description('run the provider simulator (Anthropic, OpenAI and Gemini wire protocols) for tests, benchmarks and demos')
  .option('-p, --port <port>', 'port (default 9090)', '9090')
  .option('-H, --host <host>', 'address to bind', '127.0.0.1')
  .action(async (opts: { port: string; host: string }) => (await import('./simulate.js')).runSimulate(opts));

// Every argument after `claude` belongs to Claude Code (its -c, -p would clash with ours), so it is dispatched before
// option parsing; the config comes from SWITCHYARD_CONFIG or ./switchyard.yaml and the data dir from SWITCHYARD_DATA_DIR.
program.command('claude').description('run Claude Code against this router with a valid key; all arguments go to claude');

const argv = process.argv;
const run =
  argv[2] === 'claude'
    ? import('./claude.js').then(({ runClaude }) => runClaude(argv.slice(3), { config: process.env.SWITCHYARD_CONFIG })).then((code) => {
        process.exitCode = code;
      })
    : program.parseAsync(argv);

run.catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(err.message + '\n');
  else process.stderr.write(`switchyard: ${(err as Error).message}\n`);
  process.exit(1);
});
