import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LockedError } from '../../src/errors.js';
import { StateError } from '../../state/errors.js';
import { defaultStateDir, openStore } from '../../state/store.js';
import { tempDirs } from './support/temp-dirs.js';

const tmpParent = tempDirs('phanes-store-');

describe('state store', () => {
  it('creates the state dir 0700', () => {
    const dir = path.join(tmpParent(), 'state');
    openStore(dir, { create: true });
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  });

  it('tightens an existing state dir that is looser than 0700', () => {
    const dir = path.join(tmpParent(), 'state');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    openStore(dir, { create: true });
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  });

  it('with create: false, a missing dir reads as an empty journal and nothing is created', async () => {
    const dir = path.join(tmpParent(), 'absent');
    const store = openStore(dir, { create: false });
    assert.deepEqual(store.readEvents().events, []);
    assert.equal((await store.loadState()).state.eventCount, 0);
    assert.equal(store.blobs.has('0'.repeat(64)), false);
    assert.throws(() => store.lock('apply'), StateError);
    assert.equal(fs.existsSync(dir), false);
  });

  it('runs a whole apply: lock, append with secrets redacted, release, then reads the state', async () => {
    const dir = path.join(tmpParent(), 'state');
    const store = openStore(dir, { create: true, secrets: ['pw123'] });
    const lock = store.lock('apply');
    assert.deepEqual(lock.warnings, []);
    assert.throws(() => openStore(dir, { create: true }).lock('apply'), LockedError);
    store.journal.append({
      type: 'RunStarted',
      data: { runId: 'r1', at: '2025-01-01T00:00:00.000Z', command: 'apply', modules: ['user'], profile: 'pw123', version: '0.1.0', hostname: 'h' },
    });
    lock.release();
    assert.equal(fs.existsSync(path.join(dir, 'lock')), false);
    const reader = openStore(dir, { create: false });
    const { state } = await reader.loadState();
    assert.equal(state.runs[0]?.profile, '<redacted>');
    assert.equal(fs.existsSync(path.join(dir, 'state.json')), false, 'a read-only store writes no snapshot');
  });

  it('lock() moves a torn journal tail aside and says so', () => {
    const dir = path.join(tmpParent(), 'state');
    const store = openStore(dir, { create: true });
    fs.writeFileSync(store.journal.path, '{"type":"RunSta', { mode: 0o600 });
    const lock = store.lock('apply');
    assert.equal(lock.warnings.length, 1);
    assert.match(lock.warnings[0] ?? '', /torn/);
    assert.equal(fs.statSync(store.journal.path).size, 0);
    lock.release();
  });

  it('defaults to PHANES_STATE_DIR, else /var/lib/phanes', () => {
    assert.equal(defaultStateDir({ PHANES_STATE_DIR: '/tmp/x' }), '/tmp/x');
    assert.equal(defaultStateDir({}), '/var/lib/phanes');
    assert.equal(defaultStateDir({ PHANES_STATE_DIR: '' }), '/var/lib/phanes');
  });
});
