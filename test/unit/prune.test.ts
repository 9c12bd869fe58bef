import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { project } from '../../state/projector.js';
import { applyModules } from '../../src/engine/apply.js';
import type { Module } from '../../src/engine/module.js';
import { file } from '../../src/resources/file.js';
import type { Decl } from '../../src/resources/types.js';
import { MemoryHost } from './support/memory-host.js';
import { memoryRecorder } from './support/memory-recorder.js';
import { collectingReporter } from './support/plan.js';
import { FixtureHost } from './support/fixture-host.js';
import { ReadOnlyHost } from '../../src/host/readonly.js';
import { nullRecorder } from '../../src/engine/recorder.js';
import { service } from '../../src/resources/service.js';
import { sha256 } from '../../state/blobs.js';
import type { PhanesEvent } from '../../state/events.js';

const mod = (name: string, decls: Decl[]): { module: Module; decls: Decl[] } => ({ module: { name, description: name, resources: () => decls }, decls });

async function run(host: MemoryHost, rec: ReturnType<typeof memoryRecorder>, plan: { module: Module; decls: Decl[] }[], dryRun = false, keep?: Map<string, string>, released?: Map<string, string>) {
  const reporter = collectingReporter();
  const result = await applyModules({
    host, plan, dryRun, recorder: rec, projection: project(rec.events), reporter, secrets: [], run: { version: 't', hostname: 'h' },
    ...(keep ? { keep } : {}), ...(released ? { released } : {}),
  });
  return { result, steps: reporter.steps };
}

describe('resources the config no longer declares', () => {
  it('are reverted to their before-state on the next apply, and plan says so first', async () => {
    const host = new MemoryHost();
    host.put('/etc/kept', 'before\n');
    const rec = memoryRecorder();
    await run(host, rec, [mod('m', [file('/etc/a', { content: 'a\n' }), file('/etc/kept', { content: 'phanes\n' })])]);
    assert.equal(host.text('/etc/kept'), 'phanes\n');

    const plan = await run(host, rec, [mod('m', [file('/etc/a', { content: 'a\n' })])], true);
    const planned = plan.steps.filter((s) => s.status === 'planned');
    assert.deepEqual(planned.map((s) => [s.key, s.changes[0]?.split(':')[0]]), [['file:/etc/kept', 'revert (no longer in the config)']]);
    assert.equal(host.text('/etc/kept'), 'phanes\n', 'plan changes nothing');

    const { result, steps } = await run(host, rec, [mod('m', [file('/etc/a', { content: 'a\n' })])]);
    assert.equal(result.summary.changed, 1);
    assert.deepEqual(steps.filter((s) => s.status === 'changed').map((s) => s.key), ['file:/etc/kept']);
    assert.equal(host.text('/etc/kept'), 'before\n', 'the file is back to what it was');
    assert.equal(project(rec.events).resources['file:/etc/kept'], undefined, 'and no longer managed');

    const again = await run(host, rec, [mod('m', [file('/etc/a', { content: 'a\n' })])]);
    assert.equal(again.result.summary.changed, 0, 'a third run changes nothing');
  });

  it('removes a file Phanes created', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    await run(host, rec, [mod('m', [file('/etc/site-a', { content: 'a\n' }), file('/etc/site-b', { content: 'b\n' })])]);
    await run(host, rec, [mod('m', [file('/etc/site-a', { content: 'a\n' })])]);
    assert.equal(host.text('/etc/site-b'), undefined);
    assert.equal(host.text('/etc/site-a'), 'a\n');
  });

  it('never reverts a key the run protects, such as the rule for the current ssh port', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    await run(host, rec, [mod('m', [file('/etc/x', { content: 'x\n' })])]);
    const { steps } = await run(host, rec, [mod('m', [])], false, new Map([['file:/etc/x', 'it allows ssh']]));
    assert.equal(host.text('/etc/x'), 'x\n');
    assert.match(steps.find((s) => s.key === 'file:/etc/x')?.reason ?? '', /^no longer managed \(kept\): it allows ssh/);
  });

  it('leaves what another module now declares, and what other modules managed', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    await run(host, rec, [mod('a', [file('/etc/shared', { content: 's\n' })]), mod('b', [file('/etc/b', { content: 'b\n' })])]);
    const { result } = await run(host, rec, [mod('a', []), mod('c', [file('/etc/shared', { content: 's\n' })])]);
    assert.equal(result.summary.changed, 0);
    assert.equal(host.text('/etc/shared'), 's\n');
    assert.equal(host.text('/etc/b'), 'b\n', 'module b is not in the run: left alone');
  });

  it('are released, not reverted, when their module is switched off: the host keeps them and Phanes forgets them', async () => {
    const host = new MemoryHost();
    host.put('/etc/kept', 'before\n');
    const rec = memoryRecorder();
    await run(host, rec, [mod('m', [file('/etc/kept', { content: 'phanes\n' })])]);
    const { result } = await run(host, rec, [mod('m', [])], false, undefined, new Map([['m', 'm.enabled is false']]));
    assert.equal(result.summary.changed, 0);
    assert.equal(host.text('/etc/kept'), 'phanes\n', 'the host is not changed');
    const released = rec.events.find((e) => e.type === 'Released');
    assert.deepEqual(released?.type === 'Released' ? released.data.keys : undefined, ['file:/etc/kept']);
    assert.equal(project(rec.events).resources['file:/etc/kept'], undefined, 'no longer managed');
  });

  it('are recorded as prunes, apart from rollbacks', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    await run(host, rec, [mod('m', [file('/etc/a', { content: 'a\n' })])]);
    await run(host, rec, [mod('m', [])]);
    const reverted = rec.events.filter((e) => e.type === 'ChangeReverted');
    assert.deepEqual(reverted.map((e) => (e.type === 'ChangeReverted' ? [e.data.cause, e.data.result] : [])), [['prune', 'restored']]);
  });
});

