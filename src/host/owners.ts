import { readFile } from 'node:fs/promises';

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
  const users = parseIdFile(passwd);
  const groups = parseIdFile(group);
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

function parseIdFile(text: string): { byId: Map<number, string>; byName: Map<string, number> } {
  const byId = new Map<number, string>();
  const byName = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (!name || id === undefined || !/^\d+$/.test(id)) continue;
    byName.set(name, Number(id));
    if (!byId.has(Number(id))) byId.set(Number(id), name);
  }
  return { byId, byName };
}
