import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ndjson, phanes, tempDir } from './support.js';
import { syntheticState } from './synthetic-state.js';

describe('phanes log over a journal with a torn last line', () => {
  it('shows the history oldest first and warns about the torn line without failing', async () => {
    const { state } = syntheticState();
    const r = await phanes(['log', '--state-dir', state]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /torn/i);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /apply started/);
    assert.ok(lines.some((l) => /security: create file .*managed\.conf/.test(l)), r.stdout);
    assert.match(lines.at(-1) ?? '', /run finished: 1 changed/);
  });
  it('filters by module, date and limit, as NDJSON with a summary last', async () => {
    const { state } = syntheticState();
    const r = await phanes(['log', '--state-dir', state, '--module', 'security', '--since', '2026-11-30', '--limit', '2', '--json']);
    const lines = ndjson(r.stdout).filter((l) => l.type !== 'warning');
    assert.equal(lines.length, 3);
    assert.equal(lines.at(-1)?.type, 'summary');
    assert.equal(lines[1]?.event, 'RunFinished');
  });
  it('rejects a --since that is not a date', async () => {
    const r = await phanes(['log', '--state-dir', syntheticState().state, '--since', 'yesterday']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ISO date/);
  });
  it('leaves the journal byte for byte as it was', async () => {
    const { state } = syntheticState();
    const before = readFileSync(join(state, 'journal.jsonl'));
    await phanes(['log', '--state-dir', state]);
    await phanes(['status', '--state-dir', state]);
    assert.deepEqual(readFileSync(join(state, 'journal.jsonl')), before);
  });
});

describe('phanes status over a synthetic journal', () => {
  it('exits 0 when the managed file is as recorded', async () => {
    const { state } = syntheticState();
    const r = await phanes(['status', '--state-dir', state]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /2 resources checked, 0 drifted/);
  });
  it('exits 2 and shows a diff from the recorded content when the file drifted', async () => {
    const { state, managed } = syntheticState();
    writeFileSync(managed, 'PermitRootLogin yes\n');
    const r = await phanes(['status', '--state-dir', state]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /drift security file .*managed\.conf/);
    assert.match(r.stdout, /-PermitRootLogin no\n\s*\+PermitRootLogin yes/);
    const json = ndjson((await phanes(['status', '--state-dir', state, '--json'])).stdout);
    assert.deepEqual(json.at(-1), { type: 'summary', checked: 2, drifted: 1, inSync: false });
  });
  it('reports a deleted file as drift', async () => {
    const { state, managed } = syntheticState();
    writeFileSync(managed, '');
    const r = await phanes(['status', '--state-dir', state, '--module', 'security']);
    assert.equal(r.code, 2);
  });
  it('exits 0 with no state dir, and does not create one', async () => {
    const state = join(tempDir(), 'none');
    const r = await phanes(['status', '--state-dir', state]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(state), false);
  });
});
