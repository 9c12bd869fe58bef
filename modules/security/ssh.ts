import { loginKeys, type Config } from '../../src/config/index.js';
import { sudoWithoutPassword } from '../user.js';
import type { ModuleContext } from '../../src/engine/module.js';
import { ufwAllows, type SshFacts } from '../../src/facts/ssh.js';
import type { SystemFacts } from '../../src/facts/system.js';
import { render } from '../../src/render.js';
import { command, nonEmptyFile } from '../../src/resources/command.js';
import { directory } from '../../src/resources/directory.js';
import { file } from '../../src/resources/file.js';
import { moduli } from '../../src/resources/moduli.js';
import { pkg } from '../../src/resources/package.js';
import { service, type ServiceOptions } from '../../src/resources/service.js';
import type { Decl } from '../../src/resources/types.js';
import { unitDropin } from '../../src/resources/unit-dropin.js';

/**
 * The sshd half of the security module: a hardening drop-in that wins over every other file,
 * moduli without small groups, the port (and ssh.socket where systemd owns it), reloaded after
 * `sshd -t` and checked with `sshd -T`. Its preflight refuses runs that would lock the owner out.
 */

/** Sorts before cloud-init's 50-cloud-init.conf and anything else in sshd_config.d: sshd keeps the first value. */
export const SSHD_DROPIN = '/etc/ssh/sshd_config.d/00-phanes-hardening.conf';
export const HOST_KEY = '/etc/ssh/ssh_host_ed25519_key';
export const MODULI_MIN_BITS = 3072;
const SSHD = '/usr/sbin/sshd';

/**
 * The ufw rule the firewall part must declare BEFORE the ssh part, so the new port is open
 * before sshd moves to it (security.ts composes firewall first).
 */
export const sshAllowRule = (config: Config): string => `${config.security.ssh_port}/tcp`;

