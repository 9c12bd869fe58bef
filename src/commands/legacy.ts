import { Command, Option } from 'clipanion';
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

  async execute(): Promise<number> {
    if (this.list) {
      const { listModules } = await import('./list-modules.js');
      listModules(this.reporter);
      return 0;
    }
    if (!this.profile && !this.modules) {
      this.context.stdout.write(this.cli.usage(null));
      return 0;
    }
    const { runApply } = await import('./run-apply.js');
    await runApply({ profile: this.profile, modules: this.modules, configFile: this.config, dryRun: this.dryRun, stateDir: this.resolvedStateDir, env: this.context.env }, this.reporter);
    return 0;
  }
}
