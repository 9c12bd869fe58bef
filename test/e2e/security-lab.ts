// Pieces the firewall and minimal-profile scenarios share: ssh from this machine, Lynis, TCP probes.
import net from 'node:net';
import { execa } from 'execa';
import type { LabHost } from './harness/index.js';

/**
 * Scenarios that set sysctls boot hosts with `privileged: true`: the harness then mounts /proc/sys
 * writable with kernel/, vm/, fs/ and dev/ bound read-only, so net/ is writable as in an LXC VPS,
 * and writes reach only the host's own network namespace. A plain host has all of /proc/sys
 * read-only, where `sysctl -w net.*` fails.
 */
export const SYSCTL_HOST = { privileged: true } as const;

/** ssh from this machine to the host as `user` with a key; never prompts. */
export function sshFrom(host: LabHost, user: string, key: string, cmd = 'id -un', port = 22) {
  return execa('ssh', [
    '-i', key, '-o', 'IdentitiesOnly=yes', '-p', String(port),
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR',
    `${user}@${host.address}`, cmd,
  ], { reject: false, timeout: 60_000 });
}

/** Installs Lynis in the host (Debian's package) and returns its hardening index from a quick audit. */
export async function lynisIndex(host: LabHost): Promise<number> {
  await host.exec('command -v lynis >/dev/null || apt-get install -y -q --no-install-recommends lynis', { timeoutMs: 600_000 });
  // CRYP-7902 runs openssl twice on each of the ~140 CA certificates (a fifth of the audit's time) and
  // adds no hardening points, so skipping it leaves the index as it is and the suite faster.
  await host.writeFile('/var/tmp/phanes-lynis.prf', 'skip-test=CRYP-7902\n');
  await host.exec('lynis audit system --quick --no-colors --profile /var/tmp/phanes-lynis.prf >/var/tmp/lynis.out 2>&1', { timeoutMs: 600_000 });
  const report = await host.readFile('/var/log/lynis-report.dat');
  const m = /^hardening_index=(\d+)$/m.exec(report);
  if (!m) throw new Error(`no hardening_index in /var/log/lynis-report.dat:\n${report.slice(0, 2000)}`);
  return Number(m[1]);
}

/** The Lynis suggestions of the last audit, one line each (printed when the index falls short). */
export async function lynisSuggestions(host: LabHost): Promise<string> {
  return (await host.exec("grep -E '^(suggestion|warning)\\[\\]=' /var/log/lynis-report.dat | cut -d'|' -f1-3", { reject: false })).stdout;
}

/** Whether a TCP connection from this machine to the host's port is accepted within `ms`. */
export function tcpOpen(host: LabHost, port: number, ms = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: host.address, port, timeout: ms });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.once('timeout', () => done(false));
  });
}

/** Whether a Debian package is installed ('ii') in the host. */
export async function installed(host: LabHost, pkg: string): Promise<boolean> {
  const r = await host.exec(['dpkg-query', '-W', '-f=${db:Status-Abbrev}', pkg], { reject: false });
  return r.exitCode === 0 && r.stdout.startsWith('ii');
}

/** Live values of sysctl keys in the host, read from /proc like Phanes does. */
export async function sysctls(host: LabHost, keys: string[]): Promise<Record<string, string>> {
  const { stdout } = await host.exec(['sysctl', '-n', ...keys]);
  const values = stdout.trim().split('\n');
  return Object.fromEntries(keys.map((k, i) => [k, (values[i] ?? '').trim()]));
}

/** Starts a throwaway HTTP listener on each port in the host (python3 comes with fail2ban) and waits until they listen. */
export async function listenOn(host: LabHost, ports: number[]): Promise<void> {
  for (const p of ports) await host.exec(['systemd-run', `--unit=phanes-listen-${p}`, 'python3', '-m', 'http.server', String(p)]);
  const ready = ports.map((p) => `ss -Htln "sport = :${p}" | grep -q .`).join(' && ');
  await host.exec(`for i in $(seq 100); do ${ready} && exit 0; sleep 0.1; done; exit 1`);
}

export async function stopListening(host: LabHost, ports: number[]): Promise<void> {
  await host.exec(['systemctl', 'stop', ...ports.map((p) => `phanes-listen-${p}`)]);
}

export interface JsonEvent {
  type: string;
  [field: string]: unknown;
}

/** The objects of `phanes … --json` output (NDJSON: one per line, the summary last). */
export const ndjson = (stdout: string): JsonEvent[] => stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as JsonEvent);

/** Keys (`kind:id`) of the steps with a status, sorted: what plan predicts or apply changed. */
export const stepKeys = (events: JsonEvent[], status: string): string[] =>
  events.filter((e) => e.type === 'step' && e.status === status).map((e) => String(e.key)).sort();

/** `fail2ban-client status sshd`, given up to 10 s for a server that apply has just restarted to load its jails. */
export async function jailStatus(host: LabHost) {
  await host.exec('for i in $(seq 50); do fail2ban-client status sshd >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 0');
  return host.exec(['fail2ban-client', 'status', 'sshd'], { reject: false });
}
