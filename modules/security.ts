import type { Module } from '../src/engine/module.js';
import { baselineHardeningResources } from './security/baseline-hardening.js';
import { fail2banResources } from './security/fail2ban.js';
import { firewallResources } from './security/firewall.js';
import { kernelResources } from './security/kernel.js';
import { sshPreflight, sshResources } from './security/ssh.js';

/**
 * security: sshd hardening, the ufw firewall, fail2ban, kernel sysctls and baseline hardening. Each part lives
 * in modules/security/; this file only fixes their order and gathers the lockout checks.
 */
export const security: Module = {
  name: 'security',
  description: 'sshd hardening, ufw firewall, fail2ban and kernel hardening',
  resources(ctx) {
    return [
      // The firewall first: it allows the ssh port (sshAllowRule) before sshd is reloaded onto it.
      ...firewallResources(ctx),
      ...sshResources(ctx),
      // fail2ban watches the port sshd listens on by now; sysctls do not depend on the others.
      ...fail2banResources(ctx),
      ...kernelResources(ctx),
      // Banners, login.defs, core dumps, unused kernel modules, audit packages (security.hardening).
      ...baselineHardeningResources(ctx),
    ];
  },
  preflight: (ctx) => sshPreflight(ctx),
  // Whatever the journal says, the rule that lets ssh in on the configured port stays.
  keeps: ({ config }) => Object.fromEntries([`${config.security.ssh_port}`, `${config.security.ssh_port}/tcp`]
    .map((spec) => [`ufw:allow ${spec}`, `it allows ssh on port ${config.security.ssh_port}`])),
};
