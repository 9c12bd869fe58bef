import type { Json, Snapshot } from '../../state/events.js';
import { sha256 } from '../../state/blobs.js';
import { membership, parseGroup, parsePasswd } from '../facts/accounts.js';
import { fieldDiff, type Decl, type Kind, type KindContext } from './types.js';

export interface UserSpec {
  shell: string;
  /** Supplementary groups the user must be in (others it has are left alone). */
  groups: string[];
  /** Lock the password (key-only login); undefined leaves it as it is. */
  locked?: boolean;
  /** A crypt(3) hash to set as the password (a secret: only its sha256 is recorded); undefined leaves it. */
  passwordHash?: string;
}

export interface UserOptions {
  passwordHash?: string;
}

/**
 * The shadow password field as the journal may hold it: `sha256:<hex>` of the field for a real hash
 * (the field itself, a secret, goes only to the 0600 blob store so rollback can put it back), or
 * `plain:<field>` for the markers that carry no secret (empty, `!`, `*`, `!*`).
 */
export function passwordTag(field: string): string {
  return /^!?\*?$/.test(field) ? `plain:${field}` : `sha256:${sha256(field)}`;
}

/** Declare a login user with a home, a shell and group memberships. */
export function user(name: string, spec: UserSpec): Decl<UserOptions> {
  return {
    kind: 'user',
    id: name,
    desired: {
      exists: true, shell: spec.shell, groups: [...spec.groups].sort(),
      ...(spec.locked !== undefined ? { locked: spec.locked } : {}),
      ...(spec.passwordHash !== undefined ? { password: passwordTag(spec.passwordHash) } : {}),
    },
    ...(spec.passwordHash !== undefined ? { options: { passwordHash: spec.passwordHash } } : {}),
  };
}

const strings = (v: Json | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** passwd, group and shadow read once for every user in the run. */
async function read(ctx: KindContext, decls: readonly Decl<UserOptions>[]): Promise<Map<string, Snapshot>> {
  const files = await ctx.host.readFiles(['/etc/passwd', '/etc/group', '/etc/shadow']);
  const text = (p: string): string => files.get(p)?.toString('utf8') ?? '';
  const passwd = new Map(parsePasswd(text('/etc/passwd')).map((u) => [u.name, u]));
  const shadow = new Map(text('/etc/shadow').split('\n').map((l) => l.split(':')).filter((f) => f.length >= 2).map((f) => [f[0]!, f[1]!]));
  const memberOf = membership(parseGroup(text('/etc/group')));
  return new Map(decls.map((d): [string, Snapshot] => {
    const pw = passwd.get(d.id);
    if (!pw) return [d.id, { exists: false }];
    const hash = shadow.get(d.id);
    return [d.id, {
      exists: true,
      uid: pw.uid,
      home: pw.home,
      shell: pw.shell,
      groups: (memberOf.get(d.id) ?? []).sort(),
      // Unknown (null) when shadow is unreadable, as in a plan run by a normal user.
      locked: hash === undefined ? null : hash.startsWith('!') || hash === '*',
      // Only where a password is managed: the tag of the field, its content kept for rollback.
      ...(d.desired.password !== undefined ? { password: hash === undefined ? null : keepPassword(ctx, hash, d.desired.password) } : {}),
    }];
  }));
}

/** The field's tag; a hash other than the configured one is kept (0600 blob) so rollback can restore it. */
function keepPassword(ctx: KindContext, field: string, desired: unknown): string {
  const tag = passwordTag(field);
  if (tag.startsWith('sha256:') && tag !== desired) ctx.contents.set(tag.slice('sha256:'.length), Buffer.from(field));
  return tag;
}

/** Set the shadow field verbatim through stdin (`chpasswd -e`), so the hash never reaches argv. */
async function setPassword(ctx: KindContext, name: string, field: string): Promise<void> {
  await ctx.host.run(['chpasswd', '--encrypted'], { input: `${name}:${field}\n`, secrets: [field] });
}

/** The desired fields that differ; groups only need to be a subset of what the user has. */
function missing(current: Snapshot, desired: Snapshot): string[] {
  return strings(desired.groups).filter((g) => !strings(current.groups).includes(g));
}

export const userKind: Kind<UserOptions> = {
  name: 'user',
  label: (d) => `user ${d.id}`,
  read,
  diff(current, decl) {
    if (decl.desired.exists === false) return current.exists === true ? [`remove user ${decl.id}`] : [];
    if (current.exists !== true) return [`create (shell ${String(decl.desired.shell)}, groups ${strings(decl.desired.groups).join(',') || 'none'})`];
    const { groups: _g, password, ...rest } = decl.desired;
    const lines = fieldDiff(current, rest);
    if (password !== undefined && current.password !== password) lines.push(current.password?.toString().startsWith('sha256:') ? 'change password' : 'set password');
    const add = missing(current, decl.desired);
    return add.length ? [...lines, `add to groups ${add.join(',')}`] : lines;
  },
  predict: (current, decl) => ({
    ...current,
    ...decl.desired,
    groups: [...new Set([...strings(current.groups), ...strings(decl.desired.groups)])].sort(),
  }),
  async converge(ctx, decl, current) {
    const name = decl.id;
    const shell = String(decl.desired.shell);
    const groups = strings(decl.desired.groups);
    if (current.exists !== true) {
      await ctx.host.run(['useradd', '--create-home', '--user-group', '--shell', shell, ...(groups.length ? ['--groups', groups.join(',')] : []), '--', name]);
    } else {
      if (current.shell !== shell) await ctx.host.run(['usermod', '--shell', shell, '--', name]);
      const add = missing(current, decl.desired);
      if (add.length) await ctx.host.run(['usermod', '--append', '--groups', add.join(','), '--', name]);
    }
    const hash = decl.options?.passwordHash;
    if (hash !== undefined && current.password !== decl.desired.password) await setPassword(ctx, name, hash);
    if (decl.desired.locked !== undefined && decl.desired.locked !== current.locked) {
      await ctx.host.run(['usermod', decl.desired.locked ? '--lock' : '--unlock', '--', name]);
    }
  },
  async revert(ctx, decl, current, target) {
    const name = decl.id;
    if (current.exists !== true) return { result: 'restored' };
    if (target.exists !== true) {
      if (ctx.force) {
        await ctx.host.run(['userdel', '--remove', '--', name]);
        return { result: 'restored', note: `removed ${name} and its home ${String(current.home)}` };
      }
      await ctx.host.run(['userdel', '--', name]);
      return { result: 'left', note: `removed user ${name} but left its home ${String(current.home)} (use --force to delete it)` };
    }
    const added = strings(current.groups).filter((g) => !strings(target.groups).includes(g));
    for (const g of added) await ctx.host.run(['gpasswd', '--delete', name, g]);
    if (typeof target.shell === 'string' && target.shell !== current.shell) await ctx.host.run(['usermod', '--shell', target.shell, '--', name]);
    if (typeof target.password === 'string' && target.password !== current.password) {
      const field = target.password.startsWith('plain:') ? target.password.slice('plain:'.length) : (await ctx.blob(target.password.slice('sha256:'.length))).toString('utf8');
      await setPassword(ctx, name, field);
    } else if (typeof target.locked === 'boolean' && target.locked !== current.locked) {
      await ctx.host.run(['usermod', target.locked ? '--lock' : '--unlock', '--', name]);
    }
    return { result: 'restored' };
  },
};
