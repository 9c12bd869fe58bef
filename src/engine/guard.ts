// The confirm-or-revert guard's decisions, kept pure: which resources can lock an SSH user out, when a
// run arms the guard, whether a confirm comes from a new connection, and what the journal must forget
// or take back once the guard has put sshd and ufw back.
import type { GuardArmed, PhanesEvent } from '../../state/events.js';
import { project, type ManagedResource } from '../../state/projector.js';
import { PhanesError } from '../errors.js';

/** The files that decide who gets in over SSH: sshd's config, the ssh.socket port, and ufw's state. */
export const GUARD_FILES = ['/etc/ssh/sshd_config', '/etc/default/ufw'] as const;
/** Directories whose regular files are kept too (a new drop-in in them is removed on revert). */
export const GUARD_DIRS = ['/etc/ssh/sshd_config.d', '/etc/systemd/system/ssh.socket.d', '/etc/ufw'] as const;
export const DEFAULT_CONFIRM_TIMEOUT_S = 120;
/** A day: a longer wait is no guard at all. */
const MAX_CONFIRM_TIMEOUT_S = 86_400;

/** Whether changing this resource can lock an SSH user out: a ufw rule or setting, or a file of sshd or ufw. */
export function guardCovers(ref: { kind: string; id: string }): boolean {
  if (ref.kind === 'ufw') return true;
  return (GUARD_FILES as readonly string[]).includes(ref.id) || GUARD_DIRS.some((dir) => ref.id.startsWith(`${dir}/`));
}

export interface GuardRequest {
  /** `SSH_CONNECTION` of this session (client ip, client port, server ip, server port), if any. */
  connection: string | undefined;
  noConfirm: boolean;
  /** `--confirm-timeout` as typed, if given. */
  timeout: string | undefined;
}

export type GuardDecision = { arm: true; timeoutS: number; connection: string } | { arm: false; why: string };

/** Checks `--confirm-timeout` and `--no-confirm`; throws a usage error naming the option. */
export function confirmTimeout(request: Pick<GuardRequest, 'noConfirm' | 'timeout'>): number {
  if (request.timeout === undefined) return DEFAULT_CONFIRM_TIMEOUT_S;
  if (request.noConfirm) throw new PhanesError('--confirm-timeout and --no-confirm contradict each other', { suggestion: 'give one of them' });
  const n = /^\d+$/.test(request.timeout) ? Number(request.timeout) : Number.NaN;
  if (!Number.isInteger(n) || n < 10 || n > MAX_CONFIRM_TIMEOUT_S) {
    throw new PhanesError(`--confirm-timeout "${request.timeout}" is not a whole number of seconds from 10 to ${MAX_CONFIRM_TIMEOUT_S}`, { suggestion: `e.g. --confirm-timeout ${DEFAULT_CONFIRM_TIMEOUT_S}` });
  }
  return n;
}

/** Arm when the run comes over SSH and the operator did not opt out; the engine arms only before an sshd or ufw change. */
export function guardDecision(request: GuardRequest): GuardDecision {
  const timeoutS = confirmTimeout(request);
  if (request.noConfirm) return { arm: false, why: '--no-confirm' };
  const client = clientOf(request.connection);
  if (!client) return { arm: false, why: 'not run over SSH (SSH_CONNECTION is not set)' };
  return { arm: true, timeoutS, connection: client };
}

/** `ip port` of the SSH client, from `SSH_CONNECTION`; undefined when it is not a connection string. */
export function clientOf(connection: string | undefined): string | undefined {
  const [ip, port] = (connection ?? '').trim().split(/\s+/);
  return ip && port && /^\d+$/.test(port) ? `${ip} ${port}` : undefined;
}

/** Unit names and guard ids derive from the run id: 12 hex digits, safe in a unit name and an argv. */
export const guardIdOf = (runId: string): string => runId.replace(/-/g, '').slice(0, 12);
export const guardUnit = (guardId: string): string => `phanes-guard-${guardId}`;

/**
 * When the revert is due: `timeoutS` after the guarded run finished (the operator was told then),
 * or after arming if that run never finished (it crashed).
 */
export function guardDeadline(events: readonly PhanesEvent[], armed: GuardArmed): number {
  const finished = events.find((e) => e.type === 'RunFinished' && e.data.runId === armed.data.runId);
  return Date.parse(finished?.data.at ?? armed.data.at) + armed.data.timeoutS * 1000;
}

export function armedEvent(events: readonly PhanesEvent[], guardId: string): GuardArmed | undefined {
  return events.find((e): e is GuardArmed => e.type === 'GuardArmed' && e.data.guardId === guardId);
}

/**
 * The journal's record, before the guarded run, of each sshd and ufw resource that run touched
 * (null for one it created): after the revert the host is as it was then, so the records go back too.
 */
export function recordsBefore(events: readonly PhanesEvent[], runId: string): Record<string, ManagedResource | null> {
  const start = events.findIndex((e) => e.type === 'RunStarted' && e.data.runId === runId);
  if (start < 0) return {};
  const before = project(events.slice(0, start));
  const touched = new Set<string>();
  for (const e of events.slice(start)) {
    if ('key' in e.data && e.data.runId === runId && guardCovers(e.data)) touched.add(e.data.key);
  }
  return Object.fromEntries([...touched].map((key) => [key, before.resources[key] ?? null]));
}
