import type { ModuleContext } from '../../src/engine/module.js';
import { render } from '../../src/render.js';
import { file } from '../../src/resources/file.js';
import { pkg } from '../../src/resources/package.js';
import { service } from '../../src/resources/service.js';
import type { Decl } from '../../src/resources/types.js';

export const JAIL_LOCAL = '/etc/fail2ban/jail.local';

export function renderJail(ctx: Pick<ModuleContext, 'config'>): string {
  const { ssh_port, fail2ban } = ctx.config.security;
  return render('fail2ban/jail.local.liquid', { ssh_port, bantime: fail2ban.bantime, findtime: fail2ban.findtime, maxretry: fail2ban.maxretry });
}

/**
 * The fail2ban part of the security module: an sshd jail that reads the journal (Debian 12's stock
 * jail fails to start for lack of auth.log) and bans with nftables. python3-systemd and nftables are
 * only Recommends of fail2ban on Debian 12, and Phanes installs without recommends, so they are
 * named here. `fail2ban-client -t` before a (re)start catches a config fail2ban cannot parse; it
 * passes even when a jail cannot start, which is why the e2e checks `fail2ban-client status sshd`.
 * (A step that waited for the jail after the restart was tried: whether it had anything to do
 * depended on timing, so plan could not predict it.)
 */
export function fail2banResources(ctx: ModuleContext): Decl[] {
  if (!ctx.config.security.fail2ban.enabled) return [];
  return [
    pkg('fail2ban'),
    pkg('python3-systemd'),
    pkg('nftables'),
    file(JAIL_LOCAL, { content: renderJail(ctx), notify: ['service:fail2ban'] }),
    service('fail2ban', { onChange: 'restart', verify: ['fail2ban-client', '-t'] }),
  ];
}
