// Issue 4, items 6 and 7: swap and updates on booted bookworm and trixie hosts. The hosts are containers,
// so swap activation must be skipped and reported, and this machine's swap must not move.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { bootHost, installPhanes, machineState, type LabHost, type Suite } from './harness/index.js';
import { expectPhanes, fingerprints, summaryOf, writeConfig } from './support.js';

const MiB = 1024 ** 2;
const APT_CONF = '/etc/apt/apt.conf.d';
const SWAP_LINE = '/swapfile none swap sw 0 0';
/** What an image with unattended-upgrades installed but switched off might carry (trixie starts with it). */
const UPGRADES_OFF = 'APT::Periodic::Update-Package-Lists "0";\nAPT::Periodic::Unattended-Upgrade "0";\n';

const configYaml = (size: string): string => [
  'swap:',
  `  size: ${size}`,
  '  swappiness: 15',
  'updates:',
  '  automatic_reboot: true',
  '  automatic_reboot_time: "04:30"',
  '',
].join('\n');

/** This machine's swap as a user would look at it, plus the kernel's own list and swappiness. */
async function machineSwap(): Promise<string> {
  const show = await execa('swapon', ['--show'], { reject: false });
  const { swaps } = await machineState();
  const { stdout: swappiness } = await execa('cat', ['/proc/sys/vm/swappiness']);
  return `swapon --show: ${show.stdout}\n/proc/swaps: ${swaps}\nvm.swappiness: ${swappiness}`;
}

/** Name and sha256 of every file in apt.conf.d, to prove rollback leaves the directory as it was. */
async function aptConf(host: LabHost): Promise<Record<string, string>> {
  const { stdout } = await host.exec(['ls', '-A', APT_CONF]);
  return fingerprints(host, stdout.split('\n').filter(Boolean).map((f) => `${APT_CONF}/${f}`));
}

