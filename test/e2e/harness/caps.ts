// Capability bounding sets for processes the harness starts inside a host.
import { readFileSync } from 'node:fs';

// Index = capability number (linux/capability.h), names as setpriv spells them.
const CAP_NAMES = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid', 'setpcap',
  'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw', 'ipc_lock', 'ipc_owner',
  'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct', 'sys_admin', 'sys_boot', 'sys_nice',
  'sys_resource', 'sys_time', 'sys_tty_config', 'mknod', 'lease', 'audit_write', 'audit_control', 'setfcap',
  'mac_override', 'mac_admin', 'syslog', 'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf',
  'checkpoint_restore',
];
/** Never handed to anything in a host: they act on this machine (clock, kernel modules). */
const FORBIDDEN = new Set(['sys_time', 'sys_module']);

/**
 * The `setpriv --bounding-set` argument that gives a process the same bounding set as the host's
 * init (what nspawn granted), minus the forbidden ones. Why: nsenter alone keeps this machine's full set.
 */
export function boundingSetLike(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (!hex) throw new Error(`cannot read CapBnd of pid ${pid}`);
  const mask = BigInt(`0x${hex}`);
  const keep = CAP_NAMES.filter((name, bit) => (mask >> BigInt(bit)) & 1n && !FORBIDDEN.has(name));
  return ['-all', ...keep.map((n) => `+${n}`)].join(',');
}

export const DROP_FORBIDDEN = [...FORBIDDEN].map((n) => `-${n}`).join(',');
