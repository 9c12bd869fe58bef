import { Command } from 'clipanion';
import { versionLine } from '../version.js';

export class VersionCommand extends Command {
  static override paths = [['--version'], ['-V'], ['version']];
  static override usage = Command.Usage({ description: 'Print the version and the commit it was built from' });

  async execute(): Promise<number> {
    this.context.stdout.write(`${versionLine()}\n`);
    return 0;
  }
}
