// What the confirm guard does on the host: keep sshd's and ufw's files, arm and disarm the systemd timer,
// and put the files back byte for byte, then make sshd and ufw use them again.
import type { GuardFile } from '../../state/events.js';
import { HostError } from '../errors.js';
import type { Host } from '../host/host.js';
import { GUARD_DIRS, GUARD_FILES } from './guard.js';

const UFW_CONF = '/etc/ufw/ufw.conf';
const UFW_BIN = '/usr/sbin/ufw';
const SOCKET_DIR = '/etc/systemd/system/ssh.socket.d';

/** The guarded files present now: the fixed ones and every regular file in the guarded directories. */
async function guardedPaths(host: Host): Promise<string[]> {
  // find exits 1 for a directory that does not exist; what it printed for the others still counts.
  const found = await host.query(['find', ...GUARD_DIRS, '-maxdepth', '1', '-type', 'f', '-print0'], { allowFailure: true });
  return [...new Set([...GUARD_FILES, ...found.stdout.split('\0').filter(Boolean)])].sort();
}

export interface Captured {
  files: GuardFile[];
  ufwEnabled: boolean;
}

/** Reads the guarded files (one batch) and keeps each content with `keep` (the blob store). */
export async function captureGuarded(host: Host, keep: (content: Buffer) => Promise<string>): Promise<Captured> {
  const paths = await guardedPaths(host);
  const [contents, stats] = await Promise.all([host.readFiles(paths), host.statFiles(paths)]);
  const files: GuardFile[] = [];
  for (const path of paths) {
    const content = contents.get(path);
    const st = stats.get(path);
    files.push(content && st ? { path, sha256: await keep(content), mode: st.mode, owner: st.owner, group: st.group } : { path, sha256: null });
  }
  const conf = contents.get(UFW_CONF)?.toString('utf8') ?? '';
  return { files, ufwEnabled: /^ENABLED=yes\s*$/m.test(conf) };
}

/** The command the timer runs: this very program (the single binary, or node with the bundle) with `args`. */
export function selfCommand(sea: boolean, args: readonly string[]): string[] {
  return sea || !process.argv[1] ? [process.execPath, ...args] : [process.execPath, process.argv[1], ...args];
}

/** A transient timer that runs `argv` once, `timeoutS` from now, to the second (the default accuracy is a minute). */
export async function armTimer(host: Host, unit: string, timeoutS: number, argv: readonly string[]): Promise<void> {
  await host.run(['systemd-run', `--unit=${unit}`, `--on-active=${timeoutS}s`, '--timer-property=AccuracySec=1s',
    '--description=Phanes confirm guard: put sshd and ufw back unless confirmed', '--', ...argv]);
}

/** Stops the timer and its service (a revert waiting for its deadline), and forgets both units. */
export async function disarmTimer(host: Host, unit: string): Promise<void> {
  await host.run(['systemctl', 'stop', `${unit}.timer`, `${unit}.service`], { allowFailure: true });
  await host.run(['systemctl', 'reset-failed', `${unit}.timer`, `${unit}.service`], { allowFailure: true });
}

/**
 * Puts every kept file back (content, mode, owner), removes files that appeared since in the guarded
 * directories, then makes ufw and sshd use them. Returns the paths it wrote or removed.
 */
export async function restoreGuarded(host: Host, files: readonly GuardFile[], ufwEnabled: boolean, blob: (sha: string) => Promise<Buffer>): Promise<string[]> {
  const kept = new Map(files.map((f) => [f.path, f]));
  const now = await guardedPaths(host);
  const changed: string[] = [];
  const write = async (): Promise<void> => {
    const contents = await host.readFiles([...kept.keys()]);
    for (const f of kept.values()) {
      if (f.sha256 === null) continue;
      const want = await blob(f.sha256);
      if (contents.get(f.path)?.equals(want)) continue;
      await host.writeFile(f.path, want, { mode: f.mode ?? 0o644, owner: f.owner ?? 'root', group: f.group ?? 'root' });
      if (!changed.includes(f.path)) changed.push(f.path);
    }
  };
  await write();
  // A drop-in the run added to sshd or ssh.socket goes; new files in /etc/ufw are the ufw package's own.
  for (const path of now) {
    if (kept.has(path) || path.startsWith('/etc/ufw/')) continue;
    await host.removeFile(path);
    changed.push(path);
  }
  if ((await host.statFiles([UFW_BIN])).get(UFW_BIN)) {
    // enable and disable rewrite ufw.conf, so the files are written again after them.
    await host.run(ufwEnabled ? ['ufw', '--force', 'enable'] : ['ufw', '--force', 'disable']);
    if (ufwEnabled) await host.run(['ufw', 'reload']);
    await write();
  }
  if (changed.some((p) => p.startsWith(`${SOCKET_DIR}/`))) {
    await host.run(['systemctl', 'daemon-reload']);
    await host.run(['systemctl', 'try-restart', 'ssh.socket']);
  }
  const check = await host.run(['/usr/sbin/sshd', '-t'], { allowFailure: true });
  if (check.exitCode !== 0) throw new HostError('/usr/sbin/sshd -t', check.exitCode, check.stderr, { suggestion: 'the restored sshd config does not load: fix it from the console' });
  await host.run(['systemctl', 'try-reload-or-restart', 'ssh.service']);
  return changed;
}
