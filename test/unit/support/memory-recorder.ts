import type { PhanesEvent } from '../../../state/events.js';
import type { Recorder } from '../../../src/engine/recorder.js';
import { sha256 } from '../../../state/blobs.js';

/** A recorder that keeps the journal and the blobs in memory, so apply, drift and rollback run without a state dir. */
export function memoryRecorder(): Recorder & { events: PhanesEvent[]; blobs: Map<string, Buffer> } {
  const events: PhanesEvent[] = [];
  const blobs = new Map<string, Buffer>();
  return {
    events,
    blobs,
    append: async (e) => { events.push(structuredClone(e)); },
    putBlob: async (c) => { blobs.set(sha256(c), c); return sha256(c); },
    getBlob: async (s) => blobs.get(s) ?? Promise.reject(new Error(`no blob ${s}`)),
  };
}
