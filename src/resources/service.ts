import type { Snapshot } from '../../state/events.js';
import { HostError } from '../errors.js';
import { fieldDiff, type Decl, type Kind, type KindContext } from './types.js';

export interface ServiceOptions {
  /** What a notifying change triggers: a reload keeps connections (sshd), a restart is for daemons without one. */
  onChange?: 'reload' | 'restart';
  /** What a notified reload runs instead of `systemctl reload` (ufw.service has none: `ufw reload`). */
  reloadWith?: string[];
  /** Run before reload/restart; a failure stops the step with nothing reloaded (e.g. `sshd -t`). */
  verify?: string[];
}

/** Declare a systemd unit's enabled and active state. */
export function service(unit: string, spec: { enabled?: boolean; active?: boolean } & ServiceOptions = {}): Decl<ServiceOptions> {
  const { enabled = true, active = true, ...options } = spec;
  return { kind: 'service', id: unit, desired: { enabled, active }, options };
}

/** One `systemctl show` for every unit in the run. */
async function read(ctx: KindContext, decls: readonly Decl<ServiceOptions>[]): Promise<Map<string, Snapshot>> {
  const units = [...new Set(decls.map((d) => d.id))];
  const out = new Map<string, Snapshot>(units.map((u) => [u, { exists: false, enabled: false, active: false }]));
  if (!units.length) return out;
  const res = await ctx.host.query(['systemctl', 'show', '--property=Id,LoadState,ActiveState,UnitFileState', '--', ...units], {
    allowFailure: true, // without a running systemd (plan in a chroot) every unit reads as absent
  });
  const blocks = res.stdout.split(/\n\s*\n/).filter((b) => b.trim());
  blocks.forEach((block, i) => {
    const unit = units[i];
    if (!unit) return;
    const p = Object.fromEntries(block.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const exists = p.LoadState === 'loaded';
    out.set(unit, {
      exists,
      enabled: exists && ['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated'].includes(p.UnitFileState ?? '') ,
      active: ['active', 'reloading', 'activating'].includes(p.ActiveState ?? ''),
    });
  });
  return out;
}

async function setState(ctx: KindContext, unit: string, current: Snapshot, want: Snapshot): Promise<void> {
  if (want.enabled !== undefined && want.enabled !== current.enabled) {
    await ctx.host.run(['systemctl', want.enabled ? 'enable' : 'disable', '--quiet', '--', unit]);
  }
  if (want.active !== undefined && want.active !== current.active) {
    await ctx.host.run(['systemctl', want.active ? 'start' : 'stop', '--', unit]);
  }
}

export const serviceKind: Kind<ServiceOptions> = {
  name: 'service',
  label: (d) => `service ${d.id}`,
  read,
  diff(current, decl, ctx) {
    const changes = fieldDiff(current, decl.desired).map((l) => l.replace(/^enabled: .*→ true$/, 'enable').replace(/^enabled: .*→ false$/, 'disable')
      .replace(/^active: .*→ true$/, 'start').replace(/^active: .*→ false$/, 'stop'));
    // A running unit told to act is reloaded even when it is also enabled, so plan names the disruption.
    const told = ctx.notified.has(`service:${decl.id}`) && current.active === true && decl.desired.active !== false;
    return told ? [...changes, decl.options?.onChange ?? 'reload'] : changes;
  },
  predict: (current, decl) => ({ ...current, exists: true, ...decl.desired }),
  async converge(ctx, decl, current) {
    const verify = decl.options?.verify;
    if (verify) {
      const res = await ctx.host.run(verify, { allowFailure: true });
      if (res.exitCode !== 0) throw new HostError(verify.join(' '), res.exitCode, res.stderr, { suggestion: `${decl.id} was not reloaded; fix the configuration and re-run` });
    }
    const notified = ctx.notified.has(`service:${decl.id}`);
    await setState(ctx, decl.id, current, decl.desired);
    // A unit started just now already runs the new config; only a running one needs the reload.
    if (notified && current.active === true && decl.desired.active !== false) {
      await ctx.host.run(decl.options?.reloadWith ?? ['systemctl', decl.options?.onChange ?? 'reload', '--', decl.id]);
    }
  },
  async revert(ctx, decl, current, target) {
    if (current.exists !== true) return { result: 'restored', note: `${decl.id} no longer exists` };
    await setState(ctx, decl.id, current, { enabled: target.enabled ?? false, active: target.active ?? false });
    return { result: 'restored' };
  },
};
