import { Command, Option } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

export class ValidateCommand extends PhanesCommand {
  static override paths = [['validate']];
  static override usage = Command.Usage({
    description: 'Check a config file and report every problem with its key, line and fix',
    examples: [['Check ./config.yaml', 'phanes validate'], ['Check another file', 'phanes validate --config prod.yaml']],
  });

  config = Option.String('--config,-c', { description: 'The YAML config (default ./config.yaml)' });

  protected act(core: Core, io: CommandIO): Promise<number> {
    return core.validate(io, this.config ?? 'config.yaml');
  }
}
