// Issue 3: baseline and user on booted bookworm and trixie hosts, through apply, idempotence, drift,
// repair, rollback and the audit log, with the artifact users get.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootHost, installPhanes, phanes, type LabHost, type Suite } from './harness/index.js';
import { expectPhanes, fingerprints, makeLoginKey, summaryOf, writeConfig, type LoginKey } from './support.js';

const USER = 'alice';
const ZONE = 'Europe/Berlin';
const LOCALE = 'en_GB.UTF-8';
// What user rollback must put back exactly as it found it.
const BASELINE_FILES = ['/etc/localtime', '/etc/timezone', '/etc/locale.gen', '/etc/default/locale'];
const RESTORED = ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow', '/etc/subuid', '/etc/subgid', `/etc/sudoers.d/phanes-${USER}`, `/home/${USER}/.ssh/authorized_keys`];

describe('baseline and user on real hosts', { concurrency: 2 }, () => {
  for (const suite of ['bookworm', 'trixie'] as Suite[]) {
    describe(`on ${suite}`, { concurrency: 1 }, () => {
      let host: LabHost;
      let key: LoginKey;
      let original: Record<string, string>;
      let baselineOriginal: Record<string, string>;
      let packagesBefore: string;
      const apply = ['apply', '--modules', 'baseline,user', '--config', '/root/config.yaml'];

      before(async () => {
        key = await makeLoginKey();
        host = await bootHost({ suite, name: `bu-${suite}` });
        await installPhanes(host);
        await writeConfig(host, [
          `username: ${USER}`,
          `ssh_public_key: "${key.publicLine}"`,
          `timezone: ${ZONE}`,
          `locale: ${LOCALE}`,
          'baseline:',
          '  extra_packages: [less]',
          '',
        ].join('\n'));
        original = await fingerprints(host, RESTORED);
        baselineOriginal = await fingerprints(host, BASELINE_FILES);
        packagesBefore = (await host.exec("dpkg-query -W -f='${Package} ${db:Status-Abbrev}\\n' | sort")).stdout;
      });
      after(async () => {
        await host?.down();
        key?.cleanup();
      });

      it('applies baseline and user', async () => {
        const out = await expectPhanes(host, apply);
        assert.equal(summaryOf(out).failed, 0);
        assert.ok(summaryOf(out).changed > 0);
      });

      it('points /etc/localtime at the zone', async () => {
        const { stdout } = await host.exec(['readlink', '/etc/localtime']);
        assert.equal(stdout.trim(), `/usr/share/zoneinfo/${ZONE}`);
        const date = await host.exec(['date', '+%Z']);
        assert.match(date.stdout.trim(), /^CES?T$/);
      });

      it('generates the locale and makes it the default', async () => {
        const { stdout } = await host.exec(['locale', '-a']);
        assert.match(stdout, /^en_GB\.utf8$/m);
        assert.match(await host.readFile('/etc/default/locale'), new RegExp(`^LANG=${LOCALE}$`, 'm'));
      });

      it('installs the base and extra packages', async () => {
        const { stdout } = await host.exec(['dpkg-query', '-W', '-f=${Package} ${db:Status-Abbrev}\n', 'curl', 'gnupg', 'ca-certificates', 'less']);
        for (const p of ['curl', 'gnupg', 'ca-certificates', 'less']) assert.match(stdout, new RegExp(`^${p} ii`, 'm'));
      });

      it('creates the user with its shell and the sudo group', async () => {
        const { stdout } = await host.exec(['getent', 'passwd', USER]);
        assert.match(stdout, new RegExp(`^${USER}:x:\\d+:\\d+::/home/${USER}:/bin/bash$`, 'm'));
        const groups = await host.exec(['id', '-nG', USER]);
        assert.ok(groups.stdout.trim().split(' ').includes('sudo'), groups.stdout);
      });

      it('installs the key in authorized_keys with modes 700/600 and the right owner', async () => {
        assert.equal((await host.readFile(`/home/${USER}/.ssh/authorized_keys`)).trim(), key.publicLine);
        const { stdout } = await host.exec(['stat', '-c', '%a %U:%G %n', `/home/${USER}/.ssh`, `/home/${USER}/.ssh/authorized_keys`]);
        assert.equal(stdout.trim(), `700 ${USER}:${USER} /home/${USER}/.ssh\n600 ${USER}:${USER} /home/${USER}/.ssh/authorized_keys`);
      });

      it('lets the user log in with the key over ssh', async () => {
        const r = await host.ssh('id -un', { user: USER, key: key.privatePath });
        assert.equal(r.stdout.trim(), USER);
      });

      it('gives the user the sudo rule, and sudoers stays valid', async () => {
        const { stdout } = await host.exec(['sudo', '-l', '-U', USER]);
        assert.match(stdout, /\(ALL : ALL\) ALL/);
        await host.exec(['visudo', '-c']);
      });

      it('changes nothing on a second apply', async () => {
        const out = await expectPhanes(host, apply);
        assert.deepEqual(summaryOf(out), { ...summaryOf(out), changed: 0, failed: 0 });
        assert.match(out, /^Summary: 0 changed/m);
      });

      it('reports drift in the timezone, authorized_keys and the sudoers drop-in, with exit 2', async () => {
        await expectPhanes(host, ['status'], 0);
        await host.exec(['ln', '-sf', '/usr/share/zoneinfo/Asia/Tokyo', '/etc/localtime']);
        await host.exec(['sh', '-c', `echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIntruderKeyIntruderKeyIntruderKey0000 intruder' >> /home/${USER}/.ssh/authorized_keys`]);
        await host.exec(['rm', `/etc/sudoers.d/phanes-${USER}`]);
        const out = await expectPhanes(host, ['status'], 2);
        assert.match(out, /drift baseline timezone\n\s+apply would Asia\/Tokyo → Europe\/Berlin/);
        assert.match(out, new RegExp(`drift user file /home/${USER}/\\.ssh/authorized_keys`));
        assert.match(out, /^\s+\+ssh-ed25519 \S+ intruder$/m, 'a diff shows the appended key');
        assert.match(out, new RegExp(`drift user file /etc/sudoers\\.d/phanes-${USER}\\n\\s+apply would create`));
        assert.match(out, /3 drifted/);
      });

      it('repairs the drift with apply, after which status exits 0', async () => {
        const out = await expectPhanes(host, apply);
        assert.equal(summaryOf(out).changed, 3);
        await expectPhanes(host, ['status'], 0);
        assert.doesNotMatch(await host.readFile(`/home/${USER}/.ssh/authorized_keys`), /intruder/);
      });

      it('rolls user back, restoring what it changed byte for byte and keeping the home', async () => {
        const out = await expectPhanes(host, ['rollback', 'user']);
        assert.match(out, new RegExp(`left its home /home/${USER}`));
        const r = await host.exec(['getent', 'passwd', USER], { reject: false });
        assert.equal(r.exitCode, 2, 'the user is gone');
        await host.exec(['test', '-d', `/home/${USER}`]);
        assert.deepEqual(await fingerprints(host, RESTORED), original);
        await host.exec(['visudo', '-c']);
      });

      it('shows apply, repair and rollback in order in the log of the user module', async () => {
        const out = await expectPhanes(host, ['log', '--module', 'user']);
        const at = (re: RegExp): number => out.split('\n').findIndex((l) => re.test(l));
        const firstApply = at(/user: create user alice/);
        const repair = at(/user: repair file \/etc\/sudoers\.d\/phanes-alice/);
        const rollback = at(/rollback started/);
        const undone = at(/user: rollback left user alice/);
        assert.ok(firstApply >= 0 && repair > firstApply && rollback > repair && undone > rollback, out);
        const json = await phanes(host, ['log', '--module', 'user', '--json']);
        assert.equal(JSON.parse(json.stdout.trim().split('\n').at(-1) ?? '{}').type, 'summary');
      });

      it('rolls baseline back: zone, locale files and the packages it installed are as before', async () => {
        await expectPhanes(host, ['rollback', 'baseline']);
        assert.deepEqual(await fingerprints(host, BASELINE_FILES), baselineOriginal);
        const { stdout } = await host.exec(['locale', '-a']);
        assert.doesNotMatch(stdout, /^en_GB\.utf8$/m, 'the generated locale is removed');
        const packages = (await host.exec("dpkg-query -W -f='${Package} ${db:Status-Abbrev}\\n' | sort")).stdout;
        const installed = (text: string): string[] => text.split('\n').filter((l) => / ii $/.test(l)).map((l) => l.split(' ')[0]!);
        const added = installed(packages).filter((p) => !installed(packagesBefore).includes(p));
        assert.ok(!added.includes('less') && !added.includes('curl') && !added.includes('locales'), `still installed: ${added.join(', ')}`);
        await expectPhanes(host, ['status'], 0);
      });
    });
  }
});
