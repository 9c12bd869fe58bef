import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostError, LockedError } from '../../src/errors.js';
import { AptLockHost, lockHolder, parseDuration } from '../../src/host/apt-lock.js';
import type { RunOptions, RunResult } from '../../src/host/host.js';
import { MemoryHost } from './support/memory-host.js';

const APT_LOCKED = 'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)\n'
  + 'N: Be aware that removing the lock file is not a solution and may break your system.\n'
  + 'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?\n';
const DPKG_LOCKED = 'dpkg: error: dpkg frontend lock was locked by another process with pid 4242\nNote: removing the lock file is always wrong, and can end up damaging the\n';
// What a SIGKILL in the middle of dpkg unpacking perl-base left on a booted host (seed 915514735).
const HALF_INSTALLED = 'The following packages are only half installed, due to problems during\ninstallation.  The installation can probably be completed by retrying it;\nthe packages can be removed using dselect or dpkg --remove:\n perl-base            minimal Perl system\n';
// What a SIGKILL inside liblzma5's unpack left (CI seed 1787548243): unpacked, with dpkg's reinstall-required flag.
const REINSTREQ = 'The following packages are in a mess due to serious problems during\ninstallation.  They must be reinstalled for them (and any other packages\nthat depend on them) to function properly:\n liblzma5:amd64       XZ-format compression library\n';
const HALF_CONFIGURED = 'The following packages are only half configured, probably due to problems\nconfiguring them the first time.  The configuration should be retried using\ndpkg --configure <package> or the configure menu option in dselect:\n fail2ban             ban hosts that cause multiple authentication errors\n';

/** A host whose apt and dpkg answer from a script: the lock is taken for the first `lockedFor` calls. */
class AptHost extends MemoryHost {
  lockedFor = 0;
  audit = '';
  override async query(argv: readonly string[], o?: RunOptions): Promise<RunResult> {
    if (argv.join(' ') === 'dpkg --audit') return { stdout: this.audit, stderr: '', exitCode: 0 };
    if (argv[0] === 'dpkg-query') return { stdout: this.audit === HALF_INSTALLED ? 'installed ok bash\nhalf-installed ok perl-base\n' : this.audit === REINSTREQ ? 'installed ok bash\nunpacked reinstreq liblzma5:amd64\n' : 'installed ok bash\n', stderr: '', exitCode: 0 };
    if (argv[0] === 'apt-get' && argv[1] === 'check') return { stdout: '', stderr: '', exitCode: 0 };
    return super.query(argv, o);
  }
  override async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    if (this.lockedFor > 0 && ['apt-get', 'dpkg'].includes(argv[0] ?? '')) {
      this.lockedFor--;
      this.runs.push(argv.join(' '));
      return { stdout: '', stderr: argv[0] === 'dpkg' ? DPKG_LOCKED : APT_LOCKED, exitCode: argv[0] === 'dpkg' ? 2 : 100 };
    }
    // configure cannot finish a half-installed package; unpacking it again can.
    if (argv.join(' ').startsWith('dpkg --configure -a') && this.audit !== HALF_INSTALLED && this.audit !== REINSTREQ) this.audit = '';
    if (argv.includes('--reinstall')) this.audit = '';
    return super.run(argv, options);
  }
}

const guarded = (inner: AptHost, timeoutMs = 5000): { host: AptLockHost; said: string[] } => {
  const said: string[] = [];
  return { host: new AptLockHost(inner, { timeoutMs, pollMs: 5, say: (m) => said.push(m) }), said };
};

