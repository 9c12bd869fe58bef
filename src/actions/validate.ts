import { loadConfig } from '../config/index.js';
import type { CommandIO } from './io.js';

/** `phanes validate`: load the config strictly; every problem is thrown as one ConfigError. */
export async function validate(io: CommandIO, file: string): Promise<number> {
  const loaded = await loadConfig({ file, explicit: true, env: io.env });
  for (const w of loaded.warnings) io.reporter.warn(`${w.path}${w.line ? ` (line ${w.line})` : ''}: ${w.message}${w.suggestion ? ` (${w.suggestion})` : ''}`);
  io.reporter.record('summary', { valid: true, file: loaded.file ?? file, secrets: loaded.secrets.length }, `${loaded.file ?? file}: valid`);
  return 0;
}
