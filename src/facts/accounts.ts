/** /etc/passwd and /etc/group as records: one parser for every part that reads them. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const rows = (text: string, fields: number): string[][] =>
  text.split('\n').map((l) => l.split(':')).filter((f) => f.length >= fields && f[0] !== '' && /^\d+$/.test(f[2] ?? ''));

export function parsePasswd(text: string): PasswdEntry[] {
  return rows(text, 7).map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]!, shell: f[6]! }));
}

export function parseGroup(text: string): GroupEntry[] {
  return rows(text, 4).map((f) => ({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) }));
}

/** Supplementary groups of each user, from the member lists. */
export function membership(groups: readonly GroupEntry[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of groups) for (const m of g.members) out.set(m, [...(out.get(m) ?? []), g.name]);
  return out;
}
