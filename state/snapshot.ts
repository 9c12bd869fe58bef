import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { DurableJSONFile } from './durable-json.js';
import { Journal } from './journal.js';
import { project, type ProjectedState } from './projector.js';

export const SNAPSHOT_FILE = 'state.json';

/** Bump whenever evolve() changes meaning, so snapshots written by an older Phanes are rebuilt. */
export const PROJECTOR_VERSION = 3;

// The last bytes of the journal are fingerprinted: same size and same tail means the same journal.
const TAIL_BYTES = 4096;

/** The lowdb document: a cache of project(journal), valid for exactly this journal. */
export interface SnapshotFile {
  projectorVersion: number;
  eventCount: number;
  journalBytes: number;
  journalTailSha256: string;
  warnings: string[];
  state: ProjectedState;
}

export interface LoadedState {
  state: ProjectedState;
  /** Journal warnings (a torn last line), also when the state came from the snapshot. */
  warnings: string[];
  source: 'snapshot' | 'journal';
}

/**
 * The projected state of `<stateDir>`. Uses `state.json` when it matches the journal (same event count,
 * byte size and tail); otherwise folds the journal and, if `write`, rewrites the snapshot (mode 0600).
 */
export async function loadState(
  stateDir: string,
  options: { write?: boolean; journal?: Journal; rebuild?: boolean } = {},
): Promise<LoadedState> {
  const journal = options.journal ?? new Journal(stateDir, { readOnly: true });
  const file = path.join(stateDir, SNAPSHOT_FILE);
  // `rebuild` (phanes state rebuild) ignores the snapshot, whatever it says, and folds the journal.
  const cached = options.rebuild ? undefined : await readSnapshot(file);
  if (cached !== undefined && matches(cached, journal.path)) {
    return { state: cached.state, warnings: cached.warnings, source: 'snapshot' };
  }
  const read = journal.read();
  const state = project(read.events);
  if (options.write ?? true) {
    const doc: SnapshotFile = {
      projectorVersion: PROJECTOR_VERSION,
      eventCount: state.eventCount,
      journalBytes: read.bytes,
      journalTailSha256: tailSha256(journal.path, read.bytes),
      warnings: read.warnings,
      state,
    };
    try {
      await writeSnapshot(file, doc);
    } catch (err) {
      // Only a cache: the state is right without it, so say why it is stale and carry on.
      return { state, warnings: [...read.warnings, `could not update ${file}: ${(err as Error).message}`], source: 'journal' };
    }
  }
  return { state, warnings: read.warnings, source: 'journal' };
}

// A missing, unreadable or malformed snapshot is just a cache miss.
async function readSnapshot(file: string): Promise<SnapshotFile | undefined> {
  try {
    const db = new Low<SnapshotFile | null>(new DurableJSONFile<SnapshotFile | null>(file), null);
    await db.read();
    const d = db.data;
    if (d === null || typeof d !== 'object' || d.projectorVersion !== PROJECTOR_VERSION) return undefined;
    if (typeof d.state !== 'object' || d.state === null || d.state.eventCount !== d.eventCount) return undefined;
    return d;
  } catch {
    return undefined;
  }
}

async function writeSnapshot(file: string, doc: SnapshotFile): Promise<void> {
  // Only one writer at a time (the run lock), so a stray temp beside it is always a crashed run's.
  const db = new Low<SnapshotFile>(new DurableJSONFile<SnapshotFile>(file), doc);
  await db.write();
}

function matches(snap: SnapshotFile, journalPath: string): boolean {
  let size: number;
  try {
    size = fs.statSync(journalPath).size;
  } catch {
    size = 0;
  }
  return size === snap.journalBytes && tailSha256(journalPath, size) === snap.journalTailSha256;
}

/** sha256 of the last (up to) 4 KiB before `size` in the journal; the empty hash for an empty journal. */
function tailSha256(journalPath: string, size: number): string {
  const hash = createHash('sha256');
  if (size === 0) return hash.digest('hex');
  const len = Math.min(TAIL_BYTES, size);
  const buf = Buffer.alloc(len);
  const fd = fs.openSync(journalPath, 'r');
  try {
    fs.readSync(fd, buf, 0, len, size - len);
  } finally {
    fs.closeSync(fd);
  }
  return hash.update(buf).digest('hex');
}
