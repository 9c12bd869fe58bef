import { Command, Option } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

export class PlanCommand extends PhanesCommand {
  static override paths = [['plan']];
  static override usage = Command.Usage({
    description: 'Show what apply would change, changing nothing (works as any user)',
    details: 'The same code as apply, on a host that refuses every write. Later steps are planned against the state earlier ones predict.',
    examples: [
      ['Plan the minimal profile with the embedded defaults', 'phanes plan --profile minimal'],
      ['Plan with your config, as NDJSON', 'phanes plan --profile minimal --config config.yaml --json'],
      ['In cron or CI: exit 2 when changes are pending, 0 when none, 1 on error', 'phanes plan --profile minimal --detailed-exitcode'],
    ],
  });

  profile = Option.String('--profile,-p', { description: 'A profile: minimal, dev, web, database or coolify' });
  modules = Option.String('--modules,-m', { description: 'Comma-separated modules, e.g. baseline,user' });
  config = Option.String('--config,-c', { description: 'The YAML config (default ./config.yaml, else the embedded defaults)' });
  detailedExitcode = Option.Boolean('--detailed-exitcode', false, { description: 'Exit 2 when changes are pending, 0 when none, 1 on error' });
  confirmTimeout = Option.String('--confirm-timeout', { description: 'Over SSH, seconds to confirm sshd and ufw changes from a new connection before they are put back (default 120)' });
  noConfirm = Option.Boolean('--no-confirm', false, { description: 'Do not arm the confirm-or-revert guard (automation, console access)' });
  lockTimeout = Option.String('--lock-timeout', { description: 'How long to wait for a dpkg/apt lock another process holds, e.g. 90s or 10m (default 10m)' });

  protected act(core: Core, io: CommandIO): Promise<number> {
    return core.apply(io, { profile: this.profile, modules: this.modules, configFile: this.config, lockTimeout: this.lockTimeout, dryRun: true, detailedExitcode: this.detailedExitcode, confirmTimeout: this.confirmTimeout, noConfirm: this.noConfirm });
  }
}
