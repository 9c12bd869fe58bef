import type { PhanesEvent, Snapshot } from '../../state/events.js';

/** Where the engine records events and file contents. Plan uses one that keeps nothing. */
export interface Recorder {
  append(event: PhanesEvent): Promise<void>;
  putBlob(content: Buffer): Promise<string>;
  getBlob(sha256: string): Promise<Buffer>;
}

export const nullRecorder = (getBlob: (sha: string) => Promise<Buffer>): Recorder => ({
  append: async () => undefined,
  putBlob: async () => '',
  getBlob,
});

/** Keep the content behind every `sha256` field of a snapshot, so rollback and diff can use it later. */
export async function keepContents(recorder: Recorder, contents: Map<string, Buffer>, snapshot: Snapshot): Promise<void> {
  const sha = snapshot.sha256;
  if (typeof sha !== 'string') return;
  const data = contents.get(sha);
  if (data) await recorder.putBlob(data);
}
