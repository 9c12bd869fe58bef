import type { PhanesEvent } from '../../state/events.js';
import type { ManagedResource } from '../../state/projector.js';
import type { Decl } from '../resources/types.js';

/** A declaration rebuilt from the journal, for status, diff and rollback (no config needed). */
export function declOf(r: ManagedResource): Decl {
  return { kind: r.kind, id: r.id, desired: r.desired };
}

/** Which keys each resource notified when it changed, from its intents in the journal. */
export function notifyMap(events: readonly PhanesEvent[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of events) if (e.type === 'ChangeIntended' && e.data.notify?.length) out.set(e.data.key, e.data.notify);
  return out;
}
