import type { ModuleContext } from '../../src/engine/module.js';
import { pkg } from '../../src/resources/package.js';
import type { Decl } from '../../src/resources/types.js';
import { ufwAllow, ufwDefault, ufwEnabled, ufwSysctlFile } from '../../src/resources/ufw.js';
import { sshAllowRule } from './ssh.js';

export { ufwAllow } from '../../src/resources/ufw.js';

/** The rules the firewall allows in, ssh first; an extra that repeats one is declared once. */
export function allowedRules(ctx: Pick<ModuleContext, 'config'>): string[] {
  return [...new Set([sshAllowRule(ctx.config), ...ctx.config.security.ufw.allow])];
}

/**
 * The firewall part of the security module: ufw with default deny in and allow out, the ssh port
 * and the configured extras allowed, then enabled. It comes before the ssh part (security.ts), so
 * a new ssh port is open before sshd moves to it, and enabling comes after every allow rule.
 * Rules Phanes did not add are left alone; rollback deletes only the ones it added.
 */
export function firewallResources(ctx: ModuleContext): Decl[] {
  const { security } = ctx.config;
  if (!security.ufw.enabled) return [];
  return [
    pkg('ufw'),
    ufwDefault('incoming', 'deny'),
    ufwDefault('outgoing', 'allow'),
    ...allowedRules(ctx).map(ufwAllow),
    // ufw applies its own sysctl file whenever it starts, after systemd-sysctl and behind the journal's
    // back (its log_martians=0 would undo the kernel part at every boot). With sysctl hardening on, the
    // kernel part owns those keys, so ufw applies none, as ufw's own sysctl.conf suggests.
    ...(security.sysctl_hardening ? [ufwSysctlFile('')] : []),
    ufwEnabled(),
  ];
}

/**
 * Ports a service module opens when ufw is on in the config and either managed in this run (security
 * in the run) or already on the host: `apply --modules nginx` on a hardened server keeps (and so
 * never prunes) nginx's rules for 80 and 443. A port the user already lists in `security.ufw.allow`
 * stays the security module's, so each rule has one owner.
 */
export function openPorts(ctx: ModuleContext, specs: readonly string[]): Decl[] {
  if (!ctx.config.security.ufw.enabled) return [];
  if (!ctx.modules.includes('security') && !ctx.system.ssh?.ufw) return [];
  const owned = new Set(allowedRules(ctx));
  return specs.filter((s) => !owned.has(s)).map(ufwAllow);
}
