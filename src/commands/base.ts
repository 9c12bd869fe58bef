import { Command, Option } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import { type Core, loadCore } from '../core-loader.js';

/**
 * Options every command shares. A command class only declares its options and help; its work is an
 * action in the core, loaded when the command runs (see src/core-loader.ts).
 */
export abstract class PhanesCommand extends Command {
  json = Option.Boolean('--json', false, { description: 'Print NDJSON: one object per line, the summary last' });
  stateDir = Option.String('--state-dir', { description: 'Where the journal lives (env PHANES_STATE_DIR, default /var/lib/phanes)' });

  async execute(): Promise<number> {
    const core = await loadCore();
    return this.act(core, core.commandIO({ json: this.json, stateDir: this.stateDir }, this.context));
  }

  /** Do the command's work through the core's actions; the exit code is what it returns. */
  protected abstract act(core: Core, io: CommandIO): Promise<number> | number;
}
