// Cross-module apt batching (src/engine/hoist.ts): later packages join an earlier apt transaction up
// to the first step that may change what apt installs, and each is still recorded and reported as its own module's step.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PhanesEvent } from '../../state/events.js';
import { initialState, project } from '../../state/projector.js';
import { applyModules } from '../../src/engine/apply.js';
import type { Module } from '../../src/engine/module.js';
import { nullRecorder } from '../../src/engine/recorder.js';
import type { RunOptions, RunResult } from '../../src/host/host.js';
import { ReadOnlyHost } from '../../src/host/readonly.js';
import { command } from '../../src/resources/command.js';
import { file } from '../../src/resources/file.js';
import { pkg } from '../../src/resources/package.js';
import type { Decl } from '../../src/resources/types.js';
import { MemoryHost } from './support/memory-host.js';
import { memoryRecorder } from './support/memory-recorder.js';
import { collectingReporter } from './support/plan.js';

/** A memory host with a tiny dpkg: dpkg-query answers from `installed`, apt-get install adds the names it is given. */
class DpkgHost extends MemoryHost {
  readonly installed = new Set<string>();
  constructor() {
    super();
    for (const f of ['/n1', '/n2']) this.effects[`touch ${f}`] = () => this.put(f, '');
  }
  override async query(argv: readonly string[], o?: RunOptions): Promise<RunResult> {
    if (argv[0] !== 'dpkg-query') return super.query(argv, o);
    const names = argv.slice(argv.indexOf('--') + 1).filter((n) => this.installed.has(n));
    return { stdout: names.map((n) => `${n}\tii \t1.0\n`).join(''), stderr: '', exitCode: 0 };
  }
  override async run(argv: readonly string[], o?: RunOptions): Promise<RunResult> {
    const r = await super.run(argv, o);
    if (r.exitCode === 0 && argv[0] === 'apt-get' && argv[1] === 'install') for (const a of argv.slice(2)) if (!a.startsWith('-') && !a.includes('::')) this.installed.add(a);
    return r;
  }
  get installs(): string[] {
    return this.runs.filter((r) => r.startsWith('apt-get install')).map((r) => r.split(' ').filter((a) => !a.startsWith('-') && !a.includes('::')).slice(2).join(' '));
  }
}

const mod = (name: string, decls: Decl[]): { module: Module; decls: Decl[] } => ({ module: { name, description: name, resources: () => decls }, decls });
const neutral = command('neutral', { check: ['test', '-e', '/n1'], run: ['touch', '/n1'], undo: ['rm', '/n1'], aptNeutral: true });
const barrier = command('override', { check: ['test', '-e', '/n2'], run: ['touch', '/n2'], undo: ['rm', '/n2'] });

async function run(host: DpkgHost, rec: ReturnType<typeof memoryRecorder>, plan: { module: Module; decls: Decl[] }[], dryRun = false) {
  const reporter = collectingReporter();
  const result = await applyModules({
    host: dryRun ? new ReadOnlyHost(host) : host, plan, dryRun, recorder: dryRun ? nullRecorder(async () => Buffer.alloc(0)) : rec,
    projection: dryRun ? initialState() : project(rec.events), reporter, secrets: [], run: { version: 't', hostname: 'h' },
  });
  return { result, steps: reporter.steps.map((s) => `${s.module} ${s.key} ${s.status} ${s.changes.join(';')}`) };
}

const PLAN = () => [
  mod('a', [pkg('x'), file('/etc/a', { content: 'a\n' }), neutral]),
  mod('b', [file('/etc/b', { content: 'b\n' }), pkg('y'), pkg('already')]),
  mod('c', [barrier, pkg('z')]),
];

