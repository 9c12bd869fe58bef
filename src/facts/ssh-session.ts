// The SSH connection this Phanes process runs under. sudo drops SSH_CONNECTION from the environment
// (env_reset), so when it is not set the processes above this one are asked: the shell or sudo that
// started Phanes still has it in /proc/<pid>/environ.
import { readFileSync } from 'node:fs';

const MAX_ANCESTORS = 8;

function environOf(pid: number): Map<string, string> {
  const raw = readFileSync(`/proc/${pid}/environ`, 'latin1');
  return new Map(raw.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

function parentOf(pid: number): number {
  // The fields after the command name (which may hold spaces and parentheses): state, ppid, …
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** `SSH_CONNECTION` of this process or its nearest ancestor that has it; undefined outside SSH. */
export function sshConnection(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SSH_CONNECTION) return env.SSH_CONNECTION;
  try {
    let pid = parentOf(process.pid);
    for (let i = 0; i < MAX_ANCESTORS && pid > 1; i++) {
      const found = environOf(pid).get('SSH_CONNECTION');
      if (found) return found;
      pid = parentOf(pid);
    }
  } catch {
    // No /proc (not Linux) or an ancestor that is gone or unreadable: no SSH session found.
  }
  return undefined;
}
