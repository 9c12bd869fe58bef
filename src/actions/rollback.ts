import { openStore } from '../../state/store.js';
import { ALL_MODULE_NAMES } from '../engine/module-names.js';
import { storeRecorder } from '../engine/recorder.js';
import { rollbackModule } from '../engine/rollback.js';
import { PhanesError, RefusedError, ReportedFailure } from '../errors.js';
import { readHostBasics } from '../facts/system.js';
import { AptLockHost, DEFAULT_LOCK_TIMEOUT, parseDuration } from '../host/apt-lock.js';
import { LocalHost } from '../host/local.js';
import { ReadOnlyHost } from '../host/readonly.js';
import { VERSION } from '../version.js';
import type { CommandIO } from './io.js';

export interface RollbackOptions {
  module: string;
  dryRun: boolean;
  force: boolean;
}

/** `phanes rollback <module>`: every change of the module back to its recorded before-state, newest first. */
export async function rollback(io: CommandIO, { module, dryRun, force }: RollbackOptions): Promise<number> {
  if (!(ALL_MODULE_NAMES as readonly string[]).includes(module)) {
    throw new PhanesError(`unknown module "${module}"`, { suggestion: `one of ${ALL_MODULE_NAMES.join(', ')}` });
  }
  const { reporter } = io;
  // Like apply: wait for a dpkg lock someone else holds, and finish an interrupted dpkg before apt work.
  const host = dryRun ? new ReadOnlyHost(new LocalHost()) : new AptLockHost(new LocalHost(), { timeoutMs: parseDuration(DEFAULT_LOCK_TIMEOUT)!, say: (m) => reporter.warn(m) });
  const system = await readHostBasics(host);
  if (!dryRun && !system.root) {
    throw new RefusedError('rollback changes the system, so it must run as root; nothing was changed', { suggestion: `sudo phanes rollback ${module}, or add --dry-run to preview` });
  }
  const store = openStore(io.stateDir, { create: !dryRun });
  const lock = dryRun ? undefined : store.lock('rollback');
  try {
    for (const w of lock?.warnings ?? []) reporter.warn(w);
    const { events, warnings } = store.readEvents();
    for (const w of warnings) reporter.warn(w);
    const { state } = await store.loadState();
    if (!state.modules[module]?.keys.length) {
      reporter.info(`nothing to roll back: Phanes has no recorded changes for module ${module}`);
      reporter.summary({ changed: 0, unchanged: 0, skipped: 0, failed: 0 }, 0, dryRun);
      return 0;
    }
    reporter.runStart({ command: 'rollback', modules: [module], dryRun, host: host.name });
    const result = await rollbackModule({
      host, module, projection: state, events, recorder: storeRecorder(store), reporter,
      secrets: [], dryRun, force, run: { version: VERSION, hostname: system.hostname },
    });
    reporter.summary(result.summary, result.durationMs, dryRun);
    if (!result.ok) throw new ReportedFailure(1);
    if (!dryRun) await store.loadState();
    return 0;
  } finally {
    lock?.release();
  }
}
