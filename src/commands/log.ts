import { Command, Option } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

export class LogCommand extends PhanesCommand {
  static override paths = [['log']];
  static override usage = Command.Usage({
    description: 'The audit history: every run and every change, oldest first',
    examples: [
      ['Everything', 'phanes log'],
      ['The user module since a date', 'phanes log --module user --since 2026-01-01'],
      ['The last 20 entries as NDJSON', 'phanes log --limit 20 --json'],
    ],
  });

  module = Option.String('--module', { description: 'Only this module' });
  since = Option.String('--since', { description: 'Only events at or after this ISO date' });
  limit = Option.String('--limit', { description: 'Only the last N entries' });

  protected act(core: Core, io: CommandIO): Promise<number> {
    return core.log(io, { module: this.module, since: this.since, limit: this.limit });
  }
}
