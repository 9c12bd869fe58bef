import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PhanesEvent } from '../../state/events.js';
import { project } from '../../state/projector.js';
import { applyModules } from '../../src/engine/apply.js';
import { detectDrift } from '../../src/engine/drift.js';
import type { Module } from '../../src/engine/module.js';
import { rollbackModule } from '../../src/engine/rollback.js';
import { command } from '../../src/resources/command.js';
import { sha256 } from '../../state/blobs.js';
import { file } from '../../src/resources/file.js';
import type { Decl } from '../../src/resources/types.js';
import { MemoryHost } from './support/memory-host.js';
import { memoryRecorder } from './support/memory-recorder.js';
import { collectingReporter } from './support/plan.js';


const mod = (name: string, decls: Decl[]): { module: Module; decls: Decl[] } => ({ module: { name, description: name, resources: () => decls }, decls });

async function apply(host: MemoryHost, rec: ReturnType<typeof memoryRecorder>, plan: { module: Module; decls: Decl[] }[], secrets: string[] = []) {
  const reporter = collectingReporter();
  const result = await applyModules({ host, plan, dryRun: false, recorder: rec, projection: project(rec.events), reporter, secrets, run: { version: 't', hostname: 'h' } });
  return { result, steps: reporter.steps };
}

describe('the engine', () => {
  it('records the intent with the before-state, then the outcome with the after-state', async () => {
    const host = new MemoryHost();
    host.put('/etc/app.conf', 'old\n', 0o600);
    const rec = memoryRecorder();
    await apply(host, rec, [mod('m', [file('/etc/app.conf', { content: 'new\n' })])]);
    const types = rec.events.map((e) => e.type);
    assert.deepEqual(types, ['RunStarted', 'ModuleStarted', 'ChangeIntended', 'ChangeApplied', 'ModuleFinished', 'RunFinished']);
    const intent = rec.events[2] as PhanesEvent & { type: 'ChangeIntended' };
    assert.deepEqual(intent.data.before, { exists: true, sha256: sha256('old\n'), mode: 0o600, owner: 'root', group: 'root' });
    assert.equal(rec.blobs.get(sha256('old\n'))?.toString(), 'old\n', 'the old content is kept for rollback');
    assert.equal(host.text('/etc/app.conf'), 'new\n');
  });

  it('changes nothing and records nothing new on a second run', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    const plan = [mod('m', [file('/etc/a', { content: 'a\n' })])];
    await apply(host, rec, plan);
    const count = rec.events.length;
    const { result } = await apply(host, rec, plan);
    assert.equal(result.summary.changed, 0);
    assert.deepEqual(rec.events.slice(count).map((e) => e.type), ['RunStarted', 'ModuleStarted', 'ModuleFinished', 'RunFinished']);
  });

  it('observes a resource that was already right, so drift in it is still seen', async () => {
    const host = new MemoryHost();
    host.put('/etc/a', 'a\n');
    const rec = memoryRecorder();
    await apply(host, rec, [mod('m', [file('/etc/a', { content: 'a\n' })])]);
    assert.ok(rec.events.some((e) => e.type === 'ResourceObserved'));
    host.put('/etc/a', 'tampered\n');
    const drift = await detectDrift(host, rec, project(rec.events), []);
    assert.equal(drift.items.length, 1);
    assert.match(drift.items[0]?.diff ?? '', /-a\n\+tampered/);
  });

  it('stops at a failure, records it, and skips the modules after it', async () => {
    const host = new MemoryHost();
    host.failing = [/^visudo/];
    const rec = memoryRecorder();
    const { result, steps } = await apply(host, rec, [
      mod('first', [file('/etc/sudoers.d/x', { content: 'bad', validate: ['visudo', '-cf', '{}'] }), file('/etc/b', { content: 'b' })]),
      mod('second', [file('/etc/c', { content: 'c' })]),
    ]);
    assert.equal(result.ok, false);
    assert.deepEqual(result.summary, { changed: 0, unchanged: 0, skipped: 2, failed: 1 });
    assert.ok(rec.events.some((e) => e.type === 'ChangeFailed'));
    assert.equal(host.text('/etc/sudoers.d/x'), undefined, 'an invalid sudoers file is never installed');
    assert.equal(host.text('/etc/c'), undefined);
    assert.equal(steps.find((s) => s.status === 'failed')?.label, 'file /etc/sudoers.d/x');
  });

  it('puts the old file back when the check after install fails', async () => {
    const host = new MemoryHost();
    host.put('/etc/ssh/sshd_config.d/x.conf', 'good\n');
    host.failing = [/^sshd -t/];
    const rec = memoryRecorder();
    const { result } = await apply(host, rec, [mod('m', [file('/etc/ssh/sshd_config.d/x.conf', { content: 'bad\n', check: ['sshd', '-t'] })])]);
    assert.equal(result.ok, false);
    assert.equal(host.text('/etc/ssh/sshd_config.d/x.conf'), 'good\n');
  });

  it('never writes a secret to the journal or a diff', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    const { steps } = await apply(host, rec, [mod('m', [file('/etc/redis.conf', { content: 'requirepass s3cr3t-value\n', secret: true })])], ['s3cr3t-value']);
    assert.doesNotMatch(JSON.stringify(rec.events), /s3cr3t-value/);
    assert.doesNotMatch(JSON.stringify(steps), /s3cr3t-value/);
  });

  it('rolls a module back newest first to the recorded before-state and releases it', async () => {
    const host = new MemoryHost();
    host.put('/etc/kept', 'original\n', 0o640);
    const rec = memoryRecorder();
    await apply(host, rec, [mod('m', [file('/etc/kept', { content: 'managed\n' }), file('/etc/added', { content: 'x\n' })])]);
    const reporter = collectingReporter();
    const r = await rollbackModule({ host, module: 'm', projection: project(rec.events), events: rec.events, recorder: rec, reporter, secrets: [], dryRun: false, force: false, run: { version: 't', hostname: 'h' } });
    assert.equal(r.ok, true);
    assert.equal(host.text('/etc/kept'), 'original\n');
    assert.equal(host.files.get('/etc/kept')?.mode, 0o640);
    assert.equal(host.text('/etc/added'), undefined);
    assert.deepEqual(reporter.steps.map((s) => s.label), ['file /etc/added', 'file /etc/kept']);
    assert.deepEqual(project(rec.events).modules.m?.keys, []);
  });

  it('refuses to roll back a file someone changed since, unless forced, and shows the diff', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    await apply(host, rec, [mod('m', [file('/etc/a', { content: 'phanes\n' })])]);
    host.put('/etc/a', 'admin edit\n');
    const reporter = collectingReporter();
    const base = { host, module: 'm', events: rec.events, recorder: rec, reporter, secrets: [], dryRun: false, run: { version: 't', hostname: 'h' } };
    const refused = await rollbackModule({ ...base, projection: project(rec.events), force: false });
    assert.equal(refused.ok, false);
    assert.equal(host.text('/etc/a'), 'admin edit\n');
    assert.match(reporter.steps[0]?.diff ?? '', /-phanes\n\+admin edit/);
    const forced = await rollbackModule({ ...base, projection: project(rec.events), force: true });
    assert.equal(forced.ok, true);
    assert.equal(host.text('/etc/a'), undefined);
  });

  it('rolls a command back with the undo recorded in the journal, without the config', async () => {
    const host = new MemoryHost();
    host.effects = { 'make-marker': () => host.put('/marker', ''), 'remove-marker': () => host.files.delete('/marker') };
    const rec = memoryRecorder();
    await apply(host, rec, [mod('m', [command('marker', { check: ['test', '-e', '/marker'], run: ['make-marker'], undo: ['remove-marker'] })])]);
    assert.ok(host.files.has('/marker'));
    const r = await rollbackModule({ host, module: 'm', projection: project(rec.events), events: rec.events, recorder: rec, reporter: collectingReporter(), secrets: [], dryRun: false, force: false, run: { version: 't', hostname: 'h' } });
    assert.equal(r.ok, true);
    assert.equal(host.files.has('/marker'), false);
  });
});

