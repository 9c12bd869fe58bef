// Issue 4, items 1 and 2: sshd hardening and lockout safety on booted bookworm and trixie hosts.
// bookworm keeps port 22, trixie moves to 2222 (and back on rollback). ssh-audit runs from this
// machine (Debian 12's 2.5.0) and from a trixie lab host (3.3.0, which knows OpenSSH 10 and mlkem768).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { bootHost, config as lab, installPhanes, phanes, type LabHost, type Suite } from './harness/index.js';
import { expectPhanes, makeLoginKey, summaryOf, writeConfig, type LoginKey } from './support.js';

const USER = 'alice';
const PORT: Record<Suite, number> = { bookworm: 22, trixie: 2222 };
const KEX: Record<Suite, string> = {
  bookworm: 'sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org',
  trixie: 'mlkem768x25519-sha256,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org',
};
/** Warnings ssh-audit may give: Debian's Terrapin marker unknown to 2.5.0, sntrup761 called experimental by 2.5.0. */
const ALLOWED_WARNINGS = ['(kex) kex-strict-s-v00@openssh.com -- [warn] unknown algorithm', '(kex) sntrup761x25519-sha512@openssh.com -- [warn] using experimental algorithm'];
/** 2.5.0 predates OpenSSH 9.9: it calls mlkem768x25519 unknown (3.3.0 below knows it and has no warning). */
const MLKEM_UNKNOWN_TO_2_5 = '(kex) mlkem768x25519-sha256 -- [warn] unknown algorithm';

const yaml = (o: { key?: string; port?: number; ufw?: boolean }): string => [
  `username: ${USER}`,
  `ssh_public_key: "${o.key ?? ''}"`,
  'security:',
  `  ssh_port: ${o.port ?? 22}`,
  ...(o.ufw === false ? ['  ufw:', '    enabled: false'] : []),
  '',
].join('\n');

/** ssh from this machine to the host, on a port, with a key; never prompts. */
function sshFrom(host: LabHost, user: string, opts: { key?: string; port: number; extra?: string[] }, cmd = 'id -un') {
  return execa('ssh', [
    ...(opts.key ? ['-i', opts.key, '-o', 'IdentitiesOnly=yes'] : []), '-p', String(opts.port),
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR',
    ...(opts.extra ?? []), `${user}@${host.address}`, cmd,
  ], { reject: false, timeout: 60_000 });
}

/** sha256 of every file under /etc/ssh, by path: a new, removed or changed file all show. */
async function etcSsh(host: LabHost): Promise<string> {
  return (await host.exec('find /etc/ssh -type f -print0 | sort -z | xargs -0 sha256sum')).stdout;
}

/** The [fail] and [warn] lines of `ssh-audit -b -n` output, CVE lines aside (see the trixie note). */
function findings(out: string, level: 'fail' | 'warn'): string[] {
  return out.split('\n').map((l) => l.trim()).filter((l) => l.includes(`[${level}]`));
}

/** What a refused run must leave: exit 1, the message, no state dir, /etc/ssh as it was. */
async function expectRefused(host: LabHost, args: string[], message: string, stateDir: string, sshBefore: string): Promise<void> {
  const r = await phanes(host, [...args, '--state-dir', stateDir], { reject: false });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.exitCode, 1, out);
  assert.ok(out.replace(/\s+/g, ' ').includes(message), `expected the message\n  ${message}\nin:\n${out}`);
  assert.match(out, /nothing was changed/);
  assert.equal((await host.exec(['test', '-e', stateDir], { reject: false })).exitCode, 1, `${stateDir} was written`);
  assert.equal(await etcSsh(host), sshBefore, '/etc/ssh changed');
}

