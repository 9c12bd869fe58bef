import { readFile, stat } from 'node:fs/promises';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { fileIssue, MAX_CONFIG_BYTES } from './file-checks.js';
import { parseConfig, type ParsedConfig, type ParseOptions } from './parse.js';
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
  /** `file:line:col: text` when the text starts with a key path written in the file (a refusal), else the text. */
  place: (text: string) => string;
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
  let bytes: Buffer;
  try {
    // A config is a few KB: refuse a huge file before reading it (a log or an image named by mistake).
    const size = (await stat(file)).size;
    if (size > MAX_CONFIG_BYTES) throw new ConfigError([{ path: '', line: 1, column: 1, message: `the file is ${(size / 1024 ** 2).toFixed(1)} MB; a Phanes config is a few KB`, suggestion: 'check the --config path names your config.yaml' }], file);
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    // No file: the defaults, still checked against the run (a database module needs its passwords).
    if (code === 'ENOENT' && !opts.explicit) return loaded(parseConfig('', parseOptions(opts)), undefined);
    const issue: ConfigIssue =
      code === 'ENOENT'
        ? { path: '', message: `config file ${file} does not exist`, suggestion: `check the --config path, or create it: cp config.yaml.example ${file}` }
        : { path: '', message: `cannot read config file ${file}: ${(error as Error).message}`, suggestion: code === 'EISDIR' ? 'pass the path of a YAML file, not a directory' : 'check the file exists and is readable by this user' };
    throw new ConfigError([issue], file);
  }
  const bad = fileIssue(bytes);
  if (bad) throw new ConfigError([bad], file);
  return loaded(parseConfig(bytes.toString('utf8'), { file, ...parseOptions(opts) }), file);
}

function loaded(parsed: ParsedConfig, file: string | undefined): LoadedConfig {
  const { locate, ...rest } = parsed;
  const place = (text: string): string => {
    const at = file === undefined ? undefined : locate(/^[a-z_][\w.[\]]*/.exec(text)?.[0] ?? '');
    return at ? `${file}:${at.line}:${at.column}: ${text}` : text;
  };
  return { ...rest, ...(file !== undefined && { file }), fromDefaults: file === undefined, place };
}
