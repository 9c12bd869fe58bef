import type { Snapshot } from '../../state/events.js';
import { keyOf, type Decl, type Kind, type KindContext } from './types.js';

const STAMP = '/var/lib/apt/periodic/update-success-stamp';
const LISTS = '/var/lib/apt/lists';

export interface AptUpdateOptions {
  /** Refresh when no list is younger than this many seconds (the base lists). */
  maxAgeSeconds?: number;
  /**
   * For one added source (apt-repo): fresh while a list file of it exists (`/var/lib/apt/lists/<prefix>*`);
   * refreshed when it is missing or when its sources file changed in this run (notify).
   */
  listPrefix?: string;
}

/** `apt-get update`, only when the package lists are older than `maxAgeSeconds` (or missing). */
export function aptUpdate(maxAgeSeconds = 3600): Decl<AptUpdateOptions> {
  return { kind: 'apt-update', id: 'lists', desired: { fresh: true }, options: { maxAgeSeconds } };
}

/** `apt-get update` for one source: when its lists are missing, or when its sources file just changed. */
export function aptUpdateFor(id: string, listPrefix: string): Decl<AptUpdateOptions> {
  return { kind: 'apt-update', id, desired: { fresh: true }, options: { listPrefix } };
}

async function read(ctx: KindContext, decls: readonly Decl<AptUpdateOptions>[]): Promise<Map<string, Snapshot>> {
  // One listing and one stat batch (no process) answer every question: the newest list's age for the
  // base lists, and which sources have lists.
  const ages = decls.map((d) => d.options?.maxAgeSeconds).filter((n): n is number => typeof n === 'number');
  const maxAge = ages.length ? Math.min(...ages) : 3600;
  const names = ((await ctx.host.listDirs([LISTS])).get(LISTS) ?? []).filter((n) => n.includes('Packages'));
  const stats = await ctx.host.statFiles(names.map((n) => `${LISTS}/${n}`));
  const since = Date.now() - maxAge * 1000;
  const recent = [...stats.values()].some((st) => st !== null && !st.isDirectory && (st.mtimeMs ?? 0) > since);
  return new Map(decls.map((d) => {
    const prefix = d.options?.listPrefix;
    // Rebuilt from the journal (status), a declaration has no options: it reads as recorded.
    if (!d.options) return [d.id, { fresh: true }];
    return [d.id, { fresh: prefix ? names.some((n) => n.startsWith(prefix)) : recent }];
  }));
}

export const aptUpdateKind: Kind<AptUpdateOptions> = {
  name: 'apt-update',
  label: (d) => (d.id === 'lists' ? 'apt package lists' : `apt package lists (${d.id})`),
  read,
  diff: (current, decl, ctx) => {
    if (current.fresh !== true) return [decl.options?.listPrefix ? 'apt-get update (no lists for this source yet)' : 'apt-get update (lists are stale)'];
    return ctx.notified.has(keyOf(decl)) ? ['apt-get update (a source changed)'] : [];
  },
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
