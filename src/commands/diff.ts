import { Command, Option } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

export class DiffCommand extends PhanesCommand {
  static override paths = [['diff']];
  static override usage = Command.Usage({
    description: 'Unified diffs of the files Phanes manages: what it recorded against what is on disk',
    examples: [['All managed files', 'phanes diff'], ['Only the security module', 'phanes diff --module security']],
  });

  module = Option.String('--module', { description: 'Only this module' });

  protected act(core: Core, io: CommandIO): Promise<number> {
    return core.diff(io, this.module);
  }
}
