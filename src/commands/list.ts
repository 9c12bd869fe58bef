import { Command } from 'clipanion';
import { PhanesCommand } from './base.js';

export class ListCommand extends PhanesCommand {
  static override paths = [['list']];
  static override usage = Command.Usage({
    description: 'List the modules and profiles',
    examples: [['List them', 'phanes list'], ['As NDJSON', 'phanes list --json']],
  });

  async execute(): Promise<number> {
    const { listModules } = await import('./list-modules.js'); // loaded on use: --help stays fast
    listModules(this.reporter);
    return 0;
  }
}
