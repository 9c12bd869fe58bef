import { Command } from 'clipanion';
import { PhanesCommand } from './base.js';

export class SchemaCommand extends PhanesCommand {
  static override paths = [['schema']];
  static override usage = Command.Usage({
    description: 'Print the config JSON Schema, for editor completion and validation',
    examples: [['Save it for your editor', 'phanes schema > phanes.schema.json']],
  });

  async execute(): Promise<number> {
    const { configJsonSchema } = await import('../config/index.js');
    this.context.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    return 0;
  }
}
