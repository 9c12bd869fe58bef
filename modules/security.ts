import type { Module } from '../src/engine/module.js';
import { fail2banResources } from './security/fail2ban.js';
import { firewallResources } from './security/firewall.js';
import { kernelResources } from './security/kernel.js';
import { sshPreflight, sshResources } from './security/ssh.js';

/**
 * security: sshd hardening, the ufw firewall, fail2ban and kernel network sysctls. Each part lives
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
    ];
  },
  preflight: (ctx) => sshPreflight(ctx),
};
