import { Command, Option } from 'clipanion';
import { PhanesError, RefusedError } from '../errors.js';
import { ALL_MODULE_NAMES } from '../engine/module-names.js';
import { VERSION } from '../version.js';
import { PhanesCommand, ReportedFailure } from './base.js';

export class RollbackCommand extends PhanesCommand {
  static override paths = [['rollback']];
  static override usage = Command.Usage({
    description: "Undo a module: bring every resource it changed back to the state recorded before",
    details: `
      Walks the module's changes newest first. What Phanes did not add is never removed. A file edited by
      someone since Phanes wrote it is shown as a diff and left alone unless you pass --force. A user's home
      directory is kept unless you pass --force.
    `,
    examples: [
      ['See what would be undone', 'phanes rollback security --dry-run'],
      ['Undo the security module', 'sudo phanes rollback security'],
    ],
  });

  module = Option.String({ name: 'module' });
  dryRun = Option.Boolean('--dry-run,-n', false, { description: 'Show what would be restored; change nothing' });
  force = Option.Boolean('--force', false, { description: 'Restore drifted files too, and delete home directories Phanes created' });

  async execute(): Promise<number> {
    if (!(ALL_MODULE_NAMES as readonly string[]).includes(this.module)) {
      throw new PhanesError(`unknown module "${this.module}"`, { suggestion: `one of ${ALL_MODULE_NAMES.join(', ')}` });
    }
    const [{ openStore }, { rollbackModule }, { readSystemFacts }, { LocalHost }, { ReadOnlyHost }, { storeRecorder }] = await Promise.all([
      import('../../state/store.js'), import('../engine/rollback.js'), import('../facts/system.js'),
      import('../host/local.js'), import('../host/readonly.js'), import('../engine/recorder.js'),
    ]);
    const host = this.dryRun ? new ReadOnlyHost(new LocalHost()) : new LocalHost();
    const system = await readSystemFacts(host);
    if (!this.dryRun && !system.root) {
      throw new RefusedError('rollback changes the system, so it must run as root; nothing was changed', { suggestion: `sudo phanes rollback ${this.module}, or add --dry-run to preview` });
    }
    const store = openStore(this.resolvedStateDir, { create: !this.dryRun });
    const lock = this.dryRun ? undefined : store.lock('rollback');
    try {
      for (const w of lock?.warnings ?? []) this.reporter.warn(w);
      const { events, warnings } = store.readEvents();
      for (const w of warnings) this.reporter.warn(w);
      const { state } = await store.loadState();
      if (!state.modules[this.module]?.keys.length) {
        this.reporter.info(`nothing to roll back: Phanes has no recorded changes for module ${this.module}`);
        this.reporter.summary({ changed: 0, unchanged: 0, skipped: 0, failed: 0 }, 0, this.dryRun);
        return 0;
      }
      this.reporter.runStart({ command: 'rollback', modules: [this.module], dryRun: this.dryRun, host: host.name });
      const result = await rollbackModule({
        host, module: this.module, projection: state, events, recorder: storeRecorder(store), reporter: this.reporter,
        secrets: [], dryRun: this.dryRun, force: this.force, run: { version: VERSION, hostname: system.hostname },
      });
      this.reporter.summary(result.summary, result.durationMs, this.dryRun);
      if (!result.ok) throw new ReportedFailure(1);
      if (!this.dryRun) await store.loadState();
      return 0;
    } finally {
      lock?.release();
    }
  }
}
