import { Command, Option } from 'clipanion';
import { PhanesCommand } from './base.js';

export class StatusCommand extends PhanesCommand {
  static override paths = [['status']];
  static override usage = Command.Usage({
    description: 'Compare what Phanes recorded with the host now: exit 0 in sync, 2 drift, 1 error',
    details: 'Only reads, in one batch per resource kind. Files that drifted are shown as a diff from the recorded content to the disk.',
    examples: [['Check everything', 'phanes status'], ['One module, for a script', 'phanes status --module security --json']],
  });

  module = Option.String('--module', { description: 'Only this module' });

  async execute(): Promise<number> {
    const [{ readState }, { detectDrift }, { LocalHost }, { ReadOnlyHost }] = await Promise.all([
      import('./open-state.js'), import('../engine/drift.js'), import('../host/local.js'), import('../host/readonly.js'),
    ]);
    const { state, recorder } = await readState(this.resolvedStateDir, this.reporter);
    const last = state.runs.at(-1);
    if (last) {
      this.reporter.record('lastRun', { ...last }, `last run: ${last.command} ${last.modules.join(', ')} at ${last.startedAt}${last.ok === false ? ' (failed)' : ''}`);
    } else {
      this.reporter.record('lastRun', {}, `no runs recorded in ${this.resolvedStateDir}`);
    }
    const result = await detectDrift(new ReadOnlyHost(new LocalHost()), recorder, state, [], this.module);
    this.reporter.drift(result.items, result.checked);
    return result.items.length ? 2 : 0;
  }
}
