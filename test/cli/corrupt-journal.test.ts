import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ndjson, phanes, tempDir } from './support.js';
import { syntheticState } from './synthetic-state.js';

const GARBAGE = 'Xx{{ not an event \u0000 from a disk that lied';

/** The synthetic journal without its torn tail, with garbage as line 4 (between an intent and its outcome). */
function corruptState(): { state: string; journal: string; bytes: Buffer } {
  const { state } = syntheticState();
  const journal = join(state, 'journal.jsonl');
  const lines = readFileSync(journal, 'utf8').split('\n').slice(0, -1);
  lines.splice(3, 0, GARBAGE);
  writeFileSync(journal, `${lines.join('\n')}\n`);
  return { state, journal, bytes: readFileSync(journal) };
}

describe('a journal with garbage in the middle', () => {
  it('stops status, plan and state rebuild with an error naming the file and line 4', async () => {
    const { state, journal } = corruptState();
    for (const args of [['status'], ['plan', '--modules', 'swap'], ['state', 'rebuild']]) {
      const r = await phanes([...args, '--state-dir', state]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${journal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: corrupt journal line: invalid JSON`), args.join(' '));
    }
  });

  it('still shows the valid events in log, with a warning naming the skipped line', async () => {
    const { state, journal } = corruptState();
    const r = await phanes(['log', '--state-dir', state]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`journal\\.jsonl:4: corrupt journal line: .*skipped it`));
    assert.match(r.stdout, /apply started/);
    assert.match(r.stdout, /security: create file .*managed\.conf/);
    assert.match(r.stdout, /run finished: 1 changed/);
    const json = ndjson((await phanes(['log', '--json', '--state-dir', state])).stdout);
    assert.equal(json.filter((o) => o.type === 'event').length, 4, 'RunStarted, ChangeApplied, ModuleFinished, RunFinished');
    assert.ok(json.some((o) => o.type === 'warning' && String(o.message).includes(`${journal}:4:`)), JSON.stringify(json));
  });

  it('is never rewritten: every command leaves it byte for byte, and no snapshot or torn/ appears', async () => {
    const { state, journal, bytes } = corruptState();
    for (const args of [['log'], ['status'], ['diff'], ['plan', '--modules', 'swap'], ['state', 'rebuild'], ['rollback', 'security']]) await phanes([...args, '--state-dir', state]);
    assert.deepEqual(readFileSync(journal), bytes);
    assert.deepEqual(readdirSync(state).sort(), ['blobs', 'journal.jsonl']);
  });
});

describe('phanes state rebuild', () => {
  it('rewrites a damaged snapshot from the journal, private, and status reads it', async () => {
    const { state } = syntheticState();
    const snapshot = join(state, 'state.json');
    writeFileSync(snapshot, '{"projectorVersion": 2, "state": garbage', { mode: 0o644 });
    const r = await phanes(['state', 'rebuild', '--state-dir', state]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Rebuilt .*state\.json from 7 events: 2 resources recorded/);
    const doc = JSON.parse(readFileSync(snapshot, 'utf8')) as { eventCount: number; state: { resources: Record<string, unknown> } };
    assert.equal(doc.eventCount, 7);
    assert.deepEqual(Object.keys(doc.state.resources).sort(), ['file:' + join(state, '..', 'managed.conf'), 'package:coreutils'].sort());
    assert.equal(statSync(snapshot).mode & 0o777, 0o600);
    const status = await phanes(['status', '--state-dir', state]);
    assert.equal(status.code, 0, status.stdout + status.stderr);
  });

  it('says there is nothing to rebuild for a state directory that does not exist, and creates none', async () => {
    const missing = join(tempDir(), 'none');
    const r = await phanes(['state', 'rebuild', '--state-dir', missing, '--json']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /nothing to rebuild/);
    assert.equal(existsSync(missing), false);
  });
});
