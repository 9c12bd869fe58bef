import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { apply } from '../../src/actions/apply.js';
import { commandIO, reportFailure } from '../../src/actions/io.js';
import { LocalHost } from '../../src/host/local.js';
import { ReadOnlyHost } from '../../src/host/readonly.js';
import { CASES, CORPUS, type BadCase } from './bad-configs.js';
import { BUNDLE, tempDir, type CliResult } from './support.js';

/**
 * The bad-config corpus (test/fixtures/bad-configs, one YAML per case; cases.json says what each
 * must report). Every case must exit 1 with `file:line:column: key.path: message`, and leave the
 * state directory uncreated: no journal, no lock. In-process runs use apply's own code with a host
 * that reads this machine but refuses every write, so a case that slipped through validation fails
 * loudly instead of changing anything. A sample also runs through the built bundle, as a separate
 * process (as nobody when the test runs as root, so a slip would meet apply's root check).
 */
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const BASE_ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1' };

/** Runs `apply` in this process against a write-refusing host; returns what the CLI would print and exit with. */
async function applyInProcess(c: BadCase, configFile: string, stateDir: string): Promise<CliResult> {
  const capture = (): { stream: PassThrough; text: () => string } => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    return { stream, text: () => text };
  };
  const out = capture();
  const err = capture();
  const streams = { stdout: out.stream, stderr: err.stream, env: { ...BASE_ENV, ...c.env } };
  let code: number;
  try {
    const io = commandIO({ json: false, stateDir }, streams);
    code = await apply(io, { modules: c.modules, profile: c.modules ? undefined : (c.profile ?? 'minimal'), configFile, dryRun: false }, new ReadOnlyHost(new LocalHost()));
  } catch (error) {
    code = reportFailure(error, false, streams);
  }
  await new Promise((done) => setImmediate(done));
  return { stdout: out.text(), stderr: err.text(), code };
}

/** Runs the built bundle; as nobody when we are root, so nothing it could reach would change this machine. */
function applyBundle(c: BadCase, configFile: string, stateDir: string): Promise<CliResult> {
  const args = [BUNDLE, 'apply', ...(c.modules ? ['--modules', c.modules] : ['--profile', c.profile ?? 'minimal']), '--config', configFile, '--state-dir', stateDir];
  const [file, argv] = process.getuid?.() === 0
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args]]
    : [process.execPath, args];
  return new Promise((done) => {
    execFile(file, argv, { cwd: '/', env: { ...BASE_ENV, ...c.env }, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      done({ stdout, stderr, code: error ? (typeof error.code === 'number' ? error.code : 1) : 0 });
    });
  });
}

/** What every rejected config must show: exit 1, the file, line and key path, the message, and no state dir. */
function assertRejected(r: CliResult, c: BadCase, configFile: string, stateDir: string): void {
  const where = `${escape(configFile)}:${c.line}:\\d+: ${c.path === '' ? '\\(root\\)' : escape(c.path)}`;
  assert.equal(r.code, 1, `${c.file} (${c.what}) exited ${r.code}:\n${r.stdout}${r.stderr}`);
  assert.match(r.stderr, new RegExp(where), `${c.file} (${c.what}) does not name ${c.path || '(root)'} at line ${c.line}:\n${r.stderr}`);
  assert.ok(r.stderr.includes(c.fragment), `${c.file}: expected "${c.fragment}" in:\n${r.stderr}`);
  assert.ok(!existsSync(stateDir), `${c.file}: the state directory ${stateDir} was created`);
}

/** The two cases too big or too odd to keep in git: a 50 MB file and a binary. */
function generatedCases(dir: string): { c: BadCase; file: string }[] {
  const big = join(dir, 'fifty-megabytes.yaml');
  const line = `# ${'x'.repeat(1021)}\n`;
  writeFileSync(big, `username: deploy\n${line.repeat(50 * 1024)}`);
  const binary = join(dir, 'binary.yaml');
  // An ELF header, then bytes that are not text: what `--config /usr/bin/ls` would read.
  writeFileSync(binary, Buffer.concat([Buffer.from('username: deploy\n'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0xff, 0xfe, 0x80])]));
  return [
    { c: { file: 'fifty-megabytes.yaml', what: 'a 50 MB file', path: '', line: 1, fragment: 'a Phanes config is a few KB' }, file: big },
    { c: { file: 'binary.yaml', what: 'a binary file', path: '', line: 2, fragment: 'the file is not text' }, file: binary },
  ];
}

describe('the bad-config corpus', () => {
  it('holds at least 60 cases, one YAML file each, every file listed once', () => {
    assert.ok(CASES.length >= 60, `${CASES.length} cases`);
    assert.equal(new Set(CASES.map((c) => c.file)).size, CASES.length);
    for (const c of CASES) assert.ok(existsSync(join(CORPUS, c.file)), `${c.file} is missing`);
  });

  it('rejects every case with exit 1, its key path and line, and writes no journal', async () => {
    const dir = tempDir();
    const all = [...CASES.map((c) => ({ c, file: join(CORPUS, c.file) })), ...generatedCases(dir)];
    for (const [i, { c, file }] of all.entries()) {
      const stateDir = join(dir, `state-${i}`);
      assertRejected(await applyInProcess(c, file, stateDir), c, file, stateDir);
    }
    process.stdout.write(`# bad configs tried in-process: ${all.length}\n`);
  });

  it('rejects a sample the same way through the built bundle, in a process of its own', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755); // nobody reads the generated files
    const sample = [...CASES.filter((c, i) => !c.refusal && i % 8 === 0).map((c) => ({ c, file: join(CORPUS, c.file) })), ...generatedCases(dir)];
    const results = await Promise.all(sample.map(({ c, file }, i) => applyBundle(c, file, join(dir, `state-${i}`)).then((r) => ({ r, c, file, i }))));
    for (const { r, c, file, i } of results) assertRejected(r, c, file, join(dir, `state-${i}`));
    process.stdout.write(`# bad configs tried through the bundle: ${sample.length}\n`);
  });
});
