import type { PhanesEvent } from '../../state/events.js';
import type { ProjectedState } from '../../state/projector.js';
import { openStore, type Store } from '../../state/store.js';
import { nullRecorder, type Recorder } from '../engine/recorder.js';
import type { Reporter } from '../report/reporter.js';

/**
 * The journal as read-only commands see it (status, diff, log): never creates the state dir. Only
 * log needs the events; status and diff take the projection, from the snapshot when it is current,
 * so they do not parse a journal of 100,000 events.
 */
export async function readState(stateDir: string, reporter: Reporter, options: { events?: boolean } = {}): Promise<{ store: Store; state: ProjectedState; events: PhanesEvent[]; recorder: Recorder }> {
  const store = openStore(stateDir, { create: false });
  const { events, warnings } = options.events === false ? { events: [], warnings: [] } : store.readEvents();
  const loaded = await store.loadState();
  for (const w of new Set([...warnings, ...loaded.warnings])) reporter.warn(w);
  return { store, state: loaded.state, events, recorder: nullRecorder(async (sha) => store.blobs.get(sha)) };
}
