import type { Snapshot } from '../../state/events.js';
import { refuseInContainer } from './container.js';
import type { Decl, Kind, KindContext } from './types.js';

/**
 * A kernel parameter's running value (`sysctl -w`), with its previous value recorded for rollback.
 * Persistence is a separate `/etc/sysctl.d/` file; this is only the live half.
 */
export function liveSysctl(key: string, value: string | number): Decl {
  return { kind: 'live-sysctl', id: key, desired: { value: String(value) } };
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

async function set(ctx: KindContext, key: string, value: string): Promise<void> {
  if (!namespaced(key)) await refuseInContainer(ctx.host, `set ${key}`, `${key} is not namespaced: it would change the machine's value, not this host's`);
  await ctx.host.run(['sysctl', '-q', '-w', `${key}=${value}`]);
}

export const liveSysctlKind: Kind = {
  name: 'live-sysctl',
  label: (d) => `live sysctl ${d.id}`,
  read,
  // A key this kernel lacks (no IPv6, no Yama) has nothing to set, like `-key` in sysctl.d.
  diff: (current, decl) => (current.value === null || current.value === decl.desired.value ? [] : [`${String(current.value)} → ${String(decl.desired.value)}`]),
  predict: (current, decl) => ({ ...current, value: decl.desired.value ?? null }),
  async converge(ctx, decl) {
    await set(ctx, decl.id, String(decl.desired.value));
  },
  async revert(ctx, decl, current, target) {
    if (typeof target.value !== 'string' || target.value === current.value) return { result: 'restored' };
    await set(ctx, decl.id, target.value);
    return { result: 'restored' };
  },
};
