import { Command, Option } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { generalHelp } from '../help.js';
import { useColor } from '../report/color.js';
import { PhanesCommand } from './base.js';

/** The seed's form, kept working: `phanes --profile dev --config config.yaml [--dry-run]`, `--modules a,b`, `--list`. */
export class LegacyCommand extends PhanesCommand {
  static override paths = [Command.Default];
  static override usage = Command.Usage({
    description: 'The original form: run a profile or modules directly (same as `phanes apply`)',
    examples: [
      ['Run a profile', 'sudo phanes --profile dev --config config.yaml'],
      ['Dry run', 'phanes --profile minimal --dry-run'],
      ['List modules and profiles', 'phanes --list'],
    ],
  });

  profile = Option.String('--profile,-p', { description: 'A profile to run' });
  modules = Option.String('--modules,-m', { description: 'Comma-separated modules to run' });
  config = Option.String('--config,-c', { description: 'The YAML config' });
  dryRun = Option.Boolean('--dry-run,-n', false, { description: 'Show what would change; change nothing' });
  list = Option.Boolean('--list,-l', false, { description: 'List modules and profiles' });

  override async execute(): Promise<number> {
    if (!this.list && !this.profile && !this.modules) {
      this.context.stdout.write(generalHelp(this.cli, useColor(this.context.stdout as { isTTY?: boolean }, this.context.env)));
      return 0;
    }
    return super.execute();
  }

  protected act(core: Core, io: CommandIO): Promise<number> | number {
    if (this.list) {
      core.listModules(io.reporter);
      return 0;
    }
    return core.apply(io, { profile: this.profile, modules: this.modules, configFile: this.config, dryRun: this.dryRun });
  }
}
