import type { Snapshot } from '../../state/events.js';
import { inContainer, refuseInContainer } from '../facts/container.js';
import { sysctlWritable, type SystemFacts } from '../facts/system.js';
import { skipIf, type Decl, type Kind, type KindContext } from './types.js';

/**
 * A kernel parameter's running value (`sysctl -w`), with its previous value recorded for rollback.
 * Persistence is a separate `/etc/sysctl.d/` file; this is only the live half.
 */
export function liveSysctl(key: string, value: string | number): Decl {
  return { kind: 'live-sysctl', id: key, desired: { value: String(value) } };
}

/**
 * Why setting `key` live is skipped on this host, if it is: in a container every key outside the
 * network stack is the machine's, and a read-only /proc/sys (LXC-like hosts) takes none. The
 * sysctl.d file still applies it at the next boot where it can.
 */
export function liveSysctlSkip(system: Pick<SystemFacts, 'container' | 'procSysMounts'>, key: string): string | undefined {
  const { container } = system;
  if (!namespaced(key) && container) return inContainer(container, `${key} is the machine's, not this host's; it is set at boot on a VM`);
  if (!sysctlWritable(system, key)) return `/proc/sys is read-only here${container ? ` (${container} container)` : ''}: ${key} is set at the next boot`;
  return undefined;
}

/** A live sysctl that carries its own skip where this host cannot or must not take it. */
export function liveSysctlOn(system: Pick<SystemFacts, 'container' | 'procSysMounts'>, key: string, value: string | number): Decl {
  return skipIf(liveSysctl(key, value), liveSysctlSkip(system, key));
}

const procPath = (key: string): string => `/proc/sys/${key.replace(/\./g, '/')}`;
/** Only the network stack is a per-container namespace; the rest (vm.*, most of kernel.*) is the machine's. */
export const namespaced = (key: string): boolean => key.startsWith('net.');
/** `1\t0` (tabs between fields, as /proc prints vectors) compares like `1 0`. */
const normalize = (v: string): string => v.trim().split(/\s+/).join(' ');

async function read(ctx: KindContext, decls: readonly Decl[]): Promise<Map<string, Snapshot>> {
  const keys = [...new Set(decls.map((d) => d.id))];
  const files = await ctx.host.readFiles(keys.map(procPath));
  return new Map(keys.map((k) => {
    const data = files.get(procPath(k));
    return [k, { value: data ? normalize(data.toString('utf8')) : null }];
  }));
}

/** Set several keys with one `sysctl`, after one container check for the machine-wide ones. */
async function set(ctx: KindContext, values: readonly (readonly [string, string])[]): Promise<void> {
  const machine = values.map(([k]) => k).filter((k) => !namespaced(k));
  if (machine.length) await refuseInContainer(ctx.host, `set ${machine.join(', ')}`, `${machine.join(', ')} ${machine.length > 1 ? 'are' : 'is'} not namespaced: it would change the machine's value, not this host's`);
  await ctx.host.run(['sysctl', '-q', '-w', ...values.map(([k, v]) => `${k}=${v}`)]);
}

export const liveSysctlKind: Kind = {
  name: 'live-sysctl',
  label: (d) => `live sysctl ${d.id}`,
  read,
  // A key this kernel lacks (no IPv6, no Yama) has nothing to set, like `-key` in sysctl.d.
  diff: (current, decl) => (current.value === null || current.value === decl.desired.value ? [] : [`${String(current.value)} → ${String(decl.desired.value)}`]),
  predict: (current, decl) => ({ ...current, value: decl.desired.value ?? null }),
  async converge(ctx, decl) {
    await set(ctx, [[decl.id, String(decl.desired.value)]]);
  },
  async convergeMany(ctx, items) {
    await set(ctx, items.map(({ decl }) => [decl.id, String(decl.desired.value)] as const));
  },
  async revert(ctx, decl, current, target) {
    if (typeof target.value !== 'string' || target.value === current.value) return { result: 'restored' };
    await set(ctx, [[decl.id, target.value]]);
    return { result: 'restored' };
  },
  // The kernel ties some keys together (turning forwarding on turns accept_redirects off) and a later
  // step of the same rollback may reload a firewall that sets its own: the restored value is set again.
  async settle(ctx, decl, current, target) {
    if (typeof target.value === 'string' && current.value !== null && current.value !== target.value) await set(ctx, [[decl.id, target.value]]);
  },
};
