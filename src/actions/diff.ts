import { detectDrift } from '../engine/drift.js';
import { LocalHost } from '../host/local.js';
import { ReadOnlyHost } from '../host/readonly.js';
import type { CommandIO } from './io.js';
import { readState } from './read-state.js';

/** `phanes diff`: unified diffs of managed files, recorded content against the disk. */
export async function diff(io: CommandIO, module: string | undefined): Promise<number> {
  const { state, recorder } = await readState(io.stateDir, io.reporter, { events: false });
  const result = await detectDrift(new ReadOnlyHost(new LocalHost()), recorder, state, [], module);
  const files = result.items.filter((i) => i.diff);
  for (const f of files) io.reporter.record('diff', { module: f.module, key: f.key, label: f.label, diff: f.diff }, f.diff ?? '');
  const managed = Object.values(state.resources).filter((r) => r.kind === 'file' && (!module || r.module === module)).length;
  io.reporter.record('summary', { files: managed, differing: files.length }, `${managed} managed files, ${files.length} differ from what Phanes recorded`);
  return 0;
}
