import type { Snapshot } from '../../state/events.js';
import { fieldDiff, octal, type Decl, type Kind, type KindContext } from './types.js';

/** Declare a directory with mode and owner. */
export function directory(dirPath: string, spec: { mode?: number; owner?: string; group?: string } = {}): Decl {
  return {
    kind: 'directory',
    id: dirPath,
    desired: { exists: true, mode: spec.mode ?? 0o755, owner: spec.owner ?? 'root', group: spec.group ?? spec.owner ?? 'root' },
  };
}

async function read(ctx: KindContext, decls: readonly Decl[]): Promise<Map<string, Snapshot>> {
  const stats = await ctx.host.statFiles(decls.map((d) => d.id));
  return new Map(decls.map((d): [string, Snapshot] => {
    const st = stats.get(d.id);
    return [d.id, st?.isDirectory ? { exists: true, mode: st.mode, owner: st.owner, group: st.group } : { exists: false }];
  }));
}

export const directoryKind: Kind = {
  name: 'directory',
  label: (d) => `directory ${d.id}`,
  read,
  diff: (current, decl) =>
    decl.desired.exists === false ? (current.exists === true ? ['remove'] : []) : current.exists !== true ? [`create (${octal(Number(decl.desired.mode))} ${decl.desired.owner}:${decl.desired.group})`] : fieldDiff(current, decl.desired),
  predict: (_current, decl) => ({ ...decl.desired }),
  async converge(ctx, decl, current) {
    const owner = String(decl.desired.owner);
    const group = String(decl.desired.group);
    if (current.exists !== true) {
      await ctx.host.mkdir(decl.id, { mode: Number(decl.desired.mode), owner, group });
      return;
    }
    await ctx.host.chmod(decl.id, Number(decl.desired.mode));
    await ctx.host.chown(decl.id, owner, group);
  },
  async revert(ctx, decl, current, target) {
    if (current.exists !== true) return { result: 'restored' };
    if (target.exists !== true) {
      const res = await ctx.host.run(['rmdir', '--', decl.id], { allowFailure: true });
      if (res.exitCode === 0) return { result: 'restored' };
      return { result: 'left', note: `${decl.id} is not empty, so it was left in place` };
    }
    await ctx.host.chmod(decl.id, Number(target.mode));
    await ctx.host.chown(decl.id, String(target.owner), String(target.group));
    return { result: 'restored' };
  },
};
