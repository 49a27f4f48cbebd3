export { configSchema, type Config, type ConfigInput, type ProviderConfig, type TimeoutsConfig } from './schema.js';
export { ConfigError, loadConfigFile, parseConfig, interpolateEnv } from './load.js';
