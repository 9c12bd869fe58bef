import { existsSync } from 'node:fs';
import { openStore } from '../../state/store.js';
import { SNAPSHOT_FILE } from '../../state/snapshot.js';
import { PhanesError } from '../errors.js';
import type { CommandIO } from './io.js';

/**
 * `phanes state rebuild`: fold the whole journal again and rewrite the snapshot (state.json), under
 * the run lock. The journal is only read: a corrupt line stops it with the line's number, and then
 * nothing is written.
 */
export async function stateRebuild(io: CommandIO): Promise<number> {
  if (!existsSync(io.stateDir)) throw new PhanesError(`there is no state directory ${io.stateDir}: nothing to rebuild`, { suggestion: 'pass the --state-dir that holds journal.jsonl' });
  const store = openStore(io.stateDir, { create: true });
  const lock = store.lock('state rebuild');
  try {
    for (const w of lock.warnings) io.reporter.warn(w);
    const { state, warnings } = await store.loadState({ rebuild: true });
    for (const w of warnings) io.reporter.warn(w);
    const resources = Object.keys(state.resources).length;
    io.reporter.record('summary', { events: state.eventCount, resources, snapshot: `${store.dir}/${SNAPSHOT_FILE}` },
      `Rebuilt ${store.dir}/${SNAPSHOT_FILE} from ${state.eventCount} events: ${resources} resources recorded`);
    return 0;
  } finally {
    lock.release();
  }
}