describe('a pruned resource that notified a service', () => {
  const T = '2026-01-01T00:00:00.000Z';
  const site = { module: 'nginx', key: 'file:/etc/nginx/conf.d/old.conf', kind: 'file', id: '/etc/nginx/conf.d/old.conf', label: 'file /etc/nginx/conf.d/old.conf' };
  const nginx = { module: 'nginx', key: 'service:nginx', kind: 'service', id: 'nginx', label: 'service nginx' };
  const after = { exists: true, sha256: sha256('server {}\n'), mode: 0o644, owner: 'root', group: 'root' };
  const journal: PhanesEvent[] = [
    { type: 'ChangeIntended', data: { ...site, runId: 'r1', seq: 1, at: T, reason: 'create', summary: 'create', before: { exists: false }, desired: { sha256: after.sha256 }, notify: ['service:nginx'] } },
    { type: 'ChangeApplied', data: { ...site, runId: 'r1', seq: 1, at: T, after } },
    { type: 'ResourceObserved', data: { ...nginx, runId: 'r1', at: T, state: { exists: true, enabled: true, active: true }, desired: { enabled: true, active: true } } },
  ];
  const facts = {
    files: { '/etc/nginx/conf.d/old.conf': { content: 'server {}\n' } },
    commands: [{ match: /^systemctl show/, stdout: 'Id=nginx.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n' }],
  };

  it('goes back before the service step, which then reloads: plan says both, in that order', async () => {
    const reporter = collectingReporter();
    const decls = [service('nginx', { onChange: 'reload' })];
    await applyModules({
      host: new ReadOnlyHost(new FixtureHost(facts)), plan: [mod('nginx', decls)], dryRun: true, recorder: nullRecorder(async () => Buffer.from('server {}\n')),
      projection: project(journal), reporter, secrets: [], run: { version: 't', hostname: 'h' },
    });
    const planned = reporter.steps.filter((s) => s.status === 'planned');
    assert.deepEqual(planned.map((s) => [s.key, s.changes.at(-1)?.split(':')[0]]), [
      ['file:/etc/nginx/conf.d/old.conf', 'revert (no longer in the config)'],
      ['service:nginx', 'reload'],
    ]);
  });

  it('and apply reloads the service after removing the file', async () => {
    const host = new FixtureHost(facts);
    const rec = memoryRecorder();
    rec.events.push(...journal);
    rec.blobs.set(after.sha256, Buffer.from('server {}\n'));
    await applyModules({
      host, plan: [mod('nginx', [service('nginx', { onChange: 'reload' })])], dryRun: false, recorder: rec,
      projection: project(journal), reporter: collectingReporter(), secrets: [], run: { version: 't', hostname: 'h' },
    });
    assert.deepEqual(host.runs, ['rm /etc/nginx/conf.d/old.conf', 'systemctl reload -- nginx']);
  });
});
