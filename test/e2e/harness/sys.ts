// Small synchronous wrappers for this machine's plumbing commands (ip, mount, umount).
import { readFileSync } from 'node:fs';
import { execaSync } from 'execa';

/** Runs a command and throws with its stderr on failure. */
export function run(cmd: string, args: string[]): string {
  return execaSync(cmd, args).stdout;
}

/** Runs a command whose failure is fine (e.g. deleting something already gone). */
export function tryRun(cmd: string, args: string[]): boolean {
  return execaSync(cmd, args, { reject: false }).exitCode === 0;
}

export function isMountPoint(dir: string): boolean {
  return tryRun('mountpoint', ['-q', dir]);
}

/** True while the process exists and is not a zombie (an unreaped child of ours counts as gone). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
