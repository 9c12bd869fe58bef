import { Command } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

export class SchemaCommand extends PhanesCommand {
  static override paths = [['schema']];
  static override usage = Command.Usage({
    description: 'Print the config JSON Schema, for editor completion and validation',
    examples: [['Save it for your editor', 'phanes schema > phanes.schema.json']],
  });

  protected act(core: Core, io: CommandIO): number {
    return core.schema(io);
  }
}
