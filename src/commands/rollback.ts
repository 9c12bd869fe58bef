import { Command, Option } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

export class RollbackCommand extends PhanesCommand {
  static override paths = [['rollback']];
  static override usage = Command.Usage({
    description: "Undo a module: bring every resource it changed back to the state recorded before",
    details: `
      Walks the module's changes newest first. What Phanes did not add is never removed. A file edited by
      someone since Phanes wrote it is shown as a diff and left alone unless you pass --force. A user's home
      directory is kept unless you pass --force.
    `,
    examples: [
      ['See what would be undone', 'phanes rollback security --dry-run'],
      ['Undo the security module', 'sudo phanes rollback security'],
    ],
  });

  module = Option.String({ name: 'module' });
  dryRun = Option.Boolean('--dry-run,-n', false, { description: 'Show what would be restored; change nothing' });
  force = Option.Boolean('--force', false, { description: 'Restore drifted files too, and delete home directories Phanes created' });

  protected act(core: Core, io: CommandIO): Promise<number> {
    return core.rollback(io, { module: this.module, dryRun: this.dryRun, force: this.force });
  }
}
