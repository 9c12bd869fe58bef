// Pieces of the drift matrix scenario: the config that enables all 13 modules, and the snapshot of a
// host that a rollback of every module must give back (the list, in one process per part).
import type { LabHost } from './harness/index.js';
import { coolifySection, type InstallerServer } from './coolify-lab.js';
import { etcAndPackages, type HostSnapshot } from './snapshot.js';

export const USER = 'deploy';
export const PG_PASSWORD = `pg-${process.pid}-drift-correct-horse`;
export const REDIS_PASSWORD = `redis-${process.pid}-drift-battery-staple`;
export const COOLIFY_PASSWORD = `coolify-${process.pid}-drift-staple`;
export const SECRETS = [PG_PASSWORD, REDIS_PASSWORD, COOLIFY_PASSWORD];
export const ENV = { PG_PASSWORD, REDIS_PASSWORD, COOLIFY_ROOT_USER_PASSWORD: COOLIFY_PASSWORD };
/** Every module but caddy: nginx and caddy both bind port 80, so caddy runs once nginx is rolled back. */
export const TWELVE = ['baseline', 'user', 'security', 'swap', 'updates', 'docker', 'monitoring', 'nginx', 'postgres', 'redis', 'devtools', 'coolify'];
export const SITES = { 'a.test': '/srv/a', 'b.test': '/srv/b' } as const;

export interface DriftConfig {
  key: string;
  installer: InstallerServer;
  sshPort?: number;
  nginxSites?: (keyof typeof SITES)[];
  coolify?: boolean;
}

/** The config: every module on, sites a.test and b.test on nginx, a.test's root on caddy, the stand-in installer. */
export function driftConfig({ key, installer, sshPort = 22, nginxSites = ['a.test', 'b.test'], coolify = true }: DriftConfig): string {
  return [
    `username: ${USER}`,
    `ssh_public_key: "${key}"`,
    // apt keeps the mirror's Last-Modified as the lists' mtime: an hour's max age can read as stale at once.
    'baseline: { apt_cache_max_age: 86400 }',
    'swap: { size: 64M }',
    'security:',
    `  ssh_port: ${sshPort}`,
    'monitoring: { agent: netdata }',
    'devtools: { runtimes: [python] }',
    'nginx:',
    '  sites:',
    ...nginxSites.map((s) => `    - { server_name: ${s}, root: ${SITES[s]} }`),
    'caddy:',
    '  sites:',
    '    - { host: "a.test:80", root: /srv/a }',
    'postgres:',
    '  databases: [{ name: app, owner: app }]',
    '  roles: [{ name: app, password: "${PG_PASSWORD}" }]',
    'redis:',
    '  password: "${REDIS_PASSWORD}"',
    ...coolifySection(installer, coolify),
    '',
  ].join('\n');
}

/** Key prefixes of the parts beyond /etc and dpkg, in one shell: each line `<prefix><name>\t<value>`. */
const EXTRA = [
  "systemctl list-unit-files --state=enabled --no-legend --plain | awk '{ print \"unit:\" $1 \"\\t\" $2 }'",
  "getent passwd | awk -F: '{ n = $1; $1 = \"\"; print \"passwd:\" n \"\\t\" $0 }'",
  "getent group | awk -F: '{ n = $1; $1 = \"\"; print \"group:\" n \"\\t\" $0 }'",
  "if command -v ufw >/dev/null; then ufw status verbose | awk 'NF { print \"ufw:\" NR \"\\t\" $0 }'; else printf 'ufw:1\\tnot installed\\n'; fi",
  // Counters and random values change on their own; the rest are settings.
  "sysctl -a 2>/dev/null | grep -vE '^(kernel\\.random\\.|fs\\.quota\\.|kernel\\.(ns_last_pid|tainted)|[^ ]*([-_.]nr|[-_]state|_count|_max_nr) = )' | sed 's/^\\([^ ]*\\) = /sysctl:\\1\\t/'",
].join('; ');

/**
 * dpkg selections and every path under /etc (type, mode, owner, sha256), from snapshot.ts, plus the
 * enabled unit files, `getent passwd` and `group`, `ufw status verbose` and the sysctl settings.
 */
export async function hostSnapshot(host: LabHost): Promise<HostSnapshot> {
  const out = await etcAndPackages(host);
  const { stdout } = await host.exec(['bash', '-c', EXTRA]);
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) out.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return out;
}
