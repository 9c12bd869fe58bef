import { detectDrift } from '../engine/drift.js';
import { LocalHost } from '../host/local.js';
import { ReadOnlyHost } from '../host/readonly.js';
import type { CommandIO } from './io.js';
import { readState } from './read-state.js';

/** `phanes status`: what Phanes recorded against the host now. Exit 0 in sync, 2 drift. */
export async function status(io: CommandIO, module: string | undefined): Promise<number> {
  const { state, recorder } = await readState(io.stateDir, io.reporter, { events: false });
  const last = state.runs.at(-1);
  if (last) {
    io.reporter.record('lastRun', { ...last }, `last run: ${last.command} ${last.modules.join(', ')} at ${last.startedAt}${last.ok === false ? ' (failed)' : ''}`);
  } else {
    io.reporter.record('lastRun', {}, `no runs recorded in ${io.stateDir}`);
  }
  const guard = state.guard;
  if (guard) {
    io.reporter.record('guard', { ...guard }, `confirm guard ${guard.guardId} is pending (${guard.status}, armed ${guard.armedAt}): \`sudo phanes confirm\` from a new SSH connection keeps the sshd and ufw changes, else timer ${guard.unit} puts them back`);
  }
  const result = await detectDrift(new ReadOnlyHost(new LocalHost()), recorder, state, [], module);
  io.reporter.drift(result.items, result.checked);
  return result.items.length ? 2 : 0;
}