describe('the dpkg lock wait', () => {
  it('names the lock and its holder from what apt and dpkg print', () => {
    assert.equal(lockHolder(APT_LOCKED), '/var/lib/dpkg/lock-frontend, held by process 4242 (unattended-upgr)');
    assert.equal(lockHolder(DPKG_LOCKED), "dpkg's lock, held by process 4242");
  });

  it('reads --lock-timeout as seconds or with a unit, and refuses anything else', () => {
    assert.deepEqual(['10m', '90s', '1h', '45', '1.5m'].map(parseDuration), [600_000, 90_000, 3_600_000, 45_000, 90_000]);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration('-5s'), undefined);
  });

  it('tries an apt command again while another process holds the lock, says so once, then runs it', async () => {
    const inner = new AptHost();
    inner.lockedFor = 3;
    const { host, said } = guarded(inner);
    const r = await host.run(['apt-get', 'install', '-y', 'jq']);
    assert.equal(r.exitCode, 0);
    assert.equal(inner.runs.filter((c) => c === 'apt-get install -y jq').length, 4);
    assert.equal(said.length, 1);
    assert.match(said[0]!, /^waiting for \/var\/lib\/dpkg\/lock-frontend, held by process 4242 \(unattended-upgr\) \(`apt-get install`\): up to 5s more \(--lock-timeout\)$/);
  });

  it('gives up at the timeout with the holder named, without running the command', async () => {
    const inner = new AptHost();
    inner.lockedFor = 1000;
    const { host } = guarded(inner, 30);
    await assert.rejects(host.run(['dpkg', '-i', 'x.deb']), (e: unknown) => e instanceof LockedError
      && /^gave up waiting for dpkg's lock, held by process 4242 after 0s \(--lock-timeout\); `dpkg -i x.deb` did not run$/.test(e.message)
      && /raise --lock-timeout/.test(e.suggestion ?? ''));
  });

  it('fails once, with the command and a fix, on an apt error that is not a lock', async () => {
    const inner = new AptHost();
    inner.failing = [/^apt-get install/];
    const { host } = guarded(inner);
    await assert.rejects(host.run(['apt-get', 'install', '-y', 'nope']), (e: unknown) => e instanceof HostError && e.command === 'apt-get install -y nope');
    assert.equal(inner.runs.length, 1);
  });

  it('leaves commands that are not apt or dpkg alone', async () => {
    const inner = new AptHost();
    inner.lockedFor = 5;
    const { host } = guarded(inner);
    await host.run(['systemctl', 'restart', 'ssh']);
    assert.deepEqual(inner.runs, ['systemctl restart ssh']);
  });

  it('finishes a dpkg a crash interrupted before the first apt command of the run, once', async () => {
    const inner = new AptHost();
    inner.audit = HALF_CONFIGURED;
    const { host, said } = guarded(inner);
    await host.run(['apt-get', 'install', '-y', 'jq']);
    await host.run(['apt-get', 'install', '-y', 'pv']);
    assert.deepEqual(inner.runs, ['dpkg --configure -a --force-confdef --force-confold', 'apt-get install -y jq', 'apt-get install -y pv']);
    assert.match(said[0]!, /^dpkg was interrupted .* left fail2ban half-done: running `dpkg --configure -a`/);
  });

  it('unpacks again a package whose unpack a kill cut short, which dpkg --configure -a cannot finish', async () => {
    const inner = new AptHost();
    inner.audit = HALF_INSTALLED;
    const { host, said } = guarded(inner);
    await host.run(['apt-get', 'install', '-y', 'jq']);
    assert.deepEqual(inner.runs, [
      'dpkg --configure -a --force-confdef --force-confold',
      'apt-get install -f --reinstall -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -o APT::Install-Recommends=false perl-base',
      'dpkg --configure -a --force-confdef --force-confold',
      'apt-get install -y jq',
    ]);
    assert.match(said[1]!, /running `apt-get install -f --reinstall perl-base`$/);
  });

  it('unpacks again a package dpkg marked reinstall-required, in its multiarch name', async () => {
    const inner = new AptHost();
    inner.audit = REINSTREQ;
    const { host, said } = guarded(inner);
    await host.run(['apt-get', 'install', '-y', 'jq']);
    assert.equal(inner.runs[1], 'apt-get install -f --reinstall -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -o APT::Install-Recommends=false liblzma5:amd64');
    assert.equal(inner.runs.at(-1), 'apt-get install -y jq');
    assert.match(said[1]!, /running `apt-get install -f --reinstall liblzma5:amd64`$/);
  });
});
