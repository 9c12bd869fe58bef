// owned by the firewall/fail2ban helper: a placeholder so modules/security.ts compiles; it will be replaced.
import type { ModuleContext } from '../../src/engine/module.js';
import type { Decl } from '../../src/resources/types.js';

export function firewallResources(_ctx: ModuleContext): Decl[] {
  return [];
}