describe('sshd hardening on real hosts', { concurrency: 2 }, () => {
  let auditor: LabHost;
  before(async () => {
    auditor = await bootHost({ suite: 'trixie', name: 'ssh-auditor' });
    await auditor.exec('apt-get update -q && apt-get install -y -q --no-install-recommends ssh-audit', { timeoutMs: 600_000 });
  });
  after(() => auditor?.down());

  for (const suite of ['bookworm', 'trixie'] as Suite[]) {
    const port = PORT[suite];
    describe(`on ${suite}, ssh port ${port}`, { concurrency: 1 }, () => {
      let host: LabHost;
      let key: LoginKey;
      let sshBefore: string;
      const apply = ['apply', '--modules', 'baseline,user,security', '--config', '/root/config.yaml'];

      before(async () => {
        key = await makeLoginKey();
        host = await bootHost({ suite, name: `ssh-${suite}` });
        await installPhanes(host);
        await writeConfig(host, yaml({ key: key.publicLine, port }));
        await writeConfig(host, yaml({ port }), '/root/nokey.yaml');
        sshBefore = await etcSsh(host);
      });
      after(async () => {
        await host?.down();
        key?.cleanup();
      });

      it('refuses to turn password login off without a key, before any change', async () => {
        await expectRefused(host, ['apply', '--modules', 'baseline,user,security', '--config', '/root/nokey.yaml'],
          `security.allow_password_auth is false, so SSH password login would be turned off, but no SSH key is configured for ${USER}: nobody could log in.`, '/var/lib/phanes', sshBefore);
      });

      it('refuses to turn root login off when the user does not exist and the user module is not in the run', async () => {
        await expectRefused(host, ['apply', '--modules', 'security', '--config', '/root/config.yaml'],
          `security turns off root login over SSH, but the user ${USER} does not exist on this host and the user module is not in this run`, '/var/lib/phanes', sshBefore);
      });

      it('applies baseline, user and security', async () => {
        const out = await expectPhanes(host, apply);
        assert.equal(summaryOf(out).failed, 0);
        assert.match(out, /file \/etc\/ssh\/sshd_config\.d\/00-phanes-hardening\.conf: create/);
        assert.match(out, /moduli \/etc\/ssh\/moduli: remove \d+ moduli under 3072 bits/);
        assert.match(out, /service ssh: reload/);
      });

      it('makes sshd -T show every hardened setting for the user', async () => {
        const { stdout } = await host.exec(['sshd', '-T', '-C', `user=${USER},host=x,addr=1.2.3.4`]);
        const want = [
          `port ${port}`, 'permitrootlogin no', 'passwordauthentication no', 'kbdinteractiveauthentication no', 'authenticationmethods publickey',
          'pubkeyauthentication yes', 'permitemptypasswords no', 'maxauthtries 3', 'logingracetime 30', 'maxsessions 2',
          'x11forwarding no', 'allowagentforwarding no', 'allowtcpforwarding no', 'allowstreamlocalforwarding no', 'permittunnel no', 'gatewayports no',
          'clientaliveinterval 300', 'clientalivecountmax 3', 'loglevel VERBOSE', `kexalgorithms ${KEX[suite]}`,
          'ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com',
          'macs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com',
          'hostkeyalgorithms ssh-ed25519,ssh-ed25519-cert-v01@openssh.com', 'hostkey /etc/ssh/ssh_host_ed25519_key',
        ];
        const lines = stdout.split('\n');
        assert.deepEqual(want.filter((w) => !lines.includes(w)), [], stdout);
        assert.deepEqual(lines.filter((l) => l.startsWith('hostkey ')), ['hostkey /etc/ssh/ssh_host_ed25519_key']);
        assert.match(stdout, /^pubkeyacceptedalgorithms ssh-ed25519,/m);
      });

      it('listens on the port and no longer on the old one', async () => {
        const { stdout } = await host.exec(['ss', '-Htln']);
        assert.match(stdout, new RegExp(`:${port}\\s`));
        if (port !== 22) assert.doesNotMatch(stdout, /:22\s/);
      });

      it('leaves no moduli group under 3072 bits', async () => {
        const { stdout } = await host.exec(['awk', '$1 !~ /^#/ && NF >= 7 { n++; if ($5 < 3071) small++ } END { print n + 0, small + 0 }', '/etc/ssh/moduli']);
        const [groups, small] = stdout.trim().split(' ').map(Number);
        assert.ok(groups! > 100, `only ${groups} groups left`);
        assert.equal(small, 0);
      });

      it('lets the user log in with the key after hardening', async () => {
        const r = await sshFrom(host, USER, { key: key.privatePath, port });
        assert.equal(r.exitCode, 0, r.stderr);
        assert.equal(r.stdout.trim(), USER);
      });

      it('offers only the public key method, so a password is never asked', async () => {
        const r = await sshFrom(host, USER, { port, extra: ['-o', 'PreferredAuthentications=none,password', '-o', 'PubkeyAuthentication=no'] });
        assert.equal(r.exitCode, 255);
        assert.match(r.stderr, /Permission denied \(publickey\)\./);
      });

      it('refuses root, even with the key that let root in before', async () => {
        const r = await sshFrom(host, 'root', { key: lab.sshKey, port });
        assert.equal(r.exitCode, 255);
        assert.match(r.stderr, /Permission denied \(publickey\)/);
      });

      it(`has no ssh-audit failure from this machine's ssh-audit, and only the known warnings`, async () => {
        const r = await execa('ssh-audit', ['-b', '-n', '-p', String(port), host.address], { reject: false });
        // 2.5.0 compares versions as text: OpenSSH 10.0 sorts below 2.x and gets CVEs of 2000-2018 listed.
        // They are not about this server, so trixie's CVE lines are left to the 3.3.0 audit below.
        const algorithmLines = r.stdout.split('\n').filter((l) => !l.startsWith('(cve)')).join('\n');
        console.log(`[e2e] ${suite}: ssh-audit 2.5.0: ${findings(algorithmLines, 'fail').length} fail, ${findings(algorithmLines, 'warn').length} warn`);
        assert.deepEqual(findings(algorithmLines, 'fail'), [], r.stdout);
        const allowed = suite === 'trixie' ? [...ALLOWED_WARNINGS, MLKEM_UNKNOWN_TO_2_5] : ALLOWED_WARNINGS;
        assert.deepEqual(findings(algorithmLines, 'warn').filter((w) => !allowed.includes(w)), [], r.stdout);
        if (suite === 'bookworm') assert.doesNotMatch(r.stdout, /^\(cve\)/m);
        assert.match(r.stdout, /\(key\) ssh-ed25519/);
        assert.doesNotMatch(r.stdout, /\(key\) (ecdsa|rsa|ssh-rsa)/);
      });

      it('has no ssh-audit failure and no unexpected warning from a trixie host running ssh-audit 3.3', async () => {
        const r = await auditor.exec(['ssh-audit', '-n', '-p', String(port), host.address], { reject: false });
        const fails = findings(r.stdout, 'fail');
        const warns = findings(r.stdout, 'warn');
        console.log(`[e2e] ${suite}: ssh-audit 3.3 from ${auditor.name}: ${fails.length} fail, ${warns.length} warn`);
        assert.match(r.stdout, /\(gen\) software: OpenSSH/, r.stdout + r.stderr);
        assert.deepEqual(fails, [], r.stdout);
        assert.deepEqual(warns.filter((w) => !ALLOWED_WARNINGS.some((a) => w.replace(/\s+/g, ' ').includes(a.split(' -- ')[0]!))), [], r.stdout);
      });

      it('changes nothing on a second apply, and status sees no drift', async () => {
        const out = await expectPhanes(host, apply);
        assert.match(out, /^Summary: 0 changed/m, out);
        await expectPhanes(host, ['status'], 0);
      });

      it('rolls security back to the /etc/ssh it found, byte for byte, and the key login still works', async () => {
        const out = await expectPhanes(host, ['rollback', 'security']);
        assert.match(out, /moduli \/etc\/ssh\/moduli/);
        assert.equal(await etcSsh(host), sshBefore);
        const { stdout } = await host.exec(['sshd', '-T', '-C', `user=${USER},host=x,addr=1.2.3.4`]);
        assert.match(stdout, /^port 22$/m);
        assert.match(stdout, /^hostkey \/etc\/ssh\/ssh_host_ecdsa_key$/m, 'the stock host keys are offered again');
        const r = await sshFrom(host, USER, { key: key.privatePath, port: 22 });
        assert.equal(r.exitCode, 0, r.stderr);
        assert.equal(r.stdout.trim(), USER);
      });

      it('fails without reloading sshd, and takes its drop-in back out, when an earlier file overrides a hardened setting', async () => {
        const override = '/etc/ssh/sshd_config.d/00-aaa-override.conf';
        await host.writeFile(override, 'PasswordAuthentication yes\n');
        await writeConfig(host, yaml({ key: key.publicLine, ufw: false }), '/root/override.yaml');
        const r = await phanes(host, ['apply', '--modules', 'security', '--config', '/root/override.yaml', '--state-dir', '/var/lib/phanes-override'], { reject: false });
        const out = `${r.stdout}\n${r.stderr}`;
        assert.equal(r.exitCode, 1, out);
        assert.match(out, /sshd does not use 'passwordauthentication no' \(it has: passwordauthentication yes \)/);
        assert.equal((await host.exec(['test', '-e', '/etc/ssh/sshd_config.d/00-phanes-hardening.conf'], { reject: false })).exitCode, 1, 'the drop-in was put back (absent)');
        assert.doesNotMatch(out, /service ssh: reload/);
        await host.exec(['rm', override]);
        const login = await sshFrom(host, USER, { key: key.privatePath, port: 22 });
        assert.equal(login.exitCode, 0, login.stderr);
      });

      it('refuses a port change that an active ufw it does not manage would block, before any change', async () => {
        await host.exec('apt-get install -y -q --no-install-recommends ufw >/dev/null && ufw allow 22/tcp && ufw --force enable', { timeoutMs: 600_000 });
        await writeConfig(host, yaml({ key: key.publicLine, port: 2200, ufw: false }), '/root/port.yaml');
        const before = await etcSsh(host);
        const ufwBefore = (await host.exec(['ufw', 'status', 'verbose'])).stdout;
        await expectRefused(host, ['apply', '--modules', 'baseline,user,security', '--config', '/root/port.yaml'],
          'security.ssh_port is 2200 (sshd listens on 22 now), but ufw is active on this host and does not allow 2200/tcp, and security.ufw.enabled is false', '/var/lib/phanes-port', before);
        assert.equal((await host.exec(['ufw', 'status', 'verbose'])).stdout, ufwBefore);
      });
    });
  }
});
