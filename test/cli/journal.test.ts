import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PhanesEvent } from '../../state/events.js';
import { ndjson, phanes, tempDir } from './support.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const owner = userInfo().username;

/** A journal as apply would leave it: one run that wrote a file and observed a package, then a torn line. */
function syntheticState(): { state: string; managed: string } {
  const dir = tempDir();
  const state = join(dir, 'state');
  const managed = join(dir, 'managed.conf');
  mkdirSync(join(state, 'blobs'), { recursive: true, mode: 0o700 });
  writeFileSync(managed, 'PermitRootLogin no\n', { mode: 0o644 });
  writeFileSync(join(state, 'blobs', sha('PermitRootLogin no\n')), 'PermitRootLogin no\n', { mode: 0o600 });
  const ref = { module: 'security', key: `file:${managed}`, kind: 'file', id: managed, label: `file ${managed}` };
  const fileState = { exists: true, sha256: sha('PermitRootLogin no\n'), mode: 0o644, owner, group: userInfo().gid === 0 ? 'root' : String(userInfo().gid) };
  const runId = '11111111-2222-3333-4444-555555555555';
  const at = '2026-11-30T10:00:00.000Z';
  const events: PhanesEvent[] = [
    { type: 'RunStarted', data: { runId, at, command: 'apply', modules: ['security', 'baseline'], version: '0.1.0', hostname: 'lab' } },
    { type: 'ModuleStarted', data: { runId, at, module: 'security' } },
    { type: 'ChangeIntended', data: { ...ref, runId, seq: 1, at, reason: 'create', summary: 'create (0644 root:root)', before: { exists: false }, desired: { exists: true, sha256: fileState.sha256, mode: 0o644 } } },
    { type: 'ChangeApplied', data: { ...ref, runId, seq: 1, at, after: fileState } },
    { type: 'ResourceObserved', data: { module: 'baseline', key: 'package:coreutils', kind: 'package', id: 'coreutils', label: 'package coreutils', runId, at, state: { installed: true, version: '9' }, desired: { installed: true } } },
    { type: 'ModuleFinished', data: { runId, at, module: 'security', result: 'changed', changed: 1, unchanged: 0, skipped: 0, failed: 0, durationMs: 5 } },
    { type: 'RunFinished', data: { runId, at: '2026-11-30T10:00:01.000Z', summary: { changed: 1, unchanged: 1, skipped: 0, failed: 0 }, durationMs: 1000, ok: true } },
  ];
  writeFileSync(join(state, 'journal.jsonl'), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  appendFileSync(join(state, 'journal.jsonl'), '{"type":"RunStarted","data":{"runId":"torn');
  chmodSync(state, 0o700);
  return { state, managed };
}

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
