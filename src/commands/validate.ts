import { Command, Option } from 'clipanion';
import { PhanesCommand } from './base.js';

export class ValidateCommand extends PhanesCommand {
  static override paths = [['validate']];
  static override usage = Command.Usage({
    description: 'Check a config file and report every problem with its key, line and fix',
    examples: [['Check ./config.yaml', 'phanes validate'], ['Check another file', 'phanes validate --config prod.yaml']],
  });

  config = Option.String('--config,-c', { description: 'The YAML config (default ./config.yaml)' });

  async execute(): Promise<number> {
    const file = this.config ?? 'config.yaml';
    const { loadConfig } = await import('../config/index.js');
    const loaded = await loadConfig({ file, explicit: true, env: this.context.env });
    for (const w of loaded.warnings) this.reporter.warn(`${w.path}${w.line ? ` (line ${w.line})` : ''}: ${w.message}${w.suggestion ? ` (${w.suggestion})` : ''}`);
    this.reporter.record('summary', { valid: true, file: loaded.file ?? file, secrets: loaded.secrets.length }, `${loaded.file ?? file}: valid`);
    return 0;
  }
}
