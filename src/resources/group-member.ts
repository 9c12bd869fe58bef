import type { Snapshot } from '../../state/events.js';
import { parseGroup, parsePasswd } from '../facts/accounts.js';
import { PhanesError } from '../errors.js';
import type { Decl, Kind, KindContext } from './types.js';

/**
 * A user's membership in a group that another module's package brings (the docker group). The user
 * itself belongs to whoever declared it (the user module); this resource only adds and, on rollback,
 * takes away the one membership, so each module rolls back its own part.
 */
export function groupMember(group: string, user: string): Decl {
  return { kind: 'group-member', id: `${group}:${user}`, desired: { member: true } };
}

const partsOf = (id: string): { group: string; user: string } => ({ group: id.slice(0, id.indexOf(':')), user: id.slice(id.indexOf(':') + 1) });

/** /etc/group and /etc/passwd read once for every membership in the run. */
async function read(ctx: KindContext, decls: readonly Decl[]): Promise<Map<string, Snapshot>> {
  const files = await ctx.host.readFiles(['/etc/group', '/etc/passwd']);
  const groups = new Map(parseGroup(files.get('/etc/group')?.toString('utf8') ?? '').map((g) => [g.name, g]));
  const users = new Set(parsePasswd(files.get('/etc/passwd')?.toString('utf8') ?? '').map((u) => u.name));
  return new Map(decls.map((d): [string, Snapshot] => {
    const { group, user } = partsOf(d.id);
    const g = groups.get(group);
    return [d.id, { member: g?.members.includes(user) ?? false, group: g !== undefined, user: users.has(user) }];
  }));
}

export const groupMemberKind: Kind = {
  name: 'group-member',
  label: (d) => `${partsOf(d.id).user} in group ${partsOf(d.id).group}`,
  read,
  diff: (current, decl) => (current.member === decl.desired.member ? [] : [decl.desired.member ? 'add' : 'remove']),
  predict: (current, decl) => ({ ...current, member: decl.desired.member ?? false, group: true, user: true }),
  async converge(ctx, decl, current) {
    const { group, user } = partsOf(decl.id);
    if (decl.desired.member !== true) {
      await ctx.host.run(['gpasswd', '--delete', user, group]);
      return;
    }
    if (current.user === false) {
      throw new PhanesError(`user ${user} does not exist, so it cannot join group ${group}`, {
        suggestion: `create ${user} first (the user module creates the login user), or take it out of the list`,
      });
    }
    await ctx.host.run(['gpasswd', '--add', user, group]);
  },
  async revert(ctx, decl, current, target) {
    if (target.member === true || current.member !== true) return { result: 'restored' };
    const { group, user } = partsOf(decl.id);
    await ctx.host.run(['gpasswd', '--delete', user, group]);
    return { result: 'restored' };
  },
};
