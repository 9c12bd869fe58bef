import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { GuardArmed, PhanesEvent } from '../../state/events.js';
import { openStore, type RunLock, type Store } from '../../state/store.js';
import { armedEvent, guardCovers, guardDeadline, guardIdOf, guardUnit, recordsBefore } from '../engine/guard.js';
import { armTimer, captureGuarded, restoreGuarded, selfCommand } from '../engine/guard-host.js';
import { LockedError, PhanesError, RefusedError } from '../errors.js';
import { readHostBasics } from '../facts/system.js';
import type { Host } from '../host/host.js';
import { LocalHost } from '../host/local.js';
import type { Reporter } from '../report/reporter.js';
import { packagedSea } from '../sea.js';
import { VERSION } from '../version.js';
import type { CommandIO } from './io.js';

const now = (): string => new Date().toISOString();

export interface ArmedGuard {
  guardId: string;
  unit: string;
  timeoutS: number;
}

/**
 * The engine's guard for one apply: before the first sshd or ufw change it keeps their files, arms the
 * timer that runs `phanes guard revert`, and records GuardArmed. In a plan it only says it would.
 */
export function guardFor(opts: { host: Host; store: Store; reporter: Reporter; dryRun: boolean; timeoutS: number; connection: string; armed: ArmedGuard[] }) {
  return {
    covers: guardCovers,
    async arm(runId: string): Promise<void> {
      const guardId = guardIdOf(runId);
      const unit = guardUnit(guardId);
      if (opts.dryRun) {
        opts.reporter.info(`  would arm a confirm guard: sshd and ufw go back ${opts.timeoutS} s after the run unless \`phanes confirm\` comes from a new SSH connection`);
        return;
      }
      const { files, ufwEnabled } = await captureGuarded(opts.host, async (content) => opts.store.blobs.put(content));
      await armTimer(opts.host, unit, opts.timeoutS, selfCommand(packagedSea() !== null, ['guard', 'revert', guardId, '--state-dir', opts.store.dir]));
      await opts.store.journal.append({ type: 'GuardArmed', data: { runId, at: now(), guardId, unit, timeoutS: opts.timeoutS, connection: opts.connection, files, ufwEnabled } });
      opts.armed.push({ guardId, unit, timeoutS: opts.timeoutS });
      opts.reporter.info(`  armed confirm guard ${guardId} (timer ${unit}): kept ${files.length} sshd and ufw files before changing them`);
    },
  };
}

/** The last lines of an apply that armed the guard: what to do, from where, and by when. */
export function reportArmed(reporter: Reporter, g: ArmedGuard, sshPort: number): void {
  const deadline = new Date(Date.now() + g.timeoutS * 1000).toISOString();
  reporter.record('guard', { guardId: g.guardId, unit: g.unit, timeoutS: g.timeoutS, deadline },
    `Confirm within ${g.timeoutS} s: open a NEW SSH connection (port ${sshPort}) and run \`sudo phanes confirm\` there. ` +
    `Unconfirmed, at ${deadline} the guard puts sshd and ufw back as they were before this run (timer ${g.unit}).`);
}

/** Takes the state lock, waiting while another run (the guarded apply, a confirm) holds it. */
async function lockWaiting(store: Store, reporter: Reporter): Promise<RunLock> {
  for (let waited = 0; ; waited++) {
    try {
      return store.lock('guard');
    } catch (error) {
      if (!(error instanceof LockedError)) throw error;
      if (waited % 30 === 0) reporter.info(`waiting for the state lock: ${error.message}`);
      await sleep(1000);
    }
  }
}

/** Appends a 'guard' run around `events` so status and log show who changed the host. */
export async function guardRun(store: Store, hostname: string, body: (runId: string) => Promise<PhanesEvent[]>): Promise<void> {
  const runId = randomUUID();
  const started = Date.now();
  await store.journal.append({ type: 'RunStarted', data: { runId, at: now(), command: 'guard', modules: ['security'], version: VERSION, hostname } });
  const events = await body(runId);
  const ok = !events.some((e) => e.type === 'GuardReverted' && !e.data.ok);
  await store.journal.append({ type: 'RunFinished', data: { runId, at: now(), summary: { changed: 0, unchanged: 0, skipped: 0, failed: ok ? 0 : 1 }, durationMs: Date.now() - started, ok } });
}

/**
 * `phanes guard revert <id>` (run by the guard's timer): unless the guard was confirmed, wait for its deadline
 * (the timer counts from arming; the operator was told to confirm within the timeout after the run finished),
 * then put sshd's and ufw's files back, reload both, and record it.
 */
export async function guardRevert(io: CommandIO, guardId: string, host: Host = new LocalHost()): Promise<number> {
  const { reporter } = io;
  const basics = await readHostBasics(host);
  if (!basics.root) throw new RefusedError('guard revert changes sshd and ufw, so it must run as root');
  const store = openStore(io.stateDir, { create: true });
  for (;;) {
    let wait = 0;
    const lock = await lockWaiting(store, reporter);
    try {
      const { events } = store.readEvents();
      const armed = armedEvent(events, guardId);
      if (!armed) throw new PhanesError(`no confirm guard ${guardId} in the journal of ${store.dir}`);
      const { state } = await store.loadState();
      if (state.guard?.guardId !== guardId) {
        reporter.info(`guard ${guardId} is no longer pending (confirmed or reverted): nothing to do`);
        return 0;
      }
      const deadline = guardDeadline(events, armed);
      wait = state.guard.status === 'armed' ? deadline - Date.now() : 0;
      if (wait <= 0) {
        const ok = await revertNow(store, host, events, armed, new Date(deadline).toISOString(), basics.hostname, reporter);
        await store.loadState();
        return ok ? 0 : 1;
      }
      reporter.info(`guard ${guardId}: waiting until ${new Date(deadline).toISOString()} for \`phanes confirm\``);
    } finally {
      lock.release();
    }
    await sleep(wait);
  }
}

/** Expired: put the files back, reload sshd and ufw, and record both steps in a 'guard' run. */
async function revertNow(store: Store, host: Host, events: readonly PhanesEvent[], armed: GuardArmed, deadline: string, hostname: string, reporter: Reporter): Promise<boolean> {
  const { guardId } = armed.data;
  let ok = true;
  await guardRun(store, hostname, async (runId) => {
    const expired: PhanesEvent = { type: 'GuardExpired', data: { runId, at: now(), guardId, deadline } };
    await store.journal.append(expired);
    let restored: string[] = [];
    let error: string | undefined;
    try {
      restored = await restoreGuarded(host, armed.data.files, armed.data.ufwEnabled, async (sha) => store.blobs.get(sha));
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      ok = false;
    }
    // Only a complete revert puts the journal's records back as they were before the guarded run.
    const reverted: PhanesEvent = { type: 'GuardReverted', data: {
      runId, at: now(), guardId, ok, restored, resources: ok ? recordsBefore(events, armed.data.runId) : {}, ...(error ? { error } : {}),
    } };
    await store.journal.append(reverted);
    reporter.record('guard', { guardId, reverted: ok, restored }, `guard ${guardId}: ${ok ? `put back ${restored.length} sshd and ufw files (${restored.join(', ')}) and reloaded both` : `revert FAILED: ${error}`}`);
    return [expired, reverted];
  });
  return ok;
}
