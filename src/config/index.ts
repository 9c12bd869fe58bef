/** The config public API: schema, loading and validation, secrets, JSON Schema and the example file. */
export { ConfigSchema, type Config } from './schema.js';
export { loadConfig, DEFAULT_CONFIG_FILE, type LoadedConfig } from './load.js';
export { parseConfig, type ParsedConfig } from './parse.js';
export { defaultConfig } from './defaults.js';
export { secretPaths, secretValues, redactConfig, configSha256, canonicalJson, REDACTED } from './secrets.js';
export { loginKeys } from './login-keys.js';
export { isPlaceholderKey, keyDataProblem, SSH_KEY_TYPES } from './ssh-key.js';
export { parseSize } from './size.js';
export { configJsonSchema } from './json-schema.js';
export { renderExample } from './example.js';
