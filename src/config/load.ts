import { readFile } from 'node:fs/promises';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { parseConfig, type ParseOptions } from './parse.js';
import type { Config } from './schema.js';

export interface LoadedConfig {
  config: Config;
  /** The file read; undefined when the defaults were used. */
  file?: string;
  fromDefaults: boolean;
  /** Non-empty secret values, resolved, for the redactor. */
  secrets: string[];
  /** Things that load but deserve a look, such as a placeholder SSH key. */
  warnings: ConfigIssue[];
}

export const DEFAULT_CONFIG_FILE = 'config.yaml';

const parseOptions = (opts: { env?: NodeJS.ProcessEnv; modules?: readonly string[] }): ParseOptions => ({
  ...(opts.env && { env: opts.env }), ...(opts.modules && { modules: opts.modules }),
});

/**
 * Reads and validates the config file. A file named on the command line (`explicit`) must exist;
 * the default ./config.yaml may be absent, and then the built-in defaults apply.
 */
export async function loadConfig(opts: { file?: string; explicit: boolean; env?: NodeJS.ProcessEnv; modules?: readonly string[] }): Promise<LoadedConfig> {
  const file = opts.file ?? DEFAULT_CONFIG_FILE;
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No file: the defaults, still checked against the run (a database module needs its passwords).
    if (code === 'ENOENT' && !opts.explicit) return { ...parseConfig('', parseOptions(opts)), fromDefaults: true };
    const issue: ConfigIssue =
      code === 'ENOENT'
        ? { path: '', message: `config file ${file} does not exist`, suggestion: `check the --config path, or create it: cp config.yaml.example ${file}` }
        : { path: '', message: `cannot read config file ${file}: ${(error as Error).message}`, suggestion: code === 'EISDIR' ? 'pass the path of a YAML file, not a directory' : 'check the file exists and is readable by this user' };
    throw new ConfigError([issue], file);
  }
  const parsed = parseConfig(source, { file, ...parseOptions(opts) });
  return { ...parsed, file, fromDefaults: false };
}
