import { createApp, createLogger, type App } from '../app.js';
import { PRESETS_BY_NAME } from '../providers/presets.js';
import { ensureLocalAdminKey, ensureLocalKey } from './local-key.js';
import { checkExposure } from './exposure.js';
import { resolveConfig, type CommonOptions } from './options.js';

/** Starts the router and returns it; prints where it listens, a key and how to point Claude Code at it. */
export async function startRouter(opts: CommonOptions, out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<{ app: App; key: string | null }> {
  const { config, dataDir, file } = await resolveConfig(opts);
  const log = createLogger(config.telemetry.log_level);
  const localAdminKey = await ensureLocalAdminKey(dataDir, config.server.host, config.auth.admin_key);
  if (localAdminKey) config.auth.admin_key = localAdminKey;
  const app = await createApp({ config, dataDir, logger: log, configFile: file ?? undefined });
  await checkExposure(config, app.services.store).catch(async (err: unknown) => {
    await app.close(0);
    throw err;
  });
  const url = await app.listen();
  const key = await ensureLocalKey(app.services.store, dataDir);
  if (key) await app.services.keys.reload();

  out(`Switchyard is listening on ${url}`);
  if (app.demo) {
    out('');
    out('No provider key is configured, so the built-in DEMO provider (the Switchyard simulator) answers every request.');
    out('Its answers are simulated, not from a real model. To use real providers, set e.g. ANTHROPIC_API_KEY,');
    out(`OPENAI_API_KEY or GEMINI_API_KEY (any of ${[...PRESETS_BY_NAME.values()].flatMap((p) => p.keyEnv).join(', ')})`);
    out('or add a providers: section to switchyard.yaml, then restart.');
  } else {
    out(`Providers: ${app.services.providers.list().map((p) => p.name).join(', ')}`);
  }
  out('');
  if (key) out(`Client key: ${key}`);
  else out('Client keys: use one from your config, or create one with: npx switchyard keys create <name>');
  out('');
  out('Point Claude Code at it:');
  out(`  ANTHROPIC_BASE_URL=${url} ANTHROPIC_AUTH_TOKEN=${key ?? '<your key>'} claude`);
  out('or simply: npx switchyard claude');
  out('');
  out(`Portal: ${url}/portal`);
  if (localAdminKey) out(`Admin key (portal sign-in and /admin/v1; kept in ${dataDir}/admin-key): ${localAdminKey}`);
  else out('Sign in with the admin key from your configuration (auth.admin_key).');
  return { app, key };
}

async function reloadFromFile(app: App, opts: CommonOptions): Promise<void> {
  const { config } = await resolveConfig(opts);
  // The quick start's local admin key is not in the file; keep it.
  config.auth.admin_key ??= app.services.config.auth.admin_key;
  const { notApplied } = await app.reloadConfig(config);
  const applied = `config reloaded: routers, keys and records on/off (${config.telemetry.records.enabled ? 'on' : 'off'}) applied`;
  app.services.log.info({ notApplied }, notApplied.length ? `${applied}; restart to apply the other changed sections` : applied);
}

/** Added to the shutdown's own deadlines before the watchdog gives up on a shutdown that hangs (e.g. on the store). */
const SHUTDOWN_SLACK_MS = 10_000;

/**
 * `switchyard start`: runs until SIGTERM/SIGINT, then stops accepting connections, lets in-flight requests and
 * streams finish (up to `server.shutdown_grace`, then cuts them), writes every queued record (retrying for up to
 * another `shutdown_grace` if the store is failing), closes the store and exits 0. See docs/records.md.
 */
export async function runStart(opts: CommonOptions): Promise<void> {
  // Signal handlers go in before anything is printed, so a signal right after the banner still drains cleanly.
  let app: App | null = null;
  let stopping = false;
  let pendingSignal: string | null = null;
  const stop = (signal: string) => {
    if (!app) {
      pendingSignal = signal;
      return;
    }
    if (stopping) return;
    stopping = true;
    const grace = app.services.config.server.shutdown_grace;
    app.services.log.info({ signal, graceMs: grace }, 'shutting down: draining in-flight requests');
    // The drain and the record flush each have a deadline; this catches anything else that hangs (a store that
    // stopped answering while being closed), so a supervisor's SIGTERM always ends the process.
    setTimeout(() => {
      app?.services.log.error({ recordsUnwritten: app.services.recorder.depth }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, 2 * grace + SHUTDOWN_SLACK_MS).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app?.services.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // SIGHUP re-reads the config file: routers and config keys apply at once (and reach every instance sharing the
  // store); an invalid file is logged and changes nothing.
  process.on('SIGHUP', () => {
    if (!app || stopping) return;
    const running = app;
    void reloadFromFile(running, opts).catch((err: unknown) => running.services.log.error({ err: (err as Error).message }, 'config reload failed; the running config is unchanged'));
  });
  app = (await startRouter(opts)).app;
  if (pendingSignal) stop(pendingSignal);
}
