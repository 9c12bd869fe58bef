import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LockedError } from '../src/errors.js';
import { isErrno, processExists, writeAll } from './fsutil.js';

export const LOCK_FILE = 'lock';

/** What the lock file holds: who runs, where, since when, doing what. */
export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
  command: string;
}

export interface Lock {
  readonly path: string;
  readonly info: LockInfo;
  /** Set when a stale lock (its process gone) was recovered: report it. */
  readonly warnings: readonly string[];
  /** Removes the lock file if it is still ours; true if it was removed. Safe to call twice. */
  release(): boolean;
}

// A lock file that cannot be parsed is being written right now, unless it is older than this.
const UNREADABLE_GRACE_MS = 10_000;

/** Takes the one-run-at-a-time lock at `<stateDir>/lock`, recovering a stale one; throws LockedError if held. */
export function acquireLock(stateDir: string, command: string): Lock {
  const file = path.join(stateDir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), command };
  const content = `${JSON.stringify(info)}\n`;
  const warnings: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, content)) return { path: file, info, warnings, release: () => removeIfSame(file, content) };
    const held = readHolder(file);
    if (held === undefined) continue; // released between our create and our read: try again
    const stale = staleReason(held.info, held.mtimeMs);
    if (stale === undefined) throw lockedError(file, held.info);
    if (removeIfSame(file, held.raw)) warnings.push(`recovered a stale lock ${file}: ${stale}`);
  }
  throw new LockedError(`could not take ${file}: other processes kept taking it`, {
    suggestion: 'Make sure only one Phanes runs at a time, then retry.',
  });
}

// O_EXCL: exactly one process creates the file. The content is written right after.
function tryCreate(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw err;
  }
  try {
    writeAll(fd, Buffer.from(content));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

interface Holder {
  raw: string;
  info: LockInfo | undefined;
  mtimeMs: number;
}

function readHolder(file: string): Holder | undefined {
  try {
    const raw = fs.readFileSync(file, 'utf8');
    const mtimeMs = fs.statSync(file).mtimeMs;
    return { raw, info: parseInfo(raw), mtimeMs };
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

function parseInfo(raw: string): LockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockInfo> | null;
    if (v && typeof v.pid === 'number' && typeof v.hostname === 'string' && typeof v.startedAt === 'string') {
      return { pid: v.pid, hostname: v.hostname, startedAt: v.startedAt, command: String(v.command ?? '?') };
    }
  } catch {
    /* unparseable: handled by the caller */
  }
  return undefined;
}

/** Why the lock is stale, or undefined if its holder may still be running. */
function staleReason(info: LockInfo | undefined, mtimeMs: number): string | undefined {
  if (info === undefined) {
    return Date.now() - mtimeMs > UNREADABLE_GRACE_MS ? 'it was unreadable (a crash while taking it)' : undefined;
  }
  // Another machine's pid means nothing here (a state dir on shared storage): assume it is alive.
  if (info.hostname !== os.hostname()) return undefined;
  const bootedAt = Date.now() - os.uptime() * 1000;
  if (Date.parse(info.startedAt) < bootedAt - 5_000) {
    return `pid ${info.pid} took it at ${info.startedAt}, before this machine last booted`;
  }
  if (isAlive(info.pid)) return undefined;
  return `pid ${info.pid} (phanes ${info.command}, since ${info.startedAt}) is no longer running`;
}

function isAlive(pid: number): boolean {
  return pid === process.pid || processExists(pid);
}

/**
 * Removes the lock only if it still holds `raw`. It is renamed aside first, so that between our read and
 * our removal another process cannot have its fresh lock deleted by us; if it was not what we expected,
 * it is put back.
 */
function removeIfSame(file: string, raw: string): boolean {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
  if (fs.readFileSync(aside, 'utf8') === raw) {
    fs.unlinkSync(aside);
    return true;
  }
  try {
    fs.linkSync(aside, file); // put it back, unless yet another process has taken the lock meanwhile
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
  }
  fs.unlinkSync(aside);
  return false;
}

function lockedError(file: string, info: LockInfo | undefined): LockedError {
  if (info === undefined) {
    return new LockedError(`another Phanes run is taking the state lock ${file} right now`, {
      suggestion: 'Wait for it to finish, then retry.',
    });
  }
  const who = `pid ${info.pid} (phanes ${info.command}) on ${info.hostname} since ${info.startedAt}`;
  const remote = info.hostname !== os.hostname();
  return new LockedError(`another Phanes run holds the state lock ${file}: ${who}`, {
    suggestion: remote
      ? `It was taken on another machine, so Phanes cannot check that process. If no Phanes runs on ${info.hostname}, delete ${file}.`
      : `Wait for pid ${info.pid} to finish (or stop it), then retry. Do not delete ${file} while it runs.`,
  });
}
