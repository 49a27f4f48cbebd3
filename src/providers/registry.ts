import type { Config, ProviderConfig, TimeoutsConfig } from '../config/index.js';
import type { ProviderQuirks } from '../formats/canonical/codec.js';
import { authStyleFor, DEMO_PROVIDER, PRESETS_BY_NAME, type AuthStyle, type WireFormat } from './presets.js';

export interface Provider {
  name: string;
  displayName: string;
  format: WireFormat;
  /** Base URL without trailing slash, per the vendor SDK convention. */
  baseUrl: string;
  auth: AuthStyle;
  keys: string[];
  headers: Record<string, string>;
  timeouts: TimeoutsConfig;
  /** Model ids listed explicitly for this provider (custom providers, config additions). */
  models: ReadonlySet<string>;
  servesBareIds?: RegExp;
  /** The built-in simulator standing in for real providers. */
  demo: boolean;
  quirks: ProviderQuirks;
}

export class ProviderRegistry {
  private readonly byName = new Map<string, Provider>();
  private readonly rotation = new Map<string, number>();

  constructor(providers: Provider[]) {
    for (const p of providers) this.byName.set(p.name, p);
  }

  get(name: string): Provider | undefined {
    return this.byName.get(name);
  }

  list(): Provider[] {
    return [...this.byName.values()];
  }

  get size(): number {
    return this.byName.size;
  }

  /** Providers that serve a bare model id: those listing it explicitly first, then those whose id pattern matches. */
  servingBareId(model: string): Provider[] {
    const explicit: Provider[] = [];
    const pattern: Provider[] = [];
    for (const p of this.byName.values()) {
      if (p.models.has(model)) explicit.push(p);
      else if (p.servesBareIds?.test(model)) pattern.push(p);
    }
    return [...explicit, ...pattern];
  }

  /** Round-robin over a provider's keys. */
  nextKey(provider: Provider): string {
    if (provider.keys.length === 0) return '';
    const i = this.rotation.get(provider.name) ?? 0;
    this.rotation.set(provider.name, (i + 1) % provider.keys.length);
    return provider.keys[i % provider.keys.length];
  }
}

function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

function modelIds(cfg: ProviderConfig): Set<string> {
  return new Set((cfg.models ?? []).map((m) => (typeof m === 'string' ? m : m.id)));
}

export class ProviderConfigError extends Error {}

/**
 * Builds the provider list from the config file and the environment. A built-in provider is active when it has a key
 * (config or its usual environment variable); a custom provider (any other name) needs `format` and `base_url`.
 */
export function buildProviders(config: Config, env: NodeJS.ProcessEnv = process.env): Provider[] {
  const out: Provider[] = [];
  const configured = config.providers;
  for (const preset of PRESETS_BY_NAME.values()) {
    const cfg = configured[preset.name];
    if (cfg?.enabled === false) continue;
    if (cfg?.format && cfg.format !== preset.format) {
      throw new ProviderConfigError(`providers.${preset.name}.format: built-in provider ${preset.name} speaks ${preset.format}`);
    }
    const keys = cfg?.api_keys ?? (cfg?.api_key ? [cfg.api_key] : preset.keyEnv.map((k) => env[k]).filter((k): k is string => !!k).slice(0, 1));
    if (keys.length === 0) continue;
    out.push({
      name: preset.name,
      displayName: preset.displayName,
      format: preset.format,
      baseUrl: stripSlash(cfg?.base_url ?? preset.baseUrl),
      auth: preset.auth,
      keys,
      headers: cfg?.headers ?? {},
      timeouts: cfg?.timeouts ?? {},
      models: cfg ? modelIds(cfg) : new Set(),
      servesBareIds: preset.servesBareIds,
      demo: false,
      quirks: { ...preset.quirks, ...cfg?.quirks },
    });
  }
  for (const [name, cfg] of Object.entries(configured)) {
    if (PRESETS_BY_NAME.has(name) || cfg.enabled === false) continue;
    if (!cfg.format) throw new ProviderConfigError(`providers.${name}.format: a custom provider needs format (anthropic, openai or gemini)`);
    if (!cfg.base_url) throw new ProviderConfigError(`providers.${name}.base_url: a custom provider needs base_url`);
    out.push({
      name,
      displayName: name,
      format: cfg.format,
      baseUrl: stripSlash(cfg.base_url),
      auth: authStyleFor(cfg.format),
      keys: cfg.api_keys ?? (cfg.api_key ? [cfg.api_key] : []),
      headers: cfg.headers ?? {},
      timeouts: cfg.timeouts ?? {},
      models: modelIds(cfg),
      demo: false,
      quirks: { ...cfg.quirks },
    });
  }
  return out;
}

/** The demo provider: the in-process simulator, serving every bare model id. */
export function demoProvider(baseUrl: string): Provider {
  return {
    name: DEMO_PROVIDER,
    displayName: 'Demo (built-in simulator)',
    format: 'anthropic',
    baseUrl: stripSlash(baseUrl),
    auth: 'x-api-key',
    keys: ['demo'],
    headers: {},
    timeouts: {},
    models: new Set(),
    servesBareIds: /^/,
    demo: true,
    quirks: {},
  };
}
