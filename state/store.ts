import fs from 'node:fs';
import path from 'node:path';
import { BlobStore } from './blobs.js';
import { StateError } from './errors.js';
import { ensurePrivateDir } from './fsutil.js';
import { Journal, type JournalRead } from './journal.js';
import { acquireLock, type LockInfo } from './lock.js';
import { loadState, type LoadedState } from './snapshot.js';

export { DEFAULT_STATE_DIR, defaultStateDir } from './dir.js';

export interface StoreOptions {
  /** true for apply/rollback: create the dir 0700 (tightening it if looser). false never creates anything. */
  create: boolean;
  /** Values that must never reach the journal. */
  secrets?: readonly string[];
}

export interface RunLock {
  readonly info: LockInfo;
  /** A recovered stale lock, a torn journal tail moved aside: show these to the user. */
  readonly warnings: readonly string[];
  /** Closes the journal and removes the lock if it is still ours. Safe to call twice. */
  release(): void;
}

export interface Store {
  readonly dir: string;
  readonly readOnly: boolean;
  readonly journal: Journal;
  readonly blobs: BlobStore;
  readEvents(): JournalRead;
  /** The projection: state.json when it matches the journal; `rebuild` folds the journal regardless and rewrites it. */
  loadState(options?: { rebuild?: boolean }): Promise<LoadedState>;
  /** Takes the run lock and repairs a torn journal tail, ready for appends. Throws LockedError if held. */
  lock(command: string): RunLock;
}

/** Opens the state directory. With `create: false` a missing directory reads as an empty journal. */
export function openStore(stateDir: string, options: StoreOptions): Store {
  const dir = path.resolve(stateDir);
  const readOnly = !options.create;
  if (options.create) ensurePrivateDir(dir);
  else if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new StateError(`the state directory ${dir} is not a directory`, { file: dir });
  }
  const journal = new Journal(dir, { readOnly, ...(options.secrets && { secrets: options.secrets }) });
  const blobs = new BlobStore(dir, { readOnly });
  return {
    dir,
    readOnly,
    journal,
    blobs,
    readEvents: () => journal.read(),
    loadState: (opts = {}) => loadState(dir, { journal, write: !readOnly, ...opts }),
    lock: (command) => {
      if (readOnly) throw new StateError(`the state store ${dir} was opened read-only; cannot lock it`);
      const lock = acquireLock(dir, command);
      try {
        const torn = journal.repairTornTail();
        const warnings = torn === undefined ? lock.warnings : [...lock.warnings, torn];
        return {
          info: lock.info,
          warnings,
          release: () => {
            journal.close();
            lock.release();
          },
        };
      } catch (err) {
        lock.release();
        throw err;
      }
    },
  };
}
