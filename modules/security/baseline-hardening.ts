import type { ModuleContext } from '../../src/engine/module.js';
import { inContainer } from '../../src/facts/container.js';
import { directory } from '../../src/resources/directory.js';
import { file } from '../../src/resources/file.js';
import { line } from '../../src/resources/line.js';
import { pkg } from '../../src/resources/package.js';
import { skipIf, type Decl } from '../../src/resources/types.js';

/**
 * Hardening beyond sshd, the firewall and sysctls, chosen from what Lynis, dev-sec and CIS check
 * and kept to what cannot surprise a server's owner (security.hardening turns it all off):
 * - login banners that warn unauthorised users;
 * - login.defs: a minimum password age, more hashing rounds, a stricter umask (configurable) and,
 *   only when configured, a maximum password age;
 * - no core dumps (limits.d, the login shell, systemd-coredump);
 * - rare network protocols and filesystems blocked in modprobe.d (files only: nothing is unloaded);
 * - audit helpers: debsums, apt-show-versions, apt-listchanges, libpam-tmpdir, libpam-pwquality and
 *   process accounting (acct; not in a container, which lacks CAP_SYS_PACCT).
 * Left out: needrestart (its binutils counts as a compiler), apt-listbugs (asks questions and needs
 * bugs.debian.org), AIDE and USBGuard (databases and policies to maintain), TMOUT (kills idle shells).
 */
export const LOGIN_DEFS = '/etc/login.defs';
export const LIMITS_FILE = '/etc/security/limits.d/60-phanes-coredump.conf';
export const PROFILE_FILE = '/etc/profile.d/60-phanes-coredump.sh';
export const COREDUMP_DIR = '/etc/systemd/coredump.conf.d';
export const COREDUMP_FILE = `${COREDUMP_DIR}/60-phanes.conf`;
export const MODPROBE_DIR = '/etc/modprobe.d';
export const MODPROBE_FILE = `${MODPROBE_DIR}/60-phanes-hardening.conf`;

export const AUDIT_PACKAGES = ['debsums', 'apt-show-versions', 'apt-listchanges', 'libpam-tmpdir', 'libpam-pwquality'] as const;

/** Network protocols no server here speaks, and filesystems it never mounts (udf and squashfs stay: cloud media, snaps). */
export const BLOCKED_MODULES = {
  'rare network protocols': ['dccp', 'sctp', 'rds', 'tipc'],
  'removable storage': ['usb-storage', 'firewire-core'],
  'rare filesystems': ['cramfs', 'freevxfs', 'jffs2', 'hfs', 'hfsplus'],
} as const;

/** Password hashing rounds for SHA-512 crypt (chpasswd, newusers); Debian's default is 5000. */
export const SHA_ROUNDS = 65536;

/** `install X /bin/true` makes modprobe succeed without loading X; `blacklist` stops alias autoloading. */
export function renderModprobe(): string {
  const groups = Object.entries(BLOCKED_MODULES).map(([what, mods]) => [`# ${what}`, ...mods.flatMap((m) => [`install ${m} /bin/true`, `blacklist ${m}`])].join('\n'));
  return `# Managed by Phanes (security module): modules a server does not need are never loaded.\n${groups.join('\n\n')}\n`;
}

/** A login.defs setting: replaces the active line (or the commented example) for the key, else appends. */
function loginDef(key: string, value: string | number): Decl {
  return line(LOGIN_DEFS, `${key}\t${value}`, new RegExp(`^#?${key}\\s+\\S`));
}

export function loginDefs(h: ModuleContext['config']['security']['hardening']): Decl[] {
  return [
    loginDef('PASS_MIN_DAYS', 1),
    ...(h.password_max_days > 0 ? [loginDef('PASS_MAX_DAYS', h.password_max_days)] : []),
    loginDef('UMASK', h.umask),
    loginDef('SHA_CRYPT_MIN_ROUNDS', SHA_ROUNDS),
    loginDef('SHA_CRYPT_MAX_ROUNDS', SHA_ROUNDS),
  ];
}

export function baselineHardeningResources(ctx: ModuleContext): Decl[] {
  const h = ctx.config.security.hardening;
  if (!h.enabled) return [];
  const banner = `${h.banner.trim()}\n`;
  const { container } = ctx.system;
  return [
    ...AUDIT_PACKAGES.map((p) => pkg(p)),
    skipIf(pkg('acct'), inContainer(container, "process accounting needs CAP_SYS_PACCT, so acct's service would fail")),
    file('/etc/issue', { content: banner }),
    file('/etc/issue.net', { content: banner }),
    ...loginDefs(h),
    file(LIMITS_FILE, { content: '# Managed by Phanes (security module): no core dumps, they can hold secrets.\n* hard core 0\n* soft core 0\n' }),
    file(PROFILE_FILE, { content: '# Managed by Phanes (security module): no core dumps from login shells.\nulimit -c 0\n' }),
    directory(COREDUMP_DIR),
    file(COREDUMP_FILE, { content: '# Managed by Phanes (security module): systemd-coredump keeps nothing.\n[Coredump]\nStorage=none\nProcessSizeMax=0\n' }),
    directory(MODPROBE_DIR),
    file(MODPROBE_FILE, { content: renderModprobe() }),
  ];
}
