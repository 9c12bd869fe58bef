import type { Host } from '../host/host.js';

/** One line of /var/log/dpkg.log that changed a package: install, upgrade, remove or purge. */
export interface DpkgAction {
  /** As dpkg writes it, local time: `2026-12-04 15:40:12`. */
  at: string;
  action: 'install' | 'upgrade' | 'remove' | 'purge';
  pkg: string;
  from: string;
  to: string;
}

const LOGS = ['/var/log/dpkg.log', '/var/log/dpkg.log.1'];

/** dpkg's log, oldest first: `2026-12-04 15:40:12 upgrade nginx:amd64 1.22.1-9 1.22.1-9+deb12u1`. */
export function parseDpkgLog(text: string): DpkgAction[] {
  const out: DpkgAction[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (install|upgrade|remove|purge) (\S+) (\S+) (\S+)$/.exec(line);
    if (m) out.push({ at: m[1]!, action: m[2] as DpkgAction['action'], pkg: m[3]!.replace(/:[a-z0-9]+$/, ''), from: m[4]!, to: m[5]! });
  }
  return out;
}

/** `dpkg-query -S` output: `nginx-common: /etc/nginx/nginx.conf` → path → package. Diversions are skipped. */
export function parseOwners(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^([^:\s,]+)(?::[a-z0-9]+)?(?:, [^:]+)*: (\/.*)$/.exec(line);
    if (m && !line.startsWith('diversion ')) out.set(m[2]!, m[1]!);
  }
  return out;
}

/** dpkg's local timestamp as epoch milliseconds (the host's time zone, as dpkg wrote it). */
export const dpkgTime = (at: string): number => new Date(at.replace(' ', 'T')).getTime();

export interface PackageHistory {
  owners: Map<string, string>;
  actions: DpkgAction[];
}

/** Which package owns each path and what dpkg did lately: one dpkg-query and one read of its logs. */
export async function readPackageHistory(host: Host, paths: readonly string[]): Promise<PackageHistory> {
  const [owners, logs] = await Promise.all([
    paths.length ? host.query(['dpkg-query', '-S', '--', ...paths], { allowFailure: true }).then((r) => parseOwners(r.stdout)) : new Map<string, string>(),
    host.readFiles(LOGS),
  ]);
  const text = LOGS.slice().reverse().map((p) => logs.get(p)?.toString('utf8') ?? '').join('\n');
  return { owners, actions: parseDpkgLog(text) };
}

/**
 * The likely cause of a drift: the last thing dpkg did to `pkg` after `sinceIso` (when Phanes last
 * wrote or saw the resource), or undefined when dpkg did nothing to it since, or when the file was
 * modified again after that (`mtimeMs`), which dpkg cannot explain.
 */
export function dpkgCause(history: PackageHistory, pkg: string | undefined, sinceIso: string, mtimeMs?: number): string | undefined {
  if (!pkg) return undefined;
  const since = Date.parse(sinceIso);
  const last = history.actions.filter((a) => a.pkg === pkg && dpkgTime(a.at) >= since - 1000).at(-1);
  // dpkg logs whole seconds, after it unpacked: a file written later than that was someone else.
  if (!last || (mtimeMs !== undefined && mtimeMs > dpkgTime(last.at) + 2000)) return undefined;
  const what = last.action === 'upgrade' || last.action === 'install' ? 'a package upgrade' : `a package ${last.action}`;
  return `changed by ${what} (${last.pkg} ${last.from} → ${last.to}, ${last.at})`;
}
