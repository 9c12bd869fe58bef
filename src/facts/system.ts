import type { Host } from '../host/host.js';
import { containerOf } from './container.js';
import { readSshFacts, type SshFacts } from './ssh.js';

/** What modules need to know about the host before they declare anything. */
export interface SystemFacts {
  /** `debian` or `ubuntu` (ID from os-release). */
  distro: string;
  /** e.g. `12`, `13`, `24.04`. */
  versionId: string;
  /** e.g. `bookworm`. */
  codename: string;
  hostname: string;
  /** Container type from `systemd-detect-virt -c`, or null on a VM or bare metal. */
  container: string | null;
  /** True when Phanes runs as root. */
  root: boolean;
  /** Mounts at or under /proc/sys and whether each is read-only (containers often mount it so). */
  procSysMounts: { at: string; ro: boolean }[];
  /** sshd, login accounts and ufw, for the security module's settings and lockout checks. */
  ssh?: SshFacts;
}

/** os-release and hostname are files (no process); the container check and the ssh probe are the two commands. */
export async function readSystemFacts(host: Host): Promise<SystemFacts> {
  const [basics, ssh] = await Promise.all([readHostBasics(host), readSshFacts(host, runsAsRoot())]);
  return { ...basics, ssh };
}

/** The system facts without the ssh probe: what a run that declares nothing (rollback) needs. */
export async function readHostBasics(host: Host): Promise<Omit<SystemFacts, 'ssh'>> {
  const [files, container] = await Promise.all([
    host.readFiles(['/etc/os-release', '/etc/hostname', '/proc/self/mountinfo']),
    containerOf(host),
  ]);
  const os = parseOsRelease(files.get('/etc/os-release')?.toString('utf8') ?? '');
  return {
    distro: os.ID ?? 'unknown',
    versionId: os.VERSION_ID ?? '',
    codename: os.VERSION_CODENAME ?? '',
    hostname: files.get('/etc/hostname')?.toString('utf8').trim() ?? '',
    container,
    root: runsAsRoot(),
    procSysMounts: procSysMounts(files.get('/proc/self/mountinfo')?.toString('utf8') ?? ''),
  };
}

const runsAsRoot = (): boolean => (typeof process.getuid === 'function' ? process.getuid() === 0 : false);

/** The /proc/sys mounts from mountinfo (field 5 is the mount point, field 6 its options). */
export function procSysMounts(mountinfo: string): { at: string; ro: boolean }[] {
  return mountinfo.split('\n').map((l) => l.split(' ')).filter((f) => f[4] === '/proc/sys' || f[4]?.startsWith('/proc/sys/'))
    .map((f) => ({ at: f[4]!, ro: (f[5] ?? '').split(',').includes('ro') }));
}

/** Whether a sysctl can be set live here: the deepest mount holding its /proc/sys file is not read-only. */
export function sysctlWritable(system: Pick<SystemFacts, 'procSysMounts'>, key: string): boolean {
  const file = `/proc/sys/${key.replace(/\./g, '/')}`;
  const holder = system.procSysMounts.filter((m) => file === m.at || file.startsWith(`${m.at}/`)).sort((a, b) => b.at.length - a.at.length)[0];
  return !holder?.ro;
}

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}
