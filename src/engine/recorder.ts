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
 * Keep the content behind a snapshot's `sha256` field (a file) and its `password` tag (a shadow field),
 * so rollback and diff can use it later. A secret declaration's file content (a password) never
 * reaches the state directory; a user's previous shadow field (a crypt hash, never a password) does,
 * in a 0600 blob, so rollback can put the old password back.
 */
export async function keepContents(recorder: Recorder, contents: Map<string, Buffer>, snapshot: Snapshot, decl?: Decl): Promise<void> {
  const password = typeof snapshot.password === 'string' && snapshot.password.startsWith('sha256:') ? snapshot.password.slice(7) : undefined;
  const file = decl && isSecret(decl) ? undefined : snapshot.sha256;
  for (const sha of [file, password]) {
    const data = typeof sha === 'string' ? contents.get(sha) : undefined;
    if (data) await recorder.putBlob(data);
  }
}
