import fs from 'node:fs';
import path from 'node:path';
import type { PhanesEvent } from './events.js';
import { StateError } from './errors.js';
import { ensurePrivateDir, fileStamp, fsyncDir, isErrno, writeAll } from './fsutil.js';
import { parseJournal, tornTailStart, type JournalRead } from './journal-parse.js';
import { makeRedactor } from './redact.js';
import { checkEvent } from './validate.js';

export type { JournalRead } from './journal-parse.js';

export const JOURNAL_FILE = 'journal.jsonl';

export interface JournalOptions {
  /** Strings that must never reach the disk; each is replaced with `<redacted>`. */
  secrets?: readonly string[];
  /** Refuse append and repair (status, log, diff). */
  readOnly?: boolean;
}

/** The append-only JSON Lines journal at `<stateDir>/journal.jsonl`. Appends assume the run lock is held. */
export class Journal {
  readonly dir: string;
  readonly path: string;
  readonly #redact: <T>(value: T) => T;
  readonly #readOnly: boolean;
  #fd: number | undefined;

  constructor(stateDir: string, options: JournalOptions = {}) {
    this.dir = stateDir;
    this.path = path.join(stateDir, JOURNAL_FILE);
    this.#redact = makeRedactor(options.secrets ?? []);
    this.#readOnly = options.readOnly ?? false;
  }

  /** Writes one event as one line and fsyncs it: when this returns, the event survives a crash. */
  append(event: PhanesEvent): void {
    this.#writable('append to');
    const checked = checkEvent(event);
    if ('problem' in checked) throw new StateError(`refusing to journal a malformed event: ${checked.problem}`);
    // `type` is never redacted: a line must always read back as an event, whatever the secrets are.
    const line = Buffer.from(`${JSON.stringify({ type: event.type, data: this.#redact(event.data) })}\n`, 'utf8');
    const fd = this.#open();
    const size = fs.fstatSync(fd).size;
    try {
      writeAll(fd, line);
      fs.fsyncSync(fd);
    } catch (err) {
      // Take back a partial line so the next event does not glue onto it.
      try {
        fs.ftruncateSync(fd, size);
      } catch {
        /* the original error matters more; repairTornTail will catch the torn line */
      }
      throw new StateError(`could not write to ${this.path}: ${(err as Error).message}`, { file: this.path, cause: err });
    }
  }

  /** Reads every event. A missing journal (or state dir) is an empty one. `skipCorrupt`: see parseJournal. */
  read(options: { skipCorrupt?: boolean } = {}): JournalRead {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.path);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return { events: [], warnings: [], bytes: 0 };
      throw new StateError(`could not read ${this.path}: ${(err as Error).message}`, {
        file: this.path,
        cause: err,
        ...(isErrno(err, 'EACCES') && { suggestion: 'The state directory is 0700 and owned by root: run as root (sudo).' }),
      });
    }
    return parseJournal(buf, this.path, options);
  }

  /**
   * Moves a torn last line (no trailing newline, or invalid JSON) to `<stateDir>/torn/<timestamp>.jsonl`
   * and truncates it off. Call under the run lock before the first append. Returns a warning, or undefined.
   */
  repairTornTail(): string | undefined {
    this.#writable('repair');
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.path);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
    const start = tornTailStart(buf);
    if (start === undefined) return undefined;
    const torn = buf.subarray(start);
    const dest = saveTorn(path.join(this.dir, 'torn'), torn);
    const fd = fs.openSync(this.path, 'r+');
    try {
      fs.ftruncateSync(fd, start);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return `${this.path} ended in a torn line (${torn.length} bytes at byte offset ${start}, left by a crash mid-write); moved it to ${dest}`;
  }

  close(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }

  // One fd for the whole run; O_APPEND makes every write land at the end.
  #open(): number {
    if (this.#fd !== undefined) return this.#fd;
    const existed = fs.existsSync(this.path);
    const fd = fs.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    try {
      if (!existed) fsyncDir(this.dir);
      else assertCleanTail(fd, this.path);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    this.#fd = fd;
    return fd;
  }

  #writable(what: string): void {
    if (this.#readOnly) throw new StateError(`the state store was opened read-only; cannot ${what} ${this.path}`);
  }
}

// Appending after a line with no newline would glue two events into one corrupt line.
function assertCleanTail(fd: number, file: string): void {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  if (last[0] !== 0x0a) {
    throw new StateError(`${file} ends in a torn line; call repairTornTail() under the run lock before appending`, {
      file,
    });
  }
}

// Writes the torn bytes to a new file in torn/, never overwriting an earlier one.
function saveTorn(dir: string, bytes: Buffer): string {
  ensurePrivateDir(dir);
  const stamp = fileStamp();
  for (let n = 0; ; n++) {
    const dest = path.join(dir, n === 0 ? `${stamp}.jsonl` : `${stamp}-${n}.jsonl`);
    let fd: number;
    try {
      fd = fs.openSync(dest, 'wx', 0o600);
    } catch (err) {
      if (isErrno(err, 'EEXIST')) continue;
      throw err;
    }
    try {
      writeAll(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fsyncDir(dir);
    return dest;
  }
}
