import { Command, Option } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

export class ApplyCommand extends PhanesCommand {
  static override paths = [['apply']];
  static override usage = Command.Usage({
    description: 'Bring the host to the state the config describes, recording every change',
    details: `
      Runs the modules of a profile (or the ones you name) in order. Each change is written to the journal
      with what was there before, so \`phanes rollback\` can undo it. Running it again changes nothing.
      Must run as root; \`--dry-run\` (or \`phanes plan\`) shows the changes without making them.

      Over SSH, before it changes sshd or ufw, apply keeps their files and arms a systemd timer that puts
      them back \`--confirm-timeout\` seconds (120) after the run, unless \`phanes confirm\` comes from a
      new SSH connection: a change that locks you out undoes itself. \`--no-confirm\` skips the guard.
    `,
    examples: [
      ['Harden a fresh server', 'sudo phanes apply --profile minimal --config config.yaml'],
      ['Run two modules', 'sudo phanes apply --modules baseline,user'],
      ['Preview only', 'phanes apply --profile minimal --dry-run'],
      ['Over SSH, with 5 minutes to confirm from a second connection', 'sudo phanes apply --profile minimal --confirm-timeout 300'],
      ['Machine-readable output', 'sudo phanes apply --profile minimal --json'],
    ],
  });

  profile = Option.String('--profile,-p', { description: 'A profile: minimal, dev, web, database or coolify' });
  modules = Option.String('--modules,-m', { description: 'Comma-separated modules, e.g. baseline,user' });
  config = Option.String('--config,-c', { description: 'The YAML config (default ./config.yaml, else the embedded defaults)' });
  dryRun = Option.Boolean('--dry-run,-n', false, { description: 'Show what would change; change nothing' });
  confirmTimeout = Option.String('--confirm-timeout', { description: 'Over SSH, seconds to confirm sshd and ufw changes from a new connection before they are put back (default 120)' });
  noConfirm = Option.Boolean('--no-confirm', false, { description: 'Do not arm the confirm-or-revert guard (automation, console access)' });
  lockTimeout = Option.String('--lock-timeout', { description: 'How long to wait for a dpkg/apt lock another process holds, e.g. 90s or 10m (default 10m)' });

  protected act(core: Core, io: CommandIO): Promise<number> {
    return core.apply(io, { profile: this.profile, modules: this.modules, configFile: this.config, lockTimeout: this.lockTimeout, dryRun: this.dryRun, confirmTimeout: this.confirmTimeout, noConfirm: this.noConfirm });
  }
}
