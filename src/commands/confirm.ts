import { Command } from 'clipanion';
import type { CommandIO } from '../actions/io.js';
import type { Core } from '../core-loader.js';
import { PhanesCommand } from './base.js';

export class ConfirmCommand extends PhanesCommand {
  static override paths = [['confirm']];
  static override usage = Command.Usage({
    description: 'Keep the sshd and ufw changes of an apply over SSH: run it from a new connection',
    details: `
      An apply over SSH that changes sshd or ufw arms a timer that puts both back unless this command comes
      within \`--confirm-timeout\` seconds from another SSH connection than the one that ran apply: a new
      login proves you can still get in. It refuses on the connection that ran apply.
    `,
    examples: [['From a second terminal, after apply moved ssh to port 2222', 'ssh -p 2222 deploy@server sudo phanes confirm']],
  });

  protected act(core: Core, io: CommandIO): Promise<number> {
    return core.confirm(io);
  }
}
