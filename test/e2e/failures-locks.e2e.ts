// Issue 15, items 3 and 4 on one booted bookworm host: a command that fails mid-run (a package apt does
// not have, a broken apt source) stops the run naming module, resource, command, stderr and a fix, the
// journal records it, and the next apply after the fix converges; a second apply while one runs is
// refused naming the holder; a stale lock is taken over with a warning; a dpkg lock held by a real
// process (fcntl, as apt takes it) is waited for with a message, then either given up on at
// --lock-timeout or, once released, gone past.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootHost, installPhanes, phanes, type LabHost } from './harness/index.js';
import { sleep } from './harness/sys.js';
import { expectPhanes, summaryOf, writeConfig } from './support.js';

const APPLY = ['apply', '--modules', 'baseline', '--config', '/root/config.yaml'];
const MISSING = 'phanes-no-such-package';
const HOLDER_PID = '/run/dpkg-lock-holder.pid';
const BROKEN = '/etc/apt/sources.list.d/broken.list';

const withPackages = (...names: string[]): string => `baseline:\n  extra_packages: [${names.join(', ')}]\n`;

/** Polls `probe` until it returns a value, or fails after `timeoutMs` with `what`. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`gave up after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(500);
  }
}

/** A real process holding dpkg's frontend lock the way apt does (fcntl F_SETLK, whole file); returns its pid and a release. */
async function holdDpkgLock(host: LabHost): Promise<{ pid: number; release(): Promise<void> }> {
  await host.exec(['rm', '-f', HOLDER_PID]);
  const script = [
    'use Fcntl;',
    'open(my $f, ">>", "/var/lib/dpkg/lock-frontend") or die "open: $!";',
    'my $l = pack("s s x4 q q i x4", F_WRLCK, 0, 0, 0, 0);', // struct flock: the whole file, for writing
    'fcntl($f, F_SETLK, $l) or die "lock: $!";',
    `open(my $m, ">", "${HOLDER_PID}.tmp") or die; print $m "$$\\n"; close $m; rename("${HOLDER_PID}.tmp", "${HOLDER_PID}");`,
    'sleep 300;',
  ].join(' ');
  let ended: string | undefined;
  const running = host.exec(['perl', '-e', script], { reject: false, timeoutMs: 320_000 }).then((r) => {
    ended = `the lock holder exited ${r.exitCode}: ${r.stderr}`;
  });
  const pid = await waitFor('the lock holder to take the dpkg lock', 30_000, async () => {
    if (ended) throw new Error(ended);
    const r = await host.exec(['cat', HOLDER_PID], { reject: false });
    return r.exitCode === 0 && r.stdout.trim() ? Number(r.stdout.trim()) : undefined;
  });
  return {
    pid,
    async release() {
      await host.exec(['kill', String(pid)], { reject: false });
      await running;
    },
  };
}

async function installed(host: LabHost, pkg: string): Promise<boolean> {
  const r = await host.exec(['dpkg-query', '-W', '-f=${db:Status-Abbrev}', pkg], { reject: false });
  return r.stdout.startsWith('ii');
}