describe('swap and updates on real hosts', { concurrency: 2 }, () => {
  for (const suite of ['bookworm', 'trixie'] as Suite[]) {
    // trixie starts with unattended-upgrades installed and switched off, bookworm without it.
    const preinstalled = suite === 'trixie';
    describe(`on ${suite}${preinstalled ? ' with unattended-upgrades installed but off' : ''}`, { concurrency: 1 }, () => {
      let host: LabHost;
      let machineBefore: string;
      let fstabBefore: Record<string, string>;
      let aptConfBefore: Record<string, string>;
      let firstOut: string;
      const apply = ['apply', '--modules', 'baseline,swap,updates', '--config', '/root/config.yaml'];

      before(async () => {
        machineBefore = await machineSwap();
        host = await bootHost({ suite, name: `su-${suite}` });
        await installPhanes(host);
        await writeConfig(host, configYaml('64M'));
        if (preinstalled) {
          await host.exec('apt-get update -q && apt-get install -y -q --no-install-recommends unattended-upgrades', { timeoutMs: 600_000 });
          await host.writeFile(`${APT_CONF}/20auto-upgrades`, UPGRADES_OFF, 0o644);
        }
        fstabBefore = await fingerprints(host, ['/etc/fstab']);
        aptConfBefore = await aptConf(host);
      });
      after(() => host?.down());

      it('applies baseline, swap and updates, reporting swap activation and live swappiness as skipped', async () => {
        firstOut = await expectPhanes(host, apply);
        assert.equal(summaryOf(firstOut).failed, 0);
        assert.equal(summaryOf(firstOut).skipped, 2, firstOut);
        assert.match(firstOut, /↷ swapon \/swapfile \(inside a container \(systemd-nspawn\): swapon would change the machine's swap/);
        assert.match(firstOut, /↷ live sysctl vm\.swappiness \(inside a container \(systemd-nspawn\)/);
      });

      it("left this machine's swap and swappiness exactly as they were", async () => {
        assert.equal(await machineSwap(), machineBefore);
      });

      it('creates /swapfile with mode 600, owner root, the configured size and a swap signature', async () => {
        const { stdout } = await host.exec(['stat', '-c', '%a %U:%G %s', '/swapfile']);
        assert.equal(stdout.trim(), `600 root:root ${64 * MiB}`);
        const sig = await host.exec(['blkid', '-p', '-o', 'value', '-s', 'TYPE', '/swapfile']);
        assert.equal(sig.stdout.trim(), 'swap');
      });

      it('adds the swap file to /etc/fstab once', async () => {
        const lines = (await host.readFile('/etc/fstab')).split('\n');
        assert.equal(lines.filter((l) => l === SWAP_LINE).length, 1);
      });

      it('sets vm.swappiness in /etc/sysctl.d', async () => {
        const { stdout } = await host.exec('grep -h "^vm.swappiness" /etc/sysctl.d/*.conf');
        assert.equal(stdout.trim(), 'vm.swappiness = 15');
      });

      it('writes 20auto-upgrades explicitly, as apt reads it', async () => {
        const text = await host.readFile(`${APT_CONF}/20auto-upgrades`);
        assert.deepEqual(text.split('\n').filter((l) => l.startsWith('APT::')), [
          'APT::Periodic::Update-Package-Lists "1";', 'APT::Periodic::Unattended-Upgrade "1";', 'APT::Periodic::AutocleanInterval "7";',
        ]);
        const { stdout } = await host.exec(['apt-config', 'dump', 'APT::Periodic']);
        assert.match(stdout, /^APT::Periodic::Unattended-Upgrade "1";$/m);
        assert.match(stdout, /^APT::Periodic::Update-Package-Lists "1";$/m);
      });

      it('makes apt see the reboot time and no mail', async () => {
        const { stdout } = await host.exec(['apt-config', 'dump', 'Unattended-Upgrade']);
        assert.match(stdout, /^Unattended-Upgrade::Automatic-Reboot "true";$/m);
        assert.match(stdout, /^Unattended-Upgrade::Automatic-Reboot-Time "04:30";$/m);
        assert.match(stdout, /^Unattended-Upgrade::Mail "";$/m);
      });

      it('has unattended-upgrades allow the Debian security origin in a dry run', async () => {
        const r = await host.exec(['unattended-upgrades', '--dry-run', '--debug'], { timeoutMs: 600_000 });
        const allowed = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.includes('Allowed origins are:'));
        assert.ok(allowed, `no "Allowed origins are:" line in:\n${r.stdout}\n${r.stderr}`);
        assert.match(allowed, new RegExp(`origin=Debian,codename=${suite}-security,label=Debian-Security`));
      });

      it('has the apt-daily timers enabled and active', async () => {
        const enabled = await host.exec(['systemctl', 'is-enabled', 'apt-daily.timer', 'apt-daily-upgrade.timer']);
        assert.deepEqual(enabled.stdout.trim().split('\n'), ['enabled', 'enabled']);
        const active = await host.exec(['systemctl', 'is-active', 'apt-daily.timer', 'apt-daily-upgrade.timer']);
        assert.deepEqual(active.stdout.trim().split('\n'), ['active', 'active']);
      });

      it('changes nothing on a second apply, and status finds no drift', async () => {
        const out = await expectPhanes(host, apply);
        assert.match(out, /^Summary: 0 changed/m);
        await expectPhanes(host, ['status'], 0);
      });

      it('resizes the swap file when swap.size changes, and only that', async () => {
        await writeConfig(host, configYaml('96M'));
        const out = await expectPhanes(host, apply);
        assert.match(out, /swap file \/swapfile: resize 64M → 96M \(recreate, mkswap\)/);
        assert.equal(summaryOf(out).changed, 1, out);
        const { stdout } = await host.exec(['stat', '-c', '%a %U:%G %s', '/swapfile']);
        assert.equal(stdout.trim(), `600 root:root ${96 * MiB}`);
        assert.equal((await host.exec(['blkid', '-p', '-o', 'value', '-s', 'TYPE', '/swapfile'])).stdout.trim(), 'swap');
        await host.exec(['test', '!', '-e', '/.swapfile.phanes-new']);
        assert.equal(await machineSwap(), machineBefore);
      });

      it('rolls swap back: the swap file, its fstab line and the sysctl.d file are gone', async () => {
        const out = await expectPhanes(host, ['rollback', 'swap']);
        assert.match(out, /✓ swap file \/swapfile: restore: remove$/m);
        await host.exec(['test', '!', '-e', '/swapfile']);
        assert.deepEqual(await fingerprints(host, ['/etc/fstab']), fstabBefore);
        const r = await host.exec('grep -rs "^vm.swappiness" /etc/sysctl.d/', { reject: false });
        assert.equal(r.stdout, '');
        assert.equal(await machineSwap(), machineBefore);
      });

      it(`rolls updates back: apt.conf.d is byte for byte as before${preinstalled ? ', and the package stays' : ', and the package Phanes installed is gone'}`, async () => {
        await expectPhanes(host, ['rollback', 'updates']);
        assert.deepEqual(await aptConf(host), aptConfBefore);
        const { stdout } = await host.exec(['dpkg-query', '-W', '-f=${db:Status-Abbrev}', 'unattended-upgrades'], { reject: false });
        if (preinstalled) assert.equal(stdout.trim(), 'ii');
        else assert.notEqual(stdout.trim(), 'ii');
      });
    });
  }
});
