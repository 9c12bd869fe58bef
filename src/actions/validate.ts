import { loadConfig } from '../config/index.js';
import { ConfigError } from '../errors.js';
import type { CommandIO } from './io.js';

/** `phanes validate`: load the config strictly; every problem is thrown as one ConfigError. */
export async function validate(io: CommandIO, file: string): Promise<number> {
  const loaded = await loadConfig({ file, explicit: true, env: io.env });
  // Warnings read like errors (file:line:column: key: message (fix: …)), so editors can jump to them.
  for (const w of loaded.warnings) io.reporter.warn(ConfigError.render([w], loaded.file));
  io.reporter.record('summary', { valid: true, file: loaded.file ?? file, secrets: loaded.secrets.length }, `${loaded.file ?? file}: valid`);
  return 0;
}
