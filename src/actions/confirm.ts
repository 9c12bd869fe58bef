import type { PhanesEvent } from '../../state/events.js';
import { openStore } from '../../state/store.js';
import { clientOf } from '../engine/guard.js';
import { disarmTimer } from '../engine/guard-host.js';
import { PhanesError, RefusedError } from '../errors.js';
import { readHostBasics } from '../facts/system.js';
import { sshConnection } from '../facts/ssh-session.js';
import type { Host } from '../host/host.js';
import { LocalHost } from '../host/local.js';
import { guardRun } from './guard.js';
import type { CommandIO } from './io.js';

/**
 * `phanes confirm`: the changes to sshd and ufw stay. It must come from another SSH connection than the
 * one that ran apply, since a new login is what proves the operator can still get in.
 */
export async function confirm(io: CommandIO, host: Host = new LocalHost()): Promise<number> {
  const { reporter } = io;
  // Read first without creating anything: with no guard pending there is nothing to lock.
  const pending = (await openStore(io.stateDir, { create: false }).loadState()).state.guard;
  const basics = await readHostBasics(host);
  if (pending && !basics.root) throw new RefusedError('confirm stops the guard\'s timer, so it must run as root', { suggestion: 'sudo phanes confirm' });
  const store = openStore(io.stateDir, { create: pending !== undefined });
  const lock = pending ? store.lock('confirm') : undefined;
  try {
    const guard = pending && (await store.loadState()).state.guard;
    if (!guard) {
      const last = [...store.readEvents().events].reverse().find((e) => e.type === 'GuardReverted' || e.type === 'GuardConfirmed');
      throw new PhanesError(last?.type === 'GuardReverted'
        ? `nothing to confirm: guard ${last.data.guardId} expired and put sshd and ufw back at ${last.data.at}`
        : 'nothing to confirm: no confirm guard is pending', { suggestion: 'run `phanes log --limit 20` to see what happened' });
    }
    if (guard.status === 'expired') throw new PhanesError(`too late: guard ${guard.guardId} expired and is putting sshd and ufw back`);
    const client = clientOf(sshConnection(io.env));
    if (client && client === guard.connection) {
      throw new RefusedError(`this is the SSH connection that ran apply (${client}); confirming from it proves nothing, so guard ${guard.guardId} stays armed`, {
        suggestion: 'open a NEW SSH connection to the server (on the new port, if it moved) and run `sudo phanes confirm` there',
      });
    }
    await disarmTimer(host, guard.unit);
    await guardRun(store, basics.hostname, async (runId) => {
      const confirmed: PhanesEvent = { type: 'GuardConfirmed', data: { runId, at: new Date().toISOString(), guardId: guard.guardId, connection: client ?? null } };
      await store.journal.append(confirmed);
      return [confirmed];
    });
    await store.loadState();
    reporter.record('confirmed', { guardId: guard.guardId, connection: client ?? null, unit: guard.unit },
      `confirmed guard ${guard.guardId}${client ? ` from ${client}` : ' (not over SSH)'}: the sshd and ufw changes stay; timer ${guard.unit} is stopped`);
    return 0;
  } finally {
    lock?.release();
  }
}
