import { Command, Option } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

export class StatusCommand extends PhanesCommand {
  static override paths = [['status']];
  static override usage = Command.Usage({
    description: 'Compare what Phanes recorded with the host now: exit 0 in sync, 2 drift, 1 error',
    details: 'Only reads, in one batch per resource kind. Files that drifted are shown as a diff from the recorded content to the disk.',
    examples: [['Check everything', 'phanes status'], ['One module, for a script', 'phanes status --module security --json']],
  });

  module = Option.String('--module', { description: 'Only this module' });

  protected act(core: Core, io: CommandIO): Promise<number> {
    return core.status(io, this.module);
  }
}
