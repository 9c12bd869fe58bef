import type { ModuleContext } from '../../src/engine/module.js';
import { render } from '../../src/render.js';
import { command } from '../../src/resources/command.js';
import { file } from '../../src/resources/file.js';
import { pkg } from '../../src/resources/package.js';
import { service } from '../../src/resources/service.js';
import type { Decl } from '../../src/resources/types.js';

export const JAIL_LOCAL = '/etc/fail2ban/jail.local';

// `fail2ban-client -t` passes even when a jail cannot start; only a running jail answers `status sshd`.
// The server takes a moment after (re)start to load its jails, hence the wait.
const JAIL_UP = 'for i in $(seq 1 50); do fail2ban-client status sshd >/dev/null 2>&1 && exit 0; sleep 0.2; done; fail2ban-client status sshd';

export function renderJail(ctx: Pick<ModuleContext, 'config'>): string {
  const { ssh_port, fail2ban } = ctx.config.security;
  return render('fail2ban/jail.local.liquid', { ssh_port, bantime: fail2ban.bantime, findtime: fail2ban.findtime, maxretry: fail2ban.maxretry });
}

/**
 * The fail2ban part of the security module: an sshd jail that reads the journal (Debian 12's stock
 * jail fails to start for lack of auth.log), bans with nftables, and is proven running by
 * `fail2ban-client status sshd`. python3-systemd and nftables are only Recommends of fail2ban on
 * Debian 12, and Phanes installs without recommends, so they are named here.
 */
export function fail2banResources(ctx: ModuleContext): Decl[] {
  if (!ctx.config.security.fail2ban.enabled) return [];
  return [
    pkg('fail2ban'),
    pkg('python3-systemd'),
    pkg('nftables'),
    file(JAIL_LOCAL, { content: renderJail(ctx), notify: ['service:fail2ban'] }),
    service('fail2ban', { onChange: 'restart', verify: ['fail2ban-client', '-t'] }),
    command('fail2ban sshd jail running', {
      check: ['fail2ban-client', 'status', 'sshd'],
      run: ['sh', '-c', JAIL_UP],
      undo: ['true'], // only waited for the jail; removing fail2ban is the package's undo
    }),
  ];
}
