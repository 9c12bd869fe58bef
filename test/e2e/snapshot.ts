// What a rollback must put back, read in one pass: every path under /etc (type, mode, owner, and the
// content's sha256 or the link's target) and every package dpkg knows in a state other than purged.
import type { LabHost } from './harness/index.js';

export type HostSnapshot = Map<string, string>;

const SCRIPT = [
  "find /etc -xdev -printf '%p\\t%y %m %u:%g %l\\n'",
  "find /etc -xdev -type f -print0 | xargs -0 sha256sum | sed 's/^\\([0-9a-f]*\\)  \\(.*\\)$/\\2\\tsha256 \\1/'",
  "dpkg-query -W -f='dpkg:${Package}:${Architecture}\\t${db:Status-Abbrev}\\n' | grep -v -P '\\t[up]n $' || true",
].join('; ');

/** Files under /etc and dpkg selections of the host, keyed by path or `dpkg:<package>:<arch>`. */
export async function etcAndPackages(host: LabHost): Promise<HostSnapshot> {
  const { stdout } = await host.exec(['bash', '-c', SCRIPT]);
  const out: HostSnapshot = new Map();
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const [key, value] = [line.slice(0, tab), line.slice(tab + 1)];
    out.set(key, out.has(key) ? `${out.get(key)} ${value}` : value);
  }
  return out;
}

/** One line per key that differs: `<key> <before> → <after>` (absent shown as `(none)`). */
export function differences(before: HostSnapshot, after: HostSnapshot): string[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys.filter((k) => before.get(k) !== after.get(k)).map((k) => `${k} ${before.get(k) ?? '(none)'} → ${after.get(k) ?? '(none)'}`);
}

/** The account files, which the comparison by name below replaces: their numbers and line order follow the order dpkg made system users in. */
export const ACCOUNT_FILES = /^\/etc\/(passwd|group|shadow|gshadow)-?$/;

/**
 * Users and groups by name, without what differs between two hosts that made the same accounts in
 * another order (a kill between two packages' postinsts): the uid and gid dpkg's adduser picked for a
 * system account (1–999), and the line order. Names, home, shell, primary group, members, whether a
 * password is set or locked, and the aging fields still count. Keys: `passwd:<name>`, `group:<name>` …
 */
export async function accountsByName(host: LabHost): Promise<HostSnapshot> {
  const { stdout } = await host.exec(['sh', '-c', 'for f in passwd group shadow gshadow; do sed "s/^/$f:/" /etc/$f; done']);
  const lines = stdout.split('\n').filter(Boolean).map((l) => l.split(':'));
  const id = (n: string): string => (Number(n) > 0 && Number(n) < 1000 ? 'system' : n);
  const groupOf = new Map(lines.filter((f) => f[0] === 'group').map((f) => [f[3]!, f[1]!]));
  const secret = (p: string): string => (p.startsWith('$') ? 'hash' : p.startsWith('!$') ? 'locked hash' : p);
  const names = (list = ''): string => list.split(',').sort().join(',');
  const out: HostSnapshot = new Map();
  for (const [file, name, ...f] of lines) {
    const value = file === 'passwd' ? [id(f[1]!), groupOf.get(f[2]!) ?? `gid ${id(f[2]!)}`, ...f.slice(3)]
      : file === 'group' ? [id(f[1]!), names(f[2])]
        : file === 'shadow' ? [secret(f[0]!), ...f.slice(1)]
          : [secret(f[0]!), names(f[1]), names(f[2])];
    out.set(`${file}:${name}`, value.join(':'));
  }
  return out;
}
