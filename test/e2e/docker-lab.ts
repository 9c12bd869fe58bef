// What the docker scenario compares before and after rollback: every entry under /etc, and dpkg's installed packages.
import type { LabHost } from './harness/index.js';

/** Path → type, mode, owner, link target and content hash of every entry under /etc. */
export type EtcSnapshot = Record<string, string>;

export async function snapshotEtc(host: LabHost): Promise<EtcSnapshot> {
  const meta = await host.exec(['find', '/etc', '-xdev', '-printf', '%p\t%y %m %u:%g %l\n']);
  const sums = await host.exec("find /etc -xdev -type f -print0 | xargs -0 sha256sum", { reject: false });
  const out: EtcSnapshot = {};
  for (const line of meta.stdout.split('\n').filter(Boolean)) {
    const [p = '', rest = ''] = line.split('\t');
    out[p] = rest;
  }
  for (const line of sums.stdout.split('\n').filter(Boolean)) {
    const at = line.indexOf('  ');
    const p = line.slice(at + 2);
    out[p] = `${out[p] ?? ''} ${line.slice(0, at)}`;
  }
  return out;
}

/** Paths added, removed or changed between two snapshots, sorted. */
export function etcChanges(before: EtcSnapshot, after: EtcSnapshot): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((p) => before[p] !== after[p]).sort();
}

/** Installed packages ('ii'), sorted. */
export async function selections(host: LabHost): Promise<string[]> {
  const { stdout } = await host.exec(['dpkg-query', '-W', '-f=${Package}\t${db:Status-Abbrev}\n']);
  return stdout.split('\n').filter((l) => l.split('\t')[1]?.startsWith('ii')).map((l) => l.split('\t')[0]!).sort();
}
