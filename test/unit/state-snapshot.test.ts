import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { PhanesEvent } from '../../state/events.js';
import { Journal } from '../../state/journal.js';
import { project } from '../../state/projector.js';
import { loadState } from '../../state/snapshot.js';
import { tempDirs } from './support/temp-dirs.js';

const tmpStateDir = tempDirs('phanes-snapshot-');

const observed = (i: number): PhanesEvent => ({
  type: 'ResourceObserved',
  data: {
    module: 'baseline', key: `package:p${i}`, kind: 'package', id: `p${i}`, label: `package p${i}`,
    runId: 'r1', at: '2025-01-01T00:00:00.000Z', state: { installed: true }, desired: { installed: true },
  },
});

function journalIn(dir: string, count: number): Journal {
  const j = new Journal(dir);
  for (let i = 0; i < count; i++) j.append(observed(i));
  return j;
}

describe('projection snapshot', () => {
  it('matches the fold of the journal, and is used on the next load', async () => {
    const dir = tmpStateDir();
    const j = journalIn(dir, 3);
    const first = await loadState(dir);
    assert.equal(first.source, 'journal');
    assert.deepEqual(first.state, project(j.read().events));
    const second = await loadState(dir);
    assert.equal(second.source, 'snapshot');
    assert.deepEqual(second.state, first.state);
  });

  it('holds eventCount, journalBytes and the state, with mode 0600', async () => {
    const dir = tmpStateDir();
    const j = journalIn(dir, 2);
    await loadState(dir);
    const file = path.join(dir, 'state.json');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(doc.eventCount, 2);
    assert.equal(doc.journalBytes, fs.statSync(j.path).size);
    assert.equal(doc.state.eventCount, 2);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('is rebuilt after the journal grows', async () => {
    const dir = tmpStateDir();
    const j = journalIn(dir, 2);
    await loadState(dir);
    j.append(observed(7));
    const loaded = await loadState(dir);
    assert.equal(loaded.source, 'journal');
    assert.equal(loaded.state.eventCount, 3);
    assert.ok(loaded.state.resources['package:p7']);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')).eventCount, 3);
  });

  it('is rebuilt when the journal was rewritten to the same size', async () => {
    const dir = tmpStateDir();
    const j = journalIn(dir, 2);
    await loadState(dir);
    fs.writeFileSync(j.path, fs.readFileSync(j.path, 'utf8').replace('package:p1', 'package:p9'));
    const loaded = await loadState(dir);
    assert.equal(loaded.source, 'journal');
    assert.ok(loaded.state.resources['package:p9']);
  });

  it('deleting state.json changes nothing', async () => {
    const dir = tmpStateDir();
    journalIn(dir, 4);
    const before = await loadState(dir);
    fs.rmSync(path.join(dir, 'state.json'));
    assert.deepEqual((await loadState(dir)).state, before.state);
  });

  it('a corrupt state.json is only a cache miss', async () => {
    const dir = tmpStateDir();
    journalIn(dir, 2);
    const before = await loadState(dir);
    fs.writeFileSync(path.join(dir, 'state.json'), '{"eventCount": 2, "journalBy');
    const loaded = await loadState(dir);
    assert.equal(loaded.source, 'journal');
    assert.deepEqual(loaded.state, before.state);
  });

  it('keeps the torn-line warning when the state comes from the snapshot', async () => {
    const dir = tmpStateDir();
    const j = journalIn(dir, 1);
    fs.appendFileSync(j.path, '{"type":"Ru');
    assert.equal((await loadState(dir)).warnings.length, 1);
    const cached = await loadState(dir);
    assert.equal(cached.source, 'snapshot');
    assert.equal(cached.warnings.length, 1);
  });

  it('with write: false, folds the journal without creating state.json', async () => {
    const dir = tmpStateDir();
    journalIn(dir, 1);
    const loaded = await loadState(dir, { write: false });
    assert.equal(loaded.state.eventCount, 1);
    assert.equal(fs.existsSync(path.join(dir, 'state.json')), false);
  });

  it('still returns the state when the snapshot cannot be written, with a warning', async () => {
    const dir = tmpStateDir();
    journalIn(dir, 1);
    fs.mkdirSync(path.join(dir, 'state.json')); // a directory where the file should go: the write fails
    const loaded = await loadState(dir);
    assert.equal(loaded.state.eventCount, 1);
    assert.match(loaded.warnings[0] ?? '', /could not update/);
  });
});
