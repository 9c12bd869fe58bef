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
