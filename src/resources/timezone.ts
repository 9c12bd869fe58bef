import type { Snapshot } from '../../state/events.js';
import { PhanesError } from '../errors.js';
import type { Decl, Kind, KindContext } from './types.js';

const ZONEINFO = '/usr/share/zoneinfo/';

/**
 * The system timezone, set the way tzdata does it: /etc/localtime links into zoneinfo, and
 * /etc/timezone follows where the release still has one. No timedated: it can move a container
 * host's clock.
 */
export function timezone(zone: string): Decl {
  return { kind: 'timezone', id: 'system', desired: { zone } };
}

async function read(ctx: KindContext, decls: readonly Decl[]): Promise<Map<string, Snapshot>> {
  const wanted = decls.map((d) => `${ZONEINFO}${String(d.desired.zone)}`);
  const stats = await ctx.host.statFiles(['/etc/localtime', '/etc/timezone', ...wanted]);
  const tzFile = (await ctx.host.readFiles(['/etc/timezone'])).get('/etc/timezone');
  const link = stats.get('/etc/localtime');
  const target = link?.isSymlink ? (link.linkTarget ?? '') : '';
  const at = target.lastIndexOf('zoneinfo/');
  const zone = at >= 0 ? target.slice(at + 'zoneinfo/'.length) : null;
  return new Map(decls.map((d, i) => [d.id, {
    zone,
    timezoneFile: tzFile ? tzFile.toString('utf8').trim() : null,
    available: Boolean(stats.get(wanted[i]!)),
  }]));
}

export const timezoneKind: Kind = {
  name: 'timezone',
  label: () => 'timezone',
  read,
  diff: (current, decl) => (sameZone(current.zone, decl.desired.zone) ? [] : [`${String(current.zone ?? '(unset)')} → ${String(decl.desired.zone)}`]),
  predict: (current, decl) => ({ ...current, zone: decl.desired.zone ?? null }),
  async converge(ctx, decl, current) {
    const zone = String(decl.desired.zone);
    if (current.available !== true) {
      throw new PhanesError(`timezone ${zone} is not in ${ZONEINFO} on this host`, {
        suggestion: 'set `timezone` to a name from `timedatectl list-timezones`, e.g. Europe/Berlin, or install tzdata',
      });
    }
    await setZone(ctx, zone, current);
  },
  async revert(ctx, _decl, current, target) {
    if (typeof target.zone !== 'string') return { result: 'left', note: 'there was no timezone link before; the current one stays' };
    await setZone(ctx, target.zone, current, typeof target.timezoneFile === 'string' ? target.timezoneFile : null);
    return { result: 'restored' };
  },
};

async function setZone(ctx: KindContext, zone: string, current: Snapshot, tzFile: string | null = zone): Promise<void> {
  await ctx.host.symlink(`${ZONEINFO}${zone}`, '/etc/localtime');
  if (current.timezoneFile !== null && tzFile !== null) await ctx.host.writeFile('/etc/timezone', `${tzFile}\n`);
}

// Etc/UTC is what Debian's tzdata links for UTC; asking for `UTC` on such a host is no change.
const UTC = new Set(['UTC', 'Etc/UTC', 'Etc/Universal', 'Universal', 'Zulu', 'Etc/Zulu']);
function sameZone(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'string' && typeof b === 'string' && UTC.has(a) && UTC.has(b));
}
