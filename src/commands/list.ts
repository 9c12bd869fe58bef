import { Command } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

export class ListCommand extends PhanesCommand {
  static override paths = [['list']];
  static override usage = Command.Usage({
    description: 'List the modules and profiles',
    examples: [['List them', 'phanes list'], ['As NDJSON', 'phanes list --json']],
  });

  protected act(core: Core, io: CommandIO): number {
    core.listModules(io.reporter);
    return 0;
  }
}
