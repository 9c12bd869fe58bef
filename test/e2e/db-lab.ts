// Pieces of the postgres and redis scenario: argv loggers in the host, and before/after snapshots
// of dpkg and /etc with the differences a rollback may leave, each with its reason.
import path from 'node:path';
import type { LabHost } from './harness/index.js';

const ARGV_LOG = '/var/log/phanes-e2e-argv.log';
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Puts a logger for each command in /usr/local/bin (before /usr/bin and /usr/sbin on PATH): it
 * appends its argv to a log, then runs the real command with the same stdin.
 */
export async function wrapArgvLogger(host: LabHost, names: string[]): Promise<void> {
  await host.exec(['sh', '-c', `: > ${ARGV_LOG} && chmod 666 ${ARGV_LOG}`]);
  for (const name of names) {
    await host.writeFile(`/usr/local/bin/${name}`, [
      '#!/bin/sh',
      `printf '%s\\n' "${name} $*" >> ${ARGV_LOG}`,
      `exec "$(PATH=${SYSTEM_PATH} command -v ${name})" "$@"`,
      '',
    ].join('\n'), 0o755);
  }
}

export async function argvLogged(host: LabHost): Promise<string[]> {
  return (await host.readFile(ARGV_LOG)).split('\n').filter(Boolean);
}

/** Package → `status version` for every package dpkg knows. */
export async function packageSnapshot(host: LabHost): Promise<Map<string, string>> {
  const { stdout } = await host.exec(['dpkg-query', '-W', '-f=${Package}\t${db:Status-Abbrev} ${Version}\n']);
  return new Map(stdout.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]));
}

/** Path → sha256, `link:TARGET` or `dir` for everything under /etc. */
export async function etcSnapshot(host: LabHost): Promise<Map<string, string>> {
  const { stdout } = await host.exec(
    "{ find /etc -xdev -type d -printf '%p\\tdir\\n'; find /etc -xdev -type l -printf '%p\\tlink:%l\\n'; find /etc -xdev -type f -exec sha256sum {} + | awk '{ print $2 \"\\t\" $1 }'; }",
  );
  return new Map(stdout.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]));
}

/** Files that change whenever a package adds a system user or a library. */
const ALWAYS: Record<string, string> = {
  '/etc/passwd': 'system users the packages created (postgres, redis); Debian never deletes them',
  '/etc/passwd-': 'backup of /etc/passwd written when those users were added',
  '/etc/group': 'system groups the packages created (postgres, redis, ssl-cert)',
  '/etc/group-': 'backup of /etc/group written when those groups were added',
  '/etc/shadow': 'entries of those system users',
  '/etc/shadow-': 'backup of /etc/shadow',
  '/etc/gshadow': 'entries of those system groups',
  '/etc/gshadow-': 'backup of /etc/gshadow',
  '/etc/ld.so.cache': 'ldconfig ran for the libraries the dependencies brought',
  '/etc/apt/apt.conf.d/02autoremove-postgresql': 'postgresql-common, which stays, writes it (pg_updateaptconfig) to keep server packages from autoremove',
};

/**
 * The differences between two snapshots that no reason explains. Allowed, and printed with their
 * reason: packages apt installed automatically as dependencies (Phanes purges only what it
 * installed; `apt-get autoremove` takes them), files of those packages, and the user databases.
 */
export async function unexplained(host: LabHost, dpkgBefore: Map<string, string>, dpkgAfter: Map<string, string>, etcBefore: Map<string, string>, etcAfter: Map<string, string>): Promise<string[]> {
  const auto = new Set((await host.exec(['apt-mark', 'showauto'])).stdout.split('\n').filter(Boolean));
  const bad: string[] = [];
  const staying = new Set<string>();
  const allowed = new Map<string, string[]>(); // reason → what it explains, printed grouped
  const allow = (reason: string, what: string): void => void allowed.set(reason, [...(allowed.get(reason) ?? []), what]);
  for (const name of new Set([...dpkgBefore.keys(), ...dpkgAfter.keys()])) {
    const [was, now] = [dpkgBefore.get(name), dpkgAfter.get(name)];
    if (was === now) continue;
    if (!was && now?.startsWith('ii ') && auto.has(name)) {
      staying.add(name);
      allow('packages apt installed automatically as dependencies stay (Phanes purges only what it installed; apt-get autoremove removes them)', name);
    } else bad.push(`package ${name}: ${was ?? '(absent)'} → ${now ?? '(absent)'}`);
  }
  const changed = [...new Set([...etcBefore.keys(), ...etcAfter.keys()])].filter((p) => etcBefore.get(p) !== etcAfter.get(p)).sort();
  const owners = await ownersOf(host, changed, etcAfter);
  for (const p of changed) {
    const what = `${p}: ${etcBefore.get(p) ?? '(absent)'} → ${etcAfter.get(p) ?? '(absent)'}`;
    const by = (owners.get(p) ?? []).filter((o) => staying.has(o));
    if (ALWAYS[p]) allow(ALWAYS[p], p);
    else if (by.length) allow(`files of ${by.join(', ')}, a dependency that stays`, p);
    else bad.push(what);
  }
  for (const [reason, what] of allowed) console.log(`[e2e] allowed: ${what.length > 6 ? `${what.slice(0, 6).join(', ')} and ${what.length - 6} more` : what.join(', ')}: ${reason}`);
  return bad;
}

/** Packages owning each path, one of its parent directories, or (for a link) its target. */
async function ownersOf(host: LabHost, paths: string[], etc: Map<string, string>): Promise<Map<string, string[]>> {
  const candidates = new Map<string, string[]>();
  for (const p of paths) {
    const parents = p.split('/').slice(2, -1).map((_, i, parts) => `/etc/${parts.slice(0, i + 1).join('/')}`).filter((d) => d.split('/').length > 2);
    const target = etc.get(p)?.startsWith('link:') ? [etc.get(p)!.slice(5)] : [];
    candidates.set(p, [p, ...parents, ...target.map((t) => path.posix.resolve(path.posix.dirname(p), t))]);
  }
  const all = [...new Set([...candidates.values()].flat())];
  const owner = new Map<string, string[]>();
  if (all.length) {
    const { stdout } = await host.exec(['dpkg', '-S', ...all], { reject: false });
    for (const line of stdout.split('\n')) {
      const at = line.indexOf(': ');
      if (at > 0) owner.set(line.slice(at + 2), line.slice(0, at).split(', ').map((s) => s.replace(/:.*$/, '')));
    }
  }
  return new Map(paths.map((p) => [p, [...new Set(candidates.get(p)!.flatMap((c) => owner.get(c) ?? []))]]));
}
