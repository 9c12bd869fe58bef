import type { PhanesEvent, Snapshot } from '../../state/events.js';
import type { Store } from '../../state/store.js';
import { isSecret, type Decl } from '../resources/types.js';

/** Where the engine records events and file contents. Plan uses one that keeps nothing. */
export interface Recorder {
  append(event: PhanesEvent): Promise<void>;
  putBlob(content: Buffer): Promise<string>;
  getBlob(sha256: string): Promise<Buffer>;
}

/** A recorder over the store: events to the journal, file contents to the blob store. */
export function storeRecorder(store: Store): Recorder {
  return {
    append: async (e) => store.journal.append(e),
    putBlob: async (content) => store.blobs.put(content),
    getBlob: async (sha) => store.blobs.get(sha),
  };
}

export const nullRecorder = (getBlob: (sha: string) => Promise<Buffer>): Recorder => ({
  append: async () => undefined,
  putBlob: async () => '',
  getBlob,
});

/**
 * Keep the content behind every `sha256` field of a snapshot, so rollback and diff can use it later.
 * Never for a secret declaration: its content (a password) must not reach the state directory.
 */
export async function keepContents(recorder: Recorder, contents: Map<string, Buffer>, snapshot: Snapshot, decl?: Decl): Promise<void> {
  if (decl && isSecret(decl)) return;
  const sha = snapshot.sha256;
  if (typeof sha !== 'string') return;
  const data = contents.get(sha);
  if (data) await recorder.putBlob(data);
}