describe('failures mid-run and locks on a real host', { concurrency: 1 }, () => {
  let host: LabHost;

  before(async () => {
    host = await bootHost({ suite: 'bookworm', name: 'fail-locks' });
    await installPhanes(host);
    await host.exec('apt-get update -q', { timeoutMs: 300_000 });
  });
  after(async () => {
    await host?.down();
  });

  it('stops at a package apt does not have, naming module, resource, command, stderr and a fix, and journals the failure', async () => {
    await writeConfig(host, withPackages('hello', MISSING));
    const r = await phanes(host, APPLY, { reject: false, timeoutMs: 600_000 });
    assert.equal(r.exitCode, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^error: baseline: packages [^\\n]*${MISSING}[^:\\n]*: \`apt-get install [^\`]*${MISSING}[^\`]*\` failed with exit code 100:`, 'm'));
    assert.match(r.stderr, new RegExp(`E: Unable to locate package ${MISSING}`));
    assert.match(r.stderr, /^ {2}fix: the package is not in the configured apt sources/m);
    assert.match(r.stdout, /^Summary: \d+ changed, \d+ unchanged, \d+ skipped, 1 failed/m);
    const log = await expectPhanes(host, ['log', '--module', 'baseline']);
    assert.match(log, new RegExp(`baseline: FAILED package ${MISSING}: \`apt-get install[^\\n]*\\n[\\s\\S]*Unable to locate package ${MISSING}`));
    assert.match(log, /run FAILED/);
    assert.equal(await installed(host, 'hello'), false, 'apt installs nothing when one package of the call is missing');
  });

  it('converges on the next apply once the config names packages that exist', async () => {
    await writeConfig(host, withPackages('hello'));
    await expectPhanes(host, APPLY);
    assert.equal((await host.exec(['hello'])).stdout.trim(), 'Hello, world!');
    assert.equal(summaryOf(await expectPhanes(host, APPLY)).changed, 0);
  });

  it('stops at a broken apt source with the file named and a fix, and converges once it is removed', async () => {
    await host.writeFile(BROKEN, 'deb [this is not a source\n');
    await writeConfig(host, withPackages('hello', 'tree'));
    const r = await phanes(host, APPLY, { reject: false, timeoutMs: 600_000 });
    assert.equal(r.exitCode, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /^error: baseline: package tree: `apt-get install [^`]*tree` failed with exit code 100:/m);
    assert.match(r.stderr, new RegExp(`Malformed entry 1 in list file ${BROKEN}`));
    assert.match(r.stderr, /^ {2}fix: an apt source file is broken/m);
    assert.match(await expectPhanes(host, ['log', '--module', 'baseline']), /baseline: FAILED package tree: [\s\S]*Malformed entry/);
    await host.exec(['rm', BROKEN]);
    await expectPhanes(host, APPLY);
    assert.equal(await installed(host, 'tree'), true);
  });

  it('waits for a dpkg lock another process holds, refuses a second apply naming the first, and goes on once the lock is released', async () => {
    await writeConfig(host, withPackages('hello', 'tree', 'pv'));
    const holder = await holdDpkgLock(host);
    let first: Promise<unknown> | undefined;
    try {
      first = host.exec(['sh', '-c', `${['/usr/local/bin/phanes', ...APPLY].join(' ')} >/root/first.out 2>/root/first.err; echo $? >/root/first.rc`], { env: { NO_COLOR: '1' }, timeoutMs: 300_000 });
      const waiting = await waitFor('the first apply to say it waits for the dpkg lock', 120_000, async () => {
        const err = (await host.exec(['cat', '/root/first.err'], { reject: false })).stdout;
        return /waiting for/.test(err) ? err : undefined;
      });
      assert.match(waiting, new RegExp(`^warning: waiting for /var/lib/dpkg/lock-frontend, held by process ${holder.pid} \\(perl\\) \\(\`apt-get install\`\\): up to \\d+(m|s) more \\(--lock-timeout\\)`, 'm'));
      const lock = JSON.parse(await host.readFile('/var/lib/phanes/lock')) as { pid: number; startedAt: string };
      const second = await phanes(host, APPLY, { reject: false, timeoutMs: 120_000 });
      assert.equal(second.exitCode, 1, second.stdout);
      assert.match(second.stderr, new RegExp(`^error: another Phanes run holds the state lock /var/lib/phanes/lock: pid ${lock.pid} \\(phanes apply\\) on \\S+ since ${lock.startedAt.replace(/\./g, '\\.')}`, 'm'));
    } finally {
      await holder.release();
      await first;
    }
    assert.equal((await host.readFile('/root/first.rc')).trim(), '0', await host.readFile('/root/first.err'));
    assert.equal(await installed(host, 'pv'), true);
  });

  it('gives up at --lock-timeout with the holder named, and the next apply converges', async () => {
    await writeConfig(host, withPackages('hello', 'tree', 'pv', 'jq'));
    const holder = await holdDpkgLock(host);
    let r;
    try {
      r = await phanes(host, [...APPLY, '--lock-timeout', '5s'], { reject: false, timeoutMs: 180_000 });
    } finally {
      await holder.release();
    }
    assert.equal(r.exitCode, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`^warning: waiting for /var/lib/dpkg/lock-frontend, held by process ${holder.pid} \\(perl\\)`, 'm'));
    assert.match(r.stderr, new RegExp(`^error: baseline: package jq: gave up waiting for /var/lib/dpkg/lock-frontend, held by process ${holder.pid} \\(perl\\) after 5s \\(--lock-timeout\\)`, 'm'));
    assert.equal(await installed(host, 'jq'), false);
    await expectPhanes(host, APPLY);
    assert.equal(await installed(host, 'jq'), true);
  });

  it('takes over a lock left by a process that no longer runs, with a warning', async () => {
    const dead = Number((await host.exec(['sh', '-c', 'echo $$'])).stdout.trim());
    const hostname = (await host.exec(['hostname'])).stdout.trim();
    const startedAt = new Date().toISOString();
    await host.writeFile('/var/lib/phanes/lock', `${JSON.stringify({ pid: dead, hostname, startedAt, command: 'apply' })}\n`, 0o600);
    const r = await phanes(host, APPLY, { reject: false, timeoutMs: 300_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^warning: recovered a stale lock /var/lib/phanes/lock: pid ${dead} \\(phanes apply, since ${startedAt.replace(/\./g, '\\.')}\\) is no longer running`, 'm'));
    assert.equal((await host.exec(['test', '-e', '/var/lib/phanes/lock'], { reject: false })).exitCode, 1, 'the run released its lock');
  });

  it('accepts --lock-timeout on plan', async () => {
    assert.equal(summaryOf(await expectPhanes(host, ['plan', '--modules', 'baseline', '--config', '/root/config.yaml', '--lock-timeout', '90s'])).changed, 0);
  });
});
