// Issue 9: a way to root survives hardening. A key-only user gets NOPASSWD sudo by default (the minimal
// profile scenario proves that over SSH on both suites); here, on one bookworm host: a user with a
// password hash needs that password for sudo, the hash never shows up, rollback puts the previous
// password back, and a config that would leave nobody able to become root is refused with no change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { bootHost, config as lab, installPhanes, phanes, type LabHost } from './harness/index.js';
import { sshFrom } from './security-lab.js';
import { expectPhanes, makeLoginKey, writeConfig, type LoginKey } from './support.js';

const USER = 'deploy';
const RIGHT = 'correct horse battery staple';
const OLD = 'the password deploy had before';
const MODULES = ['--modules', 'baseline,user,security'];
const APPLY = ['apply', ...MODULES, '--config', '/root/config.yaml'];

/** dpkg selections and the sha256 of every file under /etc: what "nothing changed" means. */
async function hostSnapshot(host: LabHost): Promise<string> {
  const { stdout } = await host.exec('dpkg --get-selections; find /etc -xdev -type f -print0 | sort -z | xargs -0 sha256sum; getent passwd; getent group');
  return stdout;
}

async function cryptHash(password: string): Promise<string> {
  return (await execa('openssl', ['passwd', '-6', '-stdin'], { input: password })).stdout.trim();
}

/** `sudo -S` over SSH as the login user, the password on stdin; exit code of sudo. */
async function sudoWith(host: LabHost, key: LoginKey, password: string): Promise<number> {
  const r = await sshFrom(host, USER, key.privatePath, `printf '%s\\n' '${password}' | sudo -S -k -p '' true`);
  return r.exitCode ?? -1;
}

