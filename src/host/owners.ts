import { readFile } from 'node:fs/promises';
import { parseGroup, parsePasswd } from '../facts/accounts.js';

/** uid/gid ↔ name maps read from /etc/passwd and /etc/group (no process per lookup). */
export interface OwnerNames {
  user(uid: number): string;
  group(gid: number): string;
  uid(name: string): number;
  gid(name: string): number;
}

export async function ownerNames(root = '/'): Promise<OwnerNames> {
  const [passwd, group] = await Promise.all([
    readFile(`${root}etc/passwd`, 'utf8').catch(() => ''),
    readFile(`${root}etc/group`, 'utf8').catch(() => ''),
  ]);
  const users = index(parsePasswd(passwd).map((u) => ({ name: u.name, id: u.uid })));
  const groups = index(parseGroup(group).map((g) => ({ name: g.name, id: g.gid })));
  return {
    user: (uid) => users.byId.get(uid) ?? String(uid),
    group: (gid) => groups.byId.get(gid) ?? String(gid),
    uid: (name) => lookup(users.byName, name, 'user'),
    gid: (name) => lookup(groups.byName, name, 'group'),
  };
}

function lookup(map: Map<string, number>, name: string, what: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const id = map.get(name);
  if (id === undefined) throw new Error(`no such ${what}: ${name}`);
  return id;
}

/** name ↔ id maps; the first name wins for an id that several share. */
function index(entries: readonly { name: string; id: number }[]): { byId: Map<number, string>; byName: Map<string, number> } {
  const byId = new Map<number, string>();
  const byName = new Map<string, number>();
  for (const { name, id } of entries) {
    byName.set(name, id);
    if (!byId.has(id)) byId.set(id, name);
  }
  return { byId, byName };
}