/** In preference order; each list is cut to what this OpenSSH knows. */
const KEX = ['mlkem768x25519-sha256', 'sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'curve25519-sha256@libssh.org'];
const CIPHERS = ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com', 'aes128-gcm@openssh.com'];
const MACS = ['hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'umac-128-etm@openssh.com'];
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ssh-ed25519-cert-v01@openssh.com'];

/** Signature algorithms a user key of each type needs; SHA-1 `ssh-rsa` and DSA are never accepted. */
const PUBKEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519', 'ssh-ed25519-cert-v01@openssh.com'],
  'sk-ssh-ed25519@openssh.com': ['sk-ssh-ed25519@openssh.com', 'sk-ssh-ed25519-cert-v01@openssh.com'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256-cert-v01@openssh.com'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384-cert-v01@openssh.com'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521-cert-v01@openssh.com'],
  'sk-ecdsa-sha2-nistp256@openssh.com': ['sk-ecdsa-sha2-nistp256@openssh.com', 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-512-cert-v01@openssh.com', 'rsa-sha2-256', 'rsa-sha2-256-cert-v01@openssh.com'],
};
const ALWAYS_ACCEPTED = ['ssh-ed25519', 'sk-ssh-ed25519@openssh.com'];

/** mlkem768x25519 came with OpenSSH 9.9: Debian 13 and Ubuntu 25.04 on. Used only when `ssh -Q kex` could not be asked. */
function distroHasMlkem(system: SystemFacts): boolean {
  const v = Number.parseFloat(system.versionId);
  return (system.distro === 'debian' && (v >= 13 || ['trixie', 'forky', 'sid'].includes(system.codename))) || (system.distro === 'ubuntu' && v >= 25.04);
}

/** The wanted names this OpenSSH knows, in our order; without facts (OpenSSH not installed yet), the distro's known set. */
function supported(wanted: string[], known: string[] | undefined, fallback: (name: string) => boolean): string[] {
  return known && known.length ? wanted.filter((a) => known.includes(a)) : wanted.filter(fallback);
}

/** Ubuntu 22.10 and later listen through ssh.socket; elsewhere only if someone enabled it. */
export function socketActivated(system: SystemFacts): boolean {
  return system.ssh?.socketActivated === true || (system.distro === 'ubuntu' && Number.parseFloat(system.versionId) >= 22.1);
}

/** Key types that must keep working: the configured login keys and every key in a user's authorized_keys today. */
function keyTypesInUse(config: Config, facts: SshFacts | undefined): string[] {
  const configured = loginKeys(config).map((k) => k.split(/\s+/)[0] ?? '');
  const onHost = Object.entries(facts?.accounts ?? {}).filter(([name]) => name !== 'root').flatMap(([, a]) => a.keyTypes ?? []);
  return [...new Set([...configured, ...onHost])];
}

export interface SshdSettings {
  user: string;
  port: number;
  host_keys: string[];
  kex: string;
  ciphers: string;
  macs: string;
  host_key_algorithms: string;
  pubkey_algorithms: string;
  password_authentication: 'yes' | 'no';
  authentication_methods: string;
}

/** Everything the drop-in says that depends on config and host; the rest is fixed in the template. */
export function sshdSettings({ config, system }: Pick<ModuleContext, 'config' | 'system'>): SshdSettings {
  const algorithms = system.ssh?.algorithms;
  const mlkem = distroHasMlkem(system);
  const types = keyTypesInUse(config, system.ssh);
  const pubkey = Object.entries(PUBKEY_ALGORITHMS).filter(([type]) => ALWAYS_ACCEPTED.includes(type) || types.includes(type)).flatMap(([, algs]) => algs);
  const passwords = config.security.allow_password_auth;
  return {
    user: config.username,
    port: config.security.ssh_port,
    host_keys: [HOST_KEY],
    kex: supported(KEX, algorithms?.kex, (a) => mlkem || !a.startsWith('mlkem')).join(','),
    ciphers: supported(CIPHERS, algorithms?.cipher, () => true).join(','),
    macs: supported(MACS, algorithms?.mac, () => true).join(','),
    host_key_algorithms: HOST_KEY_ALGORITHMS.join(','),
    pubkey_algorithms: pubkey.join(','),
    password_authentication: passwords ? 'yes' : 'no',
    // Either method on its own when passwords are allowed; keyboard-interactive stays off either way.
    authentication_methods: passwords ? 'publickey password' : 'publickey',
  };
}

export const renderSshdDropin = (settings: SshdSettings): string => render('ssh/sshd-hardening.conf.liquid', { ...settings });

/** Settings sshd -T does not print on every version, so they cannot be checked there. */
const UNCHECKED = new Set(['debianbanner']);

/** The `sshd -T` lines a drop-in must produce: each `Key value` line, key lower-cased. */
export function effectiveLines(dropin: string): string[] {
  return dropin.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => { const [key = '', ...value] = l.split(/\s+/); return `${key.toLowerCase()} ${value.join(' ')}`; })
    .filter((l) => !UNCHECKED.has(l.split(' ')[0]!));
}

// $1 the user to evaluate Match blocks for, $2 how many hostkey lines there must be, then the wanted lines.
const CHECK_SCRIPT = `${SSHD} -t || exit 1
out=$(${SSHD} -T -C "user=$1,host=localhost,addr=127.0.0.1") || exit 1
keys=$2; shift 2; bad=0
for want in "$@"; do
  printf '%s\\n' "$out" | grep -qixF -- "$want" && continue
  echo "sshd does not use '$want' (it has: $(printf '%s\\n' "$out" | grep -i "^\${want%% *} " | tr '\\n' ' ')): an earlier file or a Match block overrides ${SSHD_DROPIN}" >&2; bad=1
done
n=$(printf '%s\\n' "$out" | grep -ci '^hostkey ')
[ "$n" = "$keys" ] || { echo "sshd offers $n host keys, not only those in ${SSHD_DROPIN}: remove the other HostKey lines" >&2; bad=1; }
exit $bad`;

/** After the drop-in is installed: sshd accepts the whole config, and the effective values are ours. */
export function sshdCheck(user: string, dropin: string): string[] {
  const lines = effectiveLines(dropin);
  const hostKeys = lines.filter((l) => l.startsWith('hostkey ')).length;
  return ['sh', '-c', CHECK_SCRIPT, 'phanes-sshd-check', user, String(hostKeys), ...lines];
}

export function sshResources(ctx: ModuleContext): Decl[] {
  const settings = sshdSettings(ctx);
  const dropin = renderSshdDropin(settings);
  const socket = socketActivated(ctx.system);
  const reload: ServiceOptions = { onChange: 'reload', verify: [SSHD, '-t'] };
  return [
    pkg('openssh-server'),
    // The one host key offered; Debian creates it at install, this only covers images that deleted it.
    command(`ssh host key ${HOST_KEY}`, {
      check: nonEmptyFile(HOST_KEY),
      run: ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', HOST_KEY],
      aptNeutral: true,
      undo: ['rm', '-f', '--', HOST_KEY, `${HOST_KEY}.pub`],
    }),
    moduli('/etc/ssh/moduli', MODULI_MIN_BITS),
    file(SSHD_DROPIN, { content: dropin, mode: 0o644, check: sshdCheck(settings.user, dropin), notify: ['service:ssh'] }),
    ...(socket
      ? [
          directory('/etc/systemd/system/ssh.socket.d'),
          unitDropin('ssh.socket', 'phanes-port.conf', { content: render('ssh/ssh-socket-port.conf.liquid', { port: settings.port }) }),
          // Socket-activated: ssh.service is neither enabled nor always running; only reload it when it runs.
          { kind: 'service', id: 'ssh', desired: {}, options: reload } satisfies Decl<ServiceOptions>,
        ]
      : [service('ssh', reload)]),
  ];
}

/** Groups whose members Debian's and Ubuntu's stock sudoers let run anything as root. */
const SUDO_GROUPS = ['sudo', 'admin', 'wheel'];

/**
 * Reasons to refuse before anything changes, each saying exactly what to fix.
 * - Passwords off while the login user has no key: nobody could log in.
 * - Root login off while the login user would not exist or could not become root.
 * - A new port that a firewall Phanes does not manage would block. When security.ufw.enabled is
 *   true, the firewall part opens the port before sshd moves, so only an active ufw that Phanes
 *   leaves alone (ufw.enabled: false) can block it. An inactive or absent ufw blocks nothing;
 *   cloud firewalls are out of Phanes' sight.
 * - An sshd_config whose own settings come before the drop-ins: the hardening would not apply.
 */
export function sshPreflight({ config, system, modules }: ModuleContext): string[] {
  const facts = system.ssh;
  const user = config.username;
  const withUser = modules.includes('user');
  const account = facts?.accounts[user];
  const out: string[] = [];

  if (!config.security.allow_password_auth) {
    const hostKeys = withUser ? undefined : account?.keyTypes;
    const keys = hostKeys ? hostKeys.length : loginKeys(config).length;
    if (keys === 0) {
      out.push(hostKeys
        ? `security.allow_password_auth is false, so SSH password login would be turned off, but ${user} has no key in ${account?.home}/.ssh/authorized_keys and the user module is not in this run: nobody could log in. Add the user module to the run (--modules user,security) with ssh_public_key set, or set security.allow_password_auth: true.`
        : `security.allow_password_auth is false, so SSH password login would be turned off, but no SSH key is configured for ${user}: nobody could log in. Set ssh_public_key to your public key (the line \`cat ~/.ssh/id_ed25519.pub\` prints), or set security.allow_password_auth: true.`);
    }
  }

  if (withUser && !config.user.sudo) {
    out.push(`security turns off root login over SSH, but user.sudo is false, so ${user} could log in but never become root. Set user.sudo: true.`);
  } else if (withUser && !sudoWithoutPassword(config.user) && (config.user.lock_password || (!config.user.password_hash && account?.hasPassword !== true))) {
    const why = config.user.lock_password ? 'user.lock_password locks its password' : `${user} has no password (user.password_hash is empty${account ? ' and the host has none for it' : ''})`;
    out.push(`security turns off root login over SSH, and user.sudo_nopasswd is false, so sudo would ask ${user} for a password, but ${why}: nobody could become root. Either set user.sudo_nopasswd: auto (or true) so the key-only user can sudo without one, or give the user a password with user.password_hash (a crypt(3) hash from \`openssl passwd -6\`)${config.user.lock_password ? ' and set user.lock_password: false' : ''}.`);
  } else if (!withUser && account && account.groups.some((g) => SUDO_GROUPS.includes(g)) && account.hasPassword === false && account.sudoNopasswd === false) {
    out.push(`security turns off root login over SSH, but ${user} has no password and no NOPASSWD sudo rule, so sudo would ask for a password nobody can give: nobody could become root. Add the user module to the run (--modules user,security: a key-only user gets NOPASSWD by default), or give ${user} a password (\`passwd ${user}\`) first.`);
  } else if (!withUser && facts && !account) {
    out.push(`security turns off root login over SSH, but the user ${user} does not exist on this host and the user module is not in this run: nobody could log in as root or as ${user}. Add the user module (--modules user,security, or --profile minimal), or set username to an existing sudo user.`);
  } else if (!withUser && account && !account.groups.some((g) => SUDO_GROUPS.includes(g))) {
    out.push(`security turns off root login over SSH, but ${user} is not in the sudo group and the user module is not in this run, so nobody could become root over SSH. Add the user module (--modules user,security) with user.sudo: true, or run \`adduser ${user} sudo\` first.`);
  }

  const port = config.security.ssh_port;
  const current = facts?.ports ?? [22];
  if (!current.includes(port) && !config.security.ufw.enabled && facts?.ufw && !ufwAllows(facts.ufw, port)) {
    out.push(`security.ssh_port is ${port} (sshd listens on ${current.join(', ')} now), but ufw is active on this host and does not allow ${port}/tcp, and security.ufw.enabled is false, so Phanes will not open it: sshd would move to a port no one can reach. Run \`ufw allow ${port}/tcp\` first, or set security.ufw.enabled: true so Phanes opens it before sshd moves, or keep security.ssh_port: ${current[0]}.`);
  }

  if (facts?.dropinsFirst === false) {
    out.push(`/etc/ssh/sshd_config does not begin with \`Include /etc/ssh/sshd_config.d/*.conf\`, so its own settings would override Phanes' hardening in ${SSHD_DROPIN} (sshd keeps the first value it reads). Put that Include line before any other setting in /etc/ssh/sshd_config (Debian 12 and Ubuntu 22.04 ship it there), then re-run.`);
  }
  return out;
}
