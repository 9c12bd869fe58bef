// Snapshots of this machine's clock, swap, forwarding and firewall, to prove hosts never touched them.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import type { LabHost } from './host.js';
import { DROP_FORBIDDEN } from './caps.js';

export interface MachineState {
  swaps: string;
  ipForward: string;
  firewall: string;
}

async function tool(cmd: string, args: string[]): Promise<string | undefined> {
  const r = await execa(cmd, args, { reject: false });
  return r.failed && r.exitCode === undefined ? undefined : `${r.stdout}${r.stderr}`;
}

/**
 * This machine's firewall as its own iptables-save/nft print it; when it has neither tool, the given host's
 * binaries are run in this machine's network namespace (only the host's mount namespace is entered).
 */
export async function firewallRules(borrowFrom?: LabHost): Promise<string> {
  const parts = [
    `ip_tables_names: ${readOr('/proc/net/ip_tables_names')}`,
    `ip6_tables_names: ${readOr('/proc/net/ip6_tables_names')}`,
  ];
  for (const [cmd, args] of [['iptables-save', []], ['ip6tables-save', []], ['nft', ['list', 'ruleset']]] as const) {
    let out = await tool(cmd, [...args]);
    if (out === undefined && borrowFrom) {
      const r = await execa('setpriv', ['--bounding-set', DROP_FORBIDDEN, '--',
        'nsenter', '-t', String(borrowFrom.pid), '--mount', '--', cmd, ...args], { reject: false });
      out = r.exitCode === 127 || /No such file|not found/.test(r.stderr) ? undefined : `${r.stdout}${r.stderr}`;
    }
    // A tool a scenario installs between two snapshots must not count as a change: no tool == no rules.
    parts.push(`${cmd}: ${stripComments(out ?? '').trim() || '(no rules, or no tool to list them)'}`);
  }
  return parts.join('\n');
}

export async function machineState(borrowFrom?: LabHost): Promise<MachineState> {
  return {
    swaps: readOr('/proc/swaps'),
    ipForward: readOr('/proc/sys/net/ipv4/ip_forward') + readOr('/proc/sys/net/ipv6/conf/all/forwarding'),
    firewall: await firewallRules(borrowFrom),
  };
}

/** Seconds since the epoch by this machine's clock. */
export const machineClock = (): number => Math.round(Date.now() / 1000);

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(absent)';
  }
}

// iptables-save stamps its output with the time it ran.
const stripComments = (s: string): string => s.split('\n').filter((l) => !l.startsWith('#')).join('\n');
