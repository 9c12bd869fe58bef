import { Command, Option } from 'clipanion';
import { PhanesCommand } from './base.js';

export class DiffCommand extends PhanesCommand {
  static override paths = [['diff']];
  static override usage = Command.Usage({
    description: 'Unified diffs of the files Phanes manages: what it recorded against what is on disk',
    examples: [['All managed files', 'phanes diff'], ['Only the security module', 'phanes diff --module security']],
  });

  module = Option.String('--module', { description: 'Only this module' });

  async execute(): Promise<number> {
    const [{ readState }, { detectDrift }, { LocalHost }, { ReadOnlyHost }] = await Promise.all([
      import('./open-state.js'), import('../engine/drift.js'), import('../host/local.js'), import('../host/readonly.js'),
    ]);
    const { state, recorder } = await readState(this.resolvedStateDir, this.reporter);
    const host = new ReadOnlyHost(new LocalHost());
    const result = await detectDrift(host, recorder, state, [], this.module);
    const files = result.items.filter((i) => i.diff);
    for (const f of files) this.reporter.record('diff', { module: f.module, key: f.key, label: f.label, diff: f.diff }, f.diff ?? '');
    const managed = Object.values(state.resources).filter((r) => r.kind === 'file' && (!this.module || r.module === this.module)).length;
    this.reporter.record('summary', { files: managed, differing: files.length }, `${managed} managed files, ${files.length} differ from what Phanes recorded`);
    return 0;
  }
}