describe('a way to root after hardening, on bookworm', { concurrency: 1 }, () => {
  let host: LabHost;
  let key: LoginKey;
  let hash: string;
  let outputs = '';

  before(async () => {
    key = await makeLoginKey();
    hash = await cryptHash(RIGHT);
    host = await bootHost({ suite: 'bookworm', name: 'sudo-bookworm' });
    await installPhanes(host);
    // deploy exists with a password of its own, so rollback has one to put back.
    await host.exec(['useradd', '--create-home', '--shell', '/bin/bash', USER]);
    await host.exec(['chpasswd', '--crypt-method', 'SHA512'], { input: `${USER}:${OLD}\n` });
  });
  after(async () => {
    await host?.down();
    key?.cleanup();
  });

  it('refuses sudo_nopasswd: false for a user without a password, naming the lockout, and changes nothing', async () => {
    await host.exec(['passwd', '--delete', USER]);
    await host.exec(['usermod', '--lock', USER]);
    await writeConfig(host, `username: ${USER}\nssh_public_key: "${key.publicLine}"\nuser:\n  sudo_nopasswd: false\n`);
    const before = await hostSnapshot(host);
    const r = await phanes(host, APPLY, { reject: false });
    const out = `${r.stdout}\n${r.stderr}`.replace(/\s+/g, ' ');
    assert.equal(r.exitCode, 1, out);
    assert.match(out, /user\.sudo_nopasswd is false, so sudo would ask deploy for a password, but deploy has no password/);
    assert.match(out, /set user\.sudo_nopasswd: auto/);
    assert.match(out, /user\.password_hash/);
    assert.match(out, /nothing was changed/);
    assert.equal(await hostSnapshot(host), before, 'dpkg selections or /etc changed');
    assert.equal((await host.exec(['test', '-e', '/var/lib/phanes'], { reject: false })).exitCode, 1, '/var/lib/phanes was written');
    await host.exec(['chpasswd', '--crypt-method', 'SHA512'], { input: `${USER}:${OLD}\n` });
  });

  it('sets the password from user.password_hash; sudo asks for it and accepts only the right one over SSH', async () => {
    await writeConfig(host, `username: ${USER}\nssh_public_key: "${key.publicLine}"\nuser:\n  sudo_nopasswd: false\n  password_hash: "${hash}"\n`);
    const plan = await expectPhanes(host, ['plan', ...MODULES, '--config', '/root/config.yaml']);
    assert.match(plan, /^Services this run would touch: .*\bssh \(reload\)/m, 'plan names the disruption before apply');
    outputs += plan;
    outputs += await expectPhanes(host, APPLY);
    assert.match(outputs, /user deploy: .*change password/);
    assert.match(await host.readFile(`/etc/sudoers.d/phanes-${USER}`), /^deploy ALL=\(ALL:ALL\) ALL$/m);
    assert.equal(await sudoWith(host, key, RIGHT), 0, 'the right password is accepted');
    assert.notEqual(await sudoWith(host, key, 'wrong password'), 0, 'a wrong password is refused');
    const nopass = await sshFrom(host, USER, key.privatePath, 'sudo -n true');
    assert.notEqual(nopass.exitCode, 0, 'sudo -n must need the password');
  });

  it('refuses root and password logins over SSH', async () => {
    const root = await sshFrom(host, 'root', lab.sshKey);
    assert.equal(root.exitCode, 255);
    assert.match(root.stderr, /Permission denied \(publickey\)/);
    const pw = await execa('ssh', ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'PubkeyAuthentication=no',
      '-o', 'PreferredAuthentications=password,keyboard-interactive', `${USER}@${host.address}`, 'true'], { reject: false, timeout: 60_000 });
    assert.equal(pw.exitCode, 255);
    assert.match(pw.stderr, /Permission denied \(publickey\)/);
  });

  it('turns NOPASSWD on when sudo_nopasswd becomes true, in the drop-in only', async () => {
    await writeConfig(host, `username: ${USER}\nssh_public_key: "${key.publicLine}"\nuser:\n  sudo_nopasswd: true\n  password_hash: "${hash}"\n`);
    const PLAN_CI = ['plan', ...MODULES, '--config', '/root/config.yaml', '--detailed-exitcode'];
    await expectPhanes(host, PLAN_CI, 2);
    const out = await expectPhanes(host, APPLY);
    outputs += out;
    assert.match(out, /^Summary: 1 changed/m);
    await expectPhanes(host, PLAN_CI, 0);
    assert.equal((await sshFrom(host, USER, key.privatePath, 'sudo -n true')).exitCode, 0);
  });

  it('never shows or journals the hash: state dir, plan, apply, status, diff and log', async () => {
    for (const args of [['status'], ['status', '--json'], ['diff'], ['log'], ['log', '--json'], ['plan', ...MODULES, '--config', '/root/config.yaml', '--json']]) {
      const r = await phanes(host, args, { reject: false });
      outputs += `${r.stdout}\n${r.stderr}`;
    }
    const salt = hash.split('$')[2]!;
    assert.ok(!outputs.includes(hash) && !outputs.includes(salt), 'the hash or its salt appears in output');
    const grep = await host.exec(['grep', '-rlF', '-e', hash, '-e', salt, '/var/lib/phanes'], { reject: false });
    assert.equal(grep.stdout, '', `the hash is in ${grep.stdout}`);
  });

  it('names a package upgrade as the cause when dpkg rewrites a managed conffile, and apply repairs it', async () => {
    // /etc/issue is a base-files conffile that the security module's hardening writes (the banner).
    await host.exec('apt-get install -y -q --reinstall -o Dpkg::Options::=--force-confask -o Dpkg::Options::=--force-confnew base-files', { timeoutMs: 600_000 });
    const status = await expectPhanes(host, ['status'], 2);
    assert.match(status, /drift security file \/etc\/issue\n/);
    assert.match(status, /cause: changed by a package upgrade \(base-files \S+ → \S+, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)/);
    // dpkg logs whole seconds and Phanes allows 2 s of slack: an edit in the same instant would read as dpkg's.
    await host.exec(['sh', '-c', 'sleep 3 && echo tampered >> /etc/issue.net']);
    assert.match(await expectPhanes(host, ['status'], 2), /file \/etc\/issue\.net\n(?: {4}.*\n)*? {4}cause: changed outside Phanes \(modified \d{4}-/);
    await expectPhanes(host, APPLY);
    await expectPhanes(host, ['status'], 0);
  });

  it('moves ssh to 2222 and prunes the rule for 22 that the config no longer declares; the key logs in on 2222', async () => {
    await writeConfig(host, `username: ${USER}\nssh_public_key: "${key.publicLine}"\nsecurity:\n  ssh_port: 2222\nuser:\n  sudo_nopasswd: true\n  password_hash: "${hash}"\n`);
    const plan = await expectPhanes(host, ['plan', ...MODULES, '--config', '/root/config.yaml']);
    assert.match(plan, /ufw allow 22\/tcp: revert \(no longer in the config\)/);
    await expectPhanes(host, APPLY);
    const { stdout } = await host.exec(['ufw', 'status']);
    assert.match(stdout, /^2222\/tcp\s+ALLOW\s/m);
    assert.doesNotMatch(stdout, /^22\/tcp\s/m, `a rule for 22 is left:\n${stdout}`);
    const r = await sshFrom(host, USER, key.privatePath, 'id -un', 2222);
    assert.equal(r.stdout.trim(), USER, r.stderr);
    assert.match(await expectPhanes(host, APPLY), /^Summary: 0 changed/m);
  });

  it('rolls user back: the previous password and no sudoers drop-in', async () => {
    const shadowBefore = (await host.exec(['getent', 'shadow', USER])).stdout;
    assert.ok(shadowBefore.includes(hash));
    await expectPhanes(host, ['rollback', 'user']);
    assert.equal((await host.exec(['test', '-e', `/etc/sudoers.d/phanes-${USER}`], { reject: false })).exitCode, 1);
    const field = (await host.exec(['getent', 'shadow', USER])).stdout.split(':')[1]!;
    // Set with SHA512 above, so openssl's crypt of the old password under the same salt must match it.
    const same = (await execa('openssl', ['passwd', '-6', '-salt', field.split('$')[2]!, '-stdin'], { input: OLD })).stdout.trim() === field;
    assert.ok(same, `the password field after rollback is not the old password's: ${field.slice(0, 3)}…`);
  });
});
