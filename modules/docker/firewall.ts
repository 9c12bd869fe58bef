import type { ModuleContext } from '../../src/engine/module.js';
import { render } from '../../src/render.js';
import { block } from '../../src/resources/block.js';
import type { Decl } from '../../src/resources/types.js';
import { portSpec } from '../../src/resources/ufw.js';

export const UFW_AFTER_RULES = '/etc/ufw/after.rules';
export const UFW_BLOCK_MARKER = 'phanes docker: published ports through ufw';

/** Whether this run keeps published ports behind ufw: security manages ufw in it and docker.ufw is on. */
export function guardsPorts(ctx: Pick<ModuleContext, 'config' | 'modules'>): boolean {
  return ctx.config.docker.ufw && ctx.modules.includes('security') && ctx.config.security.ufw.enabled;
}

/** `8080/tcp` → one rule; `443` (any protocol) → tcp and udp; ranges keep ufw's LOW:HIGH form. */
export function allowRules(specs: readonly string[]): { proto: 'tcp' | 'udp'; port: string }[] {
  return specs.flatMap((s) => {
    const { port, proto } = portSpec(s);
    return (proto === 'any' ? (['tcp', 'udp'] as const) : [proto]).map((p) => ({ proto: p, port }));
  });
}

/** The block Phanes keeps at the end of ufw's after.rules. */
export function ufwDockerRules(allow: readonly string[]): string {
  return render('docker/ufw-docker.rules.liquid', { allow: allowRules(allow) });
}

/**
 * The firewall part of the docker module: the DOCKER-USER rules in ufw's after.rules, loaded with `ufw reload`
 * after each change (restarting ufw.service does not load them: its stop leaves the rules in place, so its
 * start finds them loaded and does nothing).
 */
export function dockerFirewall(ctx: ModuleContext): Decl[] {
  if (!guardsPorts(ctx)) return [];
  return [block(UFW_AFTER_RULES, UFW_BLOCK_MARKER, ufwDockerRules(ctx.config.security.ufw.allow), ['ufw', 'reload'])];
}
