import type { ModuleContext } from '../../src/engine/module.js';
import { directory } from '../../src/resources/directory.js';
import { file } from '../../src/resources/file.js';
import { liveSysctlOn } from '../../src/resources/live-sysctl.js';
import type { Decl } from '../../src/resources/types.js';

export const SYSCTL_DIR = '/etc/sysctl.d';
export const SYSCTL_FILE = `${SYSCTL_DIR}/60-phanes-hardening.conf`;

export interface Setting {
  key: string;
  value: string;
  why: string;
}

const s = (key: string, value: string | number, why: string): Setting => ({ key, value: String(value), why });
const both = (family: 'ipv4' | 'ipv6', name: string, value: number, why: string): Setting[] =>
  ['all', 'default'].map((scope) => s(`net.${family}.conf.${scope}.${name}`, value, why));

/**
 * dev-sec linux-baseline's network and kernel settings that fit any server. Left out on purpose:
 * IPv6 router-advertisement switches (many VPS get their IPv6 address by SLAAC), tcp_timestamps
 * (costs performance for little), arp_ignore/arp_announce (break some multi-address setups) and
 * one-way switches such as kernel.unprivileged_bpf_disabled=1 or modules_disabled, which no
 * rollback could take back before a reboot.
 */
export const NETWORK: readonly Setting[] = [
  ...both('ipv4', 'accept_redirects', 0, 'no ICMP redirects: nobody reroutes this host'),
  ...both('ipv6', 'accept_redirects', 0, 'no ICMP redirects: nobody reroutes this host'),
  ...both('ipv4', 'secure_redirects', 0, 'not even from the listed gateways'),
  ...both('ipv4', 'send_redirects', 0, 'a server is no router'),
  ...both('ipv4', 'accept_source_route', 0, 'no source-routed packets'),
  ...both('ipv6', 'accept_source_route', 0, 'no source-routed packets'),
  ...both('ipv4', 'rp_filter', 1, 'drop packets whose source could not come in on that interface (anti-spoofing)'),
  ...both('ipv4', 'log_martians', 1, 'log impossible source addresses'),
  s('net.ipv4.tcp_syncookies', 1, 'survive SYN floods'),
  s('net.ipv4.tcp_rfc1337', 1, 'drop RSTs for sockets in TIME-WAIT (RFC 1337)'),
  s('net.ipv4.icmp_echo_ignore_broadcasts', 1, 'no smurf amplification'),
  s('net.ipv4.icmp_ignore_bogus_error_responses', 1, 'ignore bogus ICMP errors'),
  s('net.ipv4.icmp_ratelimit', 100, 'limit ICMP replies'),
  s('net.ipv4.icmp_ratemask', 88089, 'which ICMP types are rate-limited'),
];

/** Off unless docker is in the run: containers need the host to forward their traffic. */
export const FORWARDING: readonly Setting[] = [
  s('net.ipv4.ip_forward', 0, 'a server is no router'),
  s('net.ipv6.conf.all.forwarding', 0, 'a server is no router'),
];

export const KERNEL: readonly Setting[] = [
  s('kernel.randomize_va_space', 2, 'full address space layout randomisation'),
  s('kernel.kptr_restrict', 2, 'hide kernel addresses from everyone'),
  s('kernel.dmesg_restrict', 1, 'only root reads the kernel log'),
  s('kernel.yama.ptrace_scope', 1, 'a process may only trace its own children'),
  s('kernel.perf_event_paranoid', 3, 'no perf events for unprivileged users'),
  s('kernel.sysrq', 0, 'no magic SysRq keys'),
  s('kernel.core_uses_pid', 1, 'core files never overwrite each other'),
  s('kernel.ctrl-alt-del', 0, 'Ctrl-Alt-Del goes to init, never a hard reboot'),
  s('fs.suid_dumpable', 0, 'no core dumps of setuid programs'),
  s('fs.protected_hardlinks', 1, 'no hard links to files one cannot write'),
  s('fs.protected_symlinks', 1, 'no following others\' symlinks in sticky directories'),
  s('fs.protected_fifos', 2, 'no writing others\' FIFOs in sticky directories'),
  s('fs.protected_regular', 2, 'no writing others\' files in sticky directories'),
  s('dev.tty.ldisc_autoload', 0, 'no loading TTY line disciplines on demand'),
];

export { namespaced } from '../../src/resources/live-sysctl.js';

/** The settings for this run: forwarding is docker's business when docker is in it. */
export function hardeningSettings(ctx: Pick<ModuleContext, 'modules'>): Setting[] {
  return [...NETWORK, ...(ctx.modules.includes('docker') ? [] : FORWARDING), ...KERNEL];
}

/**
 * The persisted half. Each line starts with `-`, so systemd-sysctl skips a key this kernel lacks
 * (no IPv6, no Yama) instead of failing the boot step.
 */
export function renderSysctlFile(settings: readonly Setting[]): string {
  const lines = settings.map((x) => `# ${x.why}\n-${x.key} = ${x.value}`);
  return `# Managed by Phanes (security module): kernel and network hardening, applied at boot.\n\n${lines.join('\n')}\n`;
}

/**
 * The kernel part of the security module: the settings persisted in /etc/sysctl.d and set live.
 * Each live setting skips itself where the host cannot or must not take it (see liveSysctlSkip).
 */
export function kernelResources(ctx: ModuleContext): Decl[] {
  if (!ctx.config.security.sysctl_hardening) return [];
  const settings = hardeningSettings(ctx);
  return [
    directory(SYSCTL_DIR),
    file(SYSCTL_FILE, { content: renderSysctlFile(settings) }),
    ...settings.map((x) => liveSysctlOn(ctx.system, x.key, x.value)),
  ];
}
