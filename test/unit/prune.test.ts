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
