import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEV_BASE, devPackages, devtools, RUNTIME_PACKAGES } from '../../modules/devtools.js';
import { defaultConfig, loadConfig, type Config } from '../../src/config/index.js';
import { RUNTIMES } from '../../src/config/schema.js';
import { applyModules } from '../../src/engine/apply.js';
import { rollbackModule } from '../../src/engine/rollback.js';
import { ConfigError } from '../../src/errors.js';
import type { SystemFacts } from '../../src/facts/system.js';
import type { FileStat, Host, RunOptions, RunResult } from '../../src/host/host.js';
import { project } from '../../state/projector.js';
import { configFiles } from './support/config-file.js';
import { memoryRecorder } from './support/memory-recorder.js';
import { collectingReporter } from './support/plan.js';

const SYSTEM: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };
const declsFor = (d: Partial<Config['devtools']> = {}) => devtools.resources({ config: { ...defaultConfig(), devtools: { ...defaultConfig().devtools, ...d } }, system: SYSTEM, modules: ['devtools'] });
const { write } = configFiles('phanes-devtools-');

describe('devtools: packages', () => {
  it('installs git, build-essential and curl with no runtime configured', () => {
    assert.deepEqual(declsFor().map((d) => `${d.kind}:${d.id}`), ['package:git', 'package:build-essential', 'package:curl']);
  });

  it('adds each runtime\'s packages, then the extras, each package once', () => {
    assert.deepEqual(devPackages({ runtimes: ['node', 'python', 'go'], packages: ['jq', 'git', 'python3'] }), [
      ...DEV_BASE, 'nodejs', 'npm', 'python3', 'python3-venv', 'python3-pip', 'golang-go', 'jq',
    ]);
  });

  it('maps every runtime the schema accepts to distribution packages', () => {
    assert.deepEqual(Object.keys(RUNTIME_PACKAGES).sort(), [...RUNTIMES].sort());
    assert.deepEqual(RUNTIME_PACKAGES.rust, ['rustc', 'cargo']);
    assert.deepEqual(RUNTIME_PACKAGES.java, ['default-jdk-headless']);
  });

  it('declares nothing when disabled', () => {
    assert.deepEqual(declsFor({ enabled: false, runtimes: ['go'] }), []);
  });

  it('rejects an unknown runtime with the line and the list of known ones', async () => {
    const file = write('devtools:\n  runtimes:\n    - node\n    - perl\n');
    await assert.rejects(loadConfig({ file, explicit: true, env: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const issue = error.issues.find((i) => i.path === 'devtools.runtimes[1]');
      assert.ok(issue, JSON.stringify(error.issues));
      assert.equal(issue.line, 4);
      assert.match(issue.message, /expected a runtime Phanes knows: node, python, go, rust, ruby, java, got "perl"/);
      assert.match(issue.suggestion ?? '', /devtools\.packages/);
      return true;
    });
  });
});

/**
 * A host with a tiny apt: dpkg-query answers from `installed`, `apt-get install` installs the named
 * packages and their dependencies (marked auto), `apt-get -s autoremove` lists the auto packages
 * nothing installed needs, and purge removes.
 */
class AptHost implements Host {
  readonly name = 'apt';
  readonly readOnly = false;
  readonly runs: string[] = [];
  readonly installed = new Map<string, 'manual' | 'auto'>();
  constructor(private readonly depends: Record<string, string[]>, preinstalled: Record<string, 'manual' | 'auto'> = {}) {
    for (const [p, how] of Object.entries(preinstalled)) this.installed.set(p, how);
  }
  private orphans(): string[] {
    const needed = new Set<string>();
    const visit = (p: string): void => {
      for (const d of this.depends[p] ?? []) if (!needed.has(d)) { needed.add(d); visit(d); }
    };
    for (const [p, how] of this.installed) if (how === 'manual') visit(p);
    return [...this.installed].filter(([p, how]) => how === 'auto' && !needed.has(p)).map(([p]) => p);
  }
  /** The package and every installed package that depends on it, as `apt-get purge` would remove them. */
  dependents(name: string): string[] {
    const out = [name];
    for (let i = 0; i < out.length; i++) {
      for (const p of this.installed.keys()) if (!out.includes(p) && (this.depends[p] ?? []).includes(out[i]!)) out.push(p);
    }
    return out;
  }
  async query(argv: readonly string[], _o?: RunOptions): Promise<RunResult> {
    if (argv[0] === 'dpkg-query') {
      const names = argv.slice(argv.indexOf('--') + 1);
      return { stdout: names.filter((n) => this.installed.has(n)).map((n) => `${n}\tii \t1.0\n`).join(''), stderr: '', exitCode: 0 };
    }
    if (argv[0] === 'apt-get' && argv[1] === '-s' && argv.at(-1) === 'autoremove') return { stdout: this.orphans().map((p) => `Remv ${p} [1.0]\n`).join(''), stderr: '', exitCode: 0 };
    if (argv[0] === 'apt-get' && argv[1] === '-s' && argv[2] === 'purge') return { stdout: this.dependents(argv[3]!).map((p) => `Purg ${p} [1.0]\n`).join(''), stderr: '', exitCode: 0 };
    if (argv.join(' ') === 'apt-mark showauto') return { stdout: [...this.installed].filter(([, how]) => how === 'auto').map(([p]) => `${p}\n`).join(''), stderr: '', exitCode: 0 };
    return { stdout: '', stderr: '', exitCode: 1 };
  }
  async run(argv: readonly string[]): Promise<RunResult> {
    this.runs.push(argv.join(' '));
    const names = argv.filter((a) => !a.startsWith('-') && !a.includes('::') && !['apt-get', 'install', 'purge'].includes(a));
    if (argv[1] === 'install') {
      const add = (p: string, how: 'manual' | 'auto'): void => {
        if (!this.installed.has(p) || how === 'manual') this.installed.set(p, how);
        for (const d of this.depends[p] ?? []) if (!this.installed.has(d)) add(d, 'auto');
      };
      for (const n of names) add(n, 'manual');
    }
    if (argv[1] === 'purge') for (const n of names.flatMap((n) => this.dependents(n))) this.installed.delete(n);
    return { stdout: '', stderr: '', exitCode: 0 };
  }
  async readFiles(paths: readonly string[]): Promise<Map<string, Buffer | null>> { return new Map(paths.map((p) => [p, null])); }
  async statFiles(paths: readonly string[]): Promise<Map<string, FileStat | null>> { return new Map(paths.map((p) => [p, null])); }
  async listDirs(paths: readonly string[]): Promise<Map<string, string[] | null>> { return new Map(paths.map((p) => [p, null])); }
  async writeFile(): Promise<void> {}
  async removeFile(): Promise<void> {}
  async symlink(): Promise<void> {}
  async mkdir(): Promise<void> {}
  async chmod(): Promise<void> {}
  async chown(): Promise<void> {}
}

describe('devtools: one apt transaction, and a rollback that takes back what it pulled in', () => {
  const DEPENDS = {
    'build-essential': ['gcc', 'make', 'libc6-dev'], gcc: ['cpp'], git: ['git-man', 'liberror-perl'], golang_go: [],
    'golang-go': ['golang-1.19-go'], nodejs: ['libnode108', 'node-acorn'], 'node-acorn': ['nodejs'], npm: ['node-semver', 'nodejs'], curl: ['libcurl4'],
    'my-app': ['nodejs'],
    'old-tool': ['old-lib'], 'admin-tool': ['make'],
  };
  // Before Phanes: curl (manual), admin-tool with make as its dependency, and old-lib that apt could already autoremove.
  const PRE = { curl: 'manual', libcurl4: 'auto', 'admin-tool': 'manual', make: 'auto', 'old-lib': 'auto' } as const;

  async function applyThenRollback(runtimes: Config['devtools']['runtimes'], after: (host: AptHost) => void = () => undefined) {
    const host = new AptHost(DEPENDS, { ...PRE });
    const before = new Map(host.installed);
    const decls = declsFor({ runtimes });
    const rec = memoryRecorder();
    const run = { version: 't', hostname: 'h' };
    const applied = await applyModules({ host, plan: [{ module: devtools, decls }], dryRun: false, recorder: rec, projection: project(rec.events), reporter: collectingReporter(), secrets: [], run });
    const installs = host.runs.filter((r) => r.startsWith('apt-get install'));
    const afterApply = new Map(host.installed);
    after(host);
    const reporter = collectingReporter();
    const rolled = await rollbackModule({ host, module: 'devtools', projection: project(rec.events), events: rec.events, recorder: rec, reporter, secrets: [], dryRun: false, force: false, run });
    return { host, before, applied, installs, afterApply, rolled, reporter };
  }

  it('installs the base and every runtime package in one apt-get install', async () => {
    const { applied, installs } = await applyThenRollback(['node', 'go']);
    assert.equal(applied.ok, true);
    assert.equal(installs.length, 1, installs.join('\n'));
    assert.match(installs[0]!, / git build-essential nodejs npm golang-go$/, 'curl was already there');
  });

  it('leaves apt as it found it: the packages and the dependencies only they pulled in are purged, nothing else', async () => {
    const { host, before, afterApply, rolled, reporter } = await applyThenRollback(['node', 'go']);
    assert.ok(afterApply.has('golang-1.19-go') && afterApply.has('cpp'));
    assert.equal(rolled.ok, true);
    assert.deepEqual(new Map(host.installed), before, 'make stays (admin-tool needs it), old-lib stays (it was an orphan before), curl stays');
    const git = reporter.steps.find((s) => s.key === 'package:git');
    assert.match(git?.reason ?? '', /also purged what it alone pulled in: git-man, liberror-perl/);
    assert.ok(!host.installed.has('node-acorn'), 'a dependency that depends back on nodejs goes with it');
  });

  it('leaves a runtime installed when a package someone installed by name since needs it', async () => {
    const { host, rolled, reporter } = await applyThenRollback(['node'], (h) => h.installed.set('my-app', 'manual'));
    assert.equal(rolled.ok, true);
    assert.ok(host.installed.has('nodejs') && host.installed.has('my-app'));
    assert.match(reporter.steps.find((s) => s.key === 'package:nodejs')?.reason ?? '', /not purged: apt would also remove my-app, which Phanes did not install/);
  });
});
