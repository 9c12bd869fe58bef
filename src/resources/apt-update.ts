import type { Snapshot } from '../../state/events.js';
import type { Decl, Kind, KindContext } from './types.js';

const STAMP = '/var/lib/apt/periodic/update-success-stamp';
const LISTS = '/var/lib/apt/lists';

/** `apt-get update`, only when the package lists are older than `maxAgeSeconds` (or missing). */
export function aptUpdate(maxAgeSeconds = 3600): Decl {
  return { kind: 'apt-update', id: 'lists', desired: { fresh: true }, options: { maxAgeSeconds } };
}

async function read(ctx: KindContext, decls: readonly Decl[]): Promise<Map<string, Snapshot>> {
  // `find -newermt` answers in one process whether any list is younger than the limit.
  const maxAge = Math.min(...decls.map((d) => Number((d.options as { maxAgeSeconds?: number } | undefined)?.maxAgeSeconds ?? 3600)));
  const res = await ctx.host.query(['find', LISTS, '-maxdepth', '1', '-name', '*Packages*', '-newermt', `${maxAge} seconds ago`, '-print', '-quit'], { allowFailure: true });
  const fresh = res.exitCode === 0 && res.stdout.trim() !== '';
  return new Map(decls.map((d) => [d.id, { fresh }]));
}

export const aptUpdateKind: Kind = {
  name: 'apt-update',
  label: () => 'apt package lists',
  read,
  diff: (current) => (current.fresh === true ? [] : ['apt-get update (lists are stale)']),
  predict: () => ({ fresh: true }),
  async converge(ctx) {
    await ctx.host.run(['apt-get', 'update', '-q'], { env: { DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 15 * 60_000 });
    await ctx.host.run(['touch', STAMP], { allowFailure: true });
  },
  async revert() {
    return { result: 'left', note: 'refreshed package lists are kept' };
  },
  volatile: true,
};
