import { Option } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

/** Run by the confirm guard's systemd timer, not by people: no usage, so the help does not list it. */
export class GuardRevertCommand extends PhanesCommand {
  static override paths = [['guard', 'revert']];

  guardId = Option.String({ name: 'guard-id' });

  protected act(core: Core, io: CommandIO): Promise<number> {
    return core.guardRevert(io, this.guardId);
  }
}