describe('cross-module apt batching', () => {
  it('installs later modules\' packages in the first apt transaction, up to a command that may touch packages', async () => {
    const host = new DpkgHost();
    host.installed.add('already');
    const rec = memoryRecorder();
    const { result, steps } = await run(host, rec, PLAN());
    assert.deepEqual(host.installs, ['x y', 'z']);
    assert.equal(result.summary.changed, 7);
    const intents = rec.events.filter((e): e is PhanesEvent & { type: 'ChangeIntended' } => e.type === 'ChangeIntended');
    assert.deepEqual(intents.slice(0, 2).map((e) => `${e.data.module} ${e.data.key}`), ['a package:x', 'b package:y'], 'each intent is written before the one apt call, under its own module');
    assert.equal(project(rec.events).resources['package:y']?.module, 'b');
    assert.ok(steps.includes('b package:y changed install y'), 'y is reported at its own step');
    const { steps: again } = await run(host, rec, PLAN());
    assert.ok(again.every((s) => s.includes(' unchanged ')), 'a second run changes nothing');
  });

  it('plans the same steps, in the same order, as apply reports', async () => {
    const planHost = new DpkgHost();
    const { steps: planned } = await run(planHost, memoryRecorder(), PLAN(), true);
    const { steps: applied } = await run(new DpkgHost(), memoryRecorder(), PLAN());
    assert.deepEqual(planned.map((s) => s.replace(' planned ', ' changed ')), applied);
  });

  it('stops at a file under /etc/apt, and at a module with nothing else than a removal', async () => {
    const host = new DpkgHost();
    await run(host, memoryRecorder(), [
      mod('a', [pkg('x')]), mod('b', [file('/etc/apt/apt.conf.d/99x', { content: 'x\n' }), pkg('y')]),
      mod('c', [pkg('z')]), mod('d', [{ ...pkg('gone'), desired: { installed: false } }, pkg('w')]),
    ]);
    assert.deepEqual(host.installs, ['x', 'y z', 'w']);
  });

  it('goes past an apt.conf.d file marked neutral, and takes a command that prepares dpkg along, run before the one apt call', async () => {
    const host = new DpkgHost();
    const prepare = command('override', { check: ['test', '-e', '/n2'], run: ['touch', '/n2'], undo: ['rm', '/n2'], beforeItsPackages: true });
    const plan = () => [
      mod('a', [pkg('x')]), mod('b', [file('/etc/apt/apt.conf.d/20auto', { content: 'x\n', aptNeutral: true }), pkg('y')]),
      // d's preparation has no package after it before the barrier: it stays at its own step.
      mod('c', [prepare, pkg('z')]), mod('d', [{ ...prepare, id: 'override-d', options: { ...prepare.options!, run: ['touch', '/n1'], check: ['test', '-e', '/n1'] } }, barrier]),
    ];
    const rec = memoryRecorder();
    const { steps } = await run(host, rec, plan());
    assert.deepEqual(host.installs, ['x y z']);
    const order = host.runs.filter((r) => r.startsWith('touch /n2') || r.startsWith('apt-get install'));
    assert.match(order.join('\n'), /^touch \/n2\napt-get install/, 'the stat override before the transaction');
    assert.ok(steps.includes('c command:override changed run touch /n2'), 'reported at its own step');
    assert.ok(host.runs.indexOf('touch /n1') > host.runs.findIndex((r) => r.startsWith('apt-get install')), "d's runs at its own step");
    const intents = rec.events.filter((e): e is PhanesEvent & { type: 'ChangeIntended' } => e.type === 'ChangeIntended').map((e) => e.data.key);
    assert.ok(intents.indexOf('command:override') < intents.indexOf('package:z'), 'recorded before its package, so rollback purges first');
    const { steps: planned } = await run(new DpkgHost(), memoryRecorder(), plan(), true);
    assert.deepEqual(planned.map((s) => s.replace(' planned ', ' changed ')), steps);
  });

  it('records a failed transaction against every package in it, each under its own module', async () => {
    const host = new DpkgHost();
    host.failing = [/^apt-get install/];
    host.put('/n1', '');
    host.installed.add('already');
    const rec = memoryRecorder();
    const { result } = await run(host, rec, PLAN());
    assert.equal(result.ok, false);
    const failed = rec.events.filter((e): e is PhanesEvent & { type: 'ChangeFailed' } => e.type === 'ChangeFailed').map((e) => `${e.data.module} ${e.data.key}`);
    assert.deepEqual(failed, ['a package:x', 'b package:y']);
  });
});