describe('rollback of a module with a drifted file', () => {
  it('stops at the drifted file: what comes before it in the walk stays as Phanes left it', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    await apply(host, rec, [mod('m', [file('/etc/first', { content: 'one\n' }), file('/etc/second', { content: 'two\n' })])]);
    host.put('/etc/second', 'admin edit\n');
    const reporter = collectingReporter();
    const r = await rollbackModule({ host, module: 'm', projection: project(rec.events), events: rec.events, recorder: rec, reporter, secrets: [], dryRun: false, force: false, run: { version: 't', hostname: 'h' } });
    assert.equal(r.ok, false);
    assert.equal(host.text('/etc/second'), 'admin edit\n');
    assert.equal(host.text('/etc/first'), 'one\n', 'the walk stopped at the refusal');
    assert.deepEqual(reporter.steps.map((s) => [s.key, s.status]), [['file:/etc/second', 'skipped'], ['file:/etc/first', 'skipped']]);
  });

  it('changes nothing of the module when an older file drifted, and shows every drifted file', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    await apply(host, rec, [mod('m', [file('/etc/first', { content: 'one\n' }), file('/etc/second', { content: 'two\n' }), file('/etc/third', { content: 'three\n' })])]);
    host.put('/etc/first', 'edit one\n');
    host.put('/etc/third', 'edit three\n');
    const reporter = collectingReporter();
    const r = await rollbackModule({ host, module: 'm', projection: project(rec.events), events: rec.events, recorder: rec, reporter, secrets: [], dryRun: false, force: false, run: { version: 't', hostname: 'h' } });
    assert.equal(r.ok, false);
    assert.equal(host.text('/etc/second'), 'two\n', 'the file that did not drift stays as Phanes left it');
    assert.deepEqual([host.text('/etc/first'), host.text('/etc/third')], ['edit one\n', 'edit three\n']);
    assert.deepEqual(reporter.steps.filter((s) => s.diff).map((s) => s.key), ['file:/etc/third', 'file:/etc/first']);
  });
});
