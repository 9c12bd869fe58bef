import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LockedError } from '../../src/errors.js';
import { acquireLock } from '../../state/lock.js';
import { tempDirs } from './support/temp-dirs.js';

const tmpStateDir = tempDirs('phanes-lock-');

// A pid that certainly existed and has exited: a child we waited for.
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  assert.ok(child.pid);
  return child.pid;
}

function writeLock(dir: string, info: Record<string, unknown>): string {
  const file = path.join(dir, 'lock');
  fs.writeFileSync(file, `${JSON.stringify(info)}\n`);
  return file;
}

describe('state lock', () => {
  it('records pid, hostname, start time and command in <stateDir>/lock', () => {
    const dir = tmpStateDir();
    const lock = acquireLock(dir, 'apply');
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'lock'), 'utf8'));
    assert.equal(info.pid, process.pid);
    assert.equal(info.hostname, os.hostname());
    assert.equal(info.command, 'apply');
    assert.ok(!Number.isNaN(Date.parse(info.startedAt)));
    assert.deepEqual(lock.warnings, []);
    lock.release();
  });

  it('a second acquire while the lock is held throws LockedError naming the holder', () => {
    const dir = tmpStateDir();
    const lock = acquireLock(dir, 'apply');
    assert.throws(() => acquireLock(dir, 'rollback'), (err: unknown) => {
      assert.ok(err instanceof LockedError);
      assert.match(err.message, new RegExp(`pid ${process.pid} \\(phanes apply\\).*since ${lock.info.startedAt}`));
      assert.match(err.suggestion ?? '', /Wait for pid/);
      return true;
    });
    lock.release();
  });

  it('can be taken again once released', () => {
    const dir = tmpStateDir();
    assert.equal(acquireLock(dir, 'apply').release(), true);
    const again = acquireLock(dir, 'apply');
    assert.deepEqual(again.warnings, []);
    again.release();
    assert.equal(fs.existsSync(path.join(dir, 'lock')), false);
  });

  it('recovers a stale lock whose pid is dead, with a warning', () => {
    const dir = tmpStateDir();
    const pid = deadPid();
    writeLock(dir, { pid, hostname: os.hostname(), startedAt: new Date().toISOString(), command: 'apply' });
    const lock = acquireLock(dir, 'apply');
    assert.equal(lock.warnings.length, 1);
    assert.match(lock.warnings[0] ?? '', new RegExp(`stale lock.*pid ${pid}.*no longer running`));
    assert.equal(JSON.parse(fs.readFileSync(lock.path, 'utf8')).pid, process.pid);
    lock.release();
  });

  it('recovers a lock taken before this machine booted, even if its pid is alive now', () => {
    const dir = tmpStateDir();
    const beforeBoot = new Date(Date.now() - os.uptime() * 1000 - 3_600_000).toISOString();
    writeLock(dir, { pid: process.ppid, hostname: os.hostname(), startedAt: beforeBoot, command: 'apply' });
    const lock = acquireLock(dir, 'apply');
    assert.match(lock.warnings[0] ?? '', /before this machine last booted/);
    lock.release();
  });

  it('treats a lock from another hostname as held, since its pid cannot be checked', () => {
    const dir = tmpStateDir();
    writeLock(dir, { pid: deadPid(), hostname: 'elsewhere.example', startedAt: new Date().toISOString(), command: 'apply' });
    assert.throws(() => acquireLock(dir, 'apply'), (err: unknown) => {
      assert.ok(err instanceof LockedError);
      assert.match(err.suggestion ?? '', /another machine/);
      return true;
    });
  });

  it('treats a fresh unreadable lock as held and an old one as stale', () => {
    const dir = tmpStateDir();
    const file = path.join(dir, 'lock');
    fs.writeFileSync(file, '');
    assert.throws(() => acquireLock(dir, 'apply'), LockedError);
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    const lock = acquireLock(dir, 'apply');
    assert.match(lock.warnings[0] ?? '', /unreadable/);
    lock.release();
  });

  it('release only removes the lock if it is still ours', () => {
    const dir = tmpStateDir();
    const lock = acquireLock(dir, 'apply');
    const theirs = writeLock(dir, { pid: process.ppid, hostname: os.hostname(), startedAt: new Date().toISOString(), command: 'apply' });
    assert.equal(lock.release(), false);
    assert.equal(JSON.parse(fs.readFileSync(theirs, 'utf8')).pid, process.ppid);
    assert.deepEqual(fs.readdirSync(dir), ['lock']);
  });

  it('release twice is harmless', () => {
    const dir = tmpStateDir();
    const lock = acquireLock(dir, 'apply');
    assert.equal(lock.release(), true);
    assert.equal(lock.release(), false);
  });
});
