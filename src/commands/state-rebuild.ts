import { Command } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

export class StateRebuildCommand extends PhanesCommand {
  static override paths = [['state', 'rebuild']];
  static override usage = Command.Usage({
    description: 'Rebuild the state snapshot (state.json) from the journal',
    details: 'The snapshot is a cache of the journal folded into the current state. This folds the whole journal again and rewrites it, under the run lock; the journal itself is only read. A corrupt journal line stops it with the line number, and nothing is written.',
    examples: [['Rebuild the snapshot', 'phanes state rebuild'], ['Of another state directory', 'phanes state rebuild --state-dir /srv/phanes-state']],
  });

  protected act(core: Core, io: CommandIO): Promise<number> {
    return core.stateRebuild(io);
  }
}
