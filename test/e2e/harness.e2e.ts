// Smoke scenario for the lab itself (no Phanes): each suite boots, reaches the mirror, stays contained.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { bootHost, config, machineClock, machineState, type LabHost, type MachineState, type Suite } from './harness/index.js';

const SUITES: Record<Suite, string> = { bookworm: '12', trixie: '13' };

describe('lab hosts', { concurrency: 2 }, () => {
  for (const [suite, version] of Object.entries(SUITES) as [Suite, string][]) {
    // Node 20 hands the parent's concurrency down to nested suites: keep each host's steps in order.
    describe(`a ${suite} host`, { concurrency: 1 }, () => {
      let host: LabHost;
      let machineBefore: MachineState;
      let clockBefore: number;
      let monoBefore: bigint;

      before(async () => {
        machineBefore = await machineState();
        clockBefore = machineClock();
        monoBefore = process.hrtime.bigint();
        host = await bootHost({ suite });
      });
      after(() => host?.down());

      it('reaches a running or degraded system state', async () => {
        const { stdout } = await host.exec(['systemctl', 'is-system-running'], { reject: false });
        assert.match(stdout.trim(), /^(running|degraded)$/);
      });

      it(`names ${suite} in /etc/os-release`, async () => {
        const osRelease = await host.readFile('/etc/os-release');
        assert.match(osRelease, new RegExp(`^VERSION_CODENAME=${suite}$`, 'm'));
        assert.match(osRelease, new RegExp(`^VERSION_ID="${version}"$`, 'm'));
      });

      it('installs and runs hello from the Debian mirror through apt-cacher-ng', async () => {
        await host.exec('apt-get update -q && apt-get install -y -q --no-install-recommends hello', { timeoutMs: 300_000 });
        const { stdout } = await host.exec(['hello']);
        assert.equal(stdout.trim(), 'Hello, world!');
      });

      it('reaches the bridge at its own fixed MAC, which hosts coming and going cannot change', async () => {
        const { bridge, bridgeAddr, bridgeMac, acngPort } = config;
        assert.equal(readFileSync(`/sys/class/net/${bridge}/address`, 'utf8').trim(), bridgeMac);
        assert.equal(readFileSync(`/sys/class/net/${bridge}/addr_assign_type`, 'utf8').trim(), '3', 'bridge MAC not set by hand');
        const { stdout } = await host.exec(['bash', '-c', `exec 3<>/dev/tcp/${bridgeAddr}/${acngPort} && ip neigh show ${bridgeAddr}`]);
        assert.match(stdout, new RegExp(`lladdr ${bridgeMac}\\b`));
      });

      it('refuses to set the clock: neither the host nor exec hold CAP_SYS_TIME or CAP_SYS_MODULE', async () => {
        const r = await host.exec(['date', '-s', '@0'], { reject: false });
        assert.notEqual(r.exitCode, 0);
        assert.match(r.stderr, /not permitted/);
        const viaSsh = await host.ssh('date -s @0', { reject: false });
        assert.notEqual(viaSsh.exitCode, 0);
        const status = await host.readFile('/proc/self/status');
        const bounding = BigInt(`0x${/^CapBnd:\s*(\w+)$/m.exec(status)?.[1]}`);
        assert.equal(bounding & ((1n << 25n) | (1n << 16n)), 0n, 'CAP_SYS_TIME or CAP_SYS_MODULE in the bounding set');
      });

      it('resolves its own hostname', async () => {
        const { stdout } = await host.exec('getent hosts "$(hostname)"');
        assert.match(stdout, new RegExp(`\\b${host.name}\\b`));
      });

      it('accepts the harness key for root over ssh on its bridge address', async () => {
        const { stdout } = await host.ssh('id -un; hostname');
        assert.deepEqual(stdout.trim().split('\n'), ['root', host.name]);
      });

      it('says systemd-nspawn to systemd-detect-virt --container', async () => {
        const { stdout } = await host.exec(['systemd-detect-virt', '-c']);
        assert.equal(stdout.trim(), 'systemd-nspawn');
      });

      it('leaves no mount, netns, veth or run dir behind after down()', async () => {
        const { rootDir, runDir, octet } = host;
        await host.down();
        await host.down(); // idempotent
        const mounts = (await execa('findmnt', ['-rn', '-o', 'TARGET'])).stdout;
        assert.ok(!mounts.split('\n').includes(rootDir), `${rootDir} still mounted`);
        assert.doesNotMatch((await execa('ip', ['netns', 'list'])).stdout, new RegExp(`phanes-n${octet}\\b`));
        assert.equal((await execa('ip', ['link', 'show', `phanes-v${octet}`], { reject: false })).exitCode, 1);
        assert.ok(!existsSync(runDir), `${runDir} still exists`);
      });

      it("did not move this machine's clock, swap, forwarding or firewall", async () => {
        const elapsed = Number(process.hrtime.bigint() - monoBefore) / 1e9;
        const wall = machineClock() - clockBefore;
        assert.ok(Math.abs(wall - elapsed) <= 2, `wall clock moved ${wall} s in ${elapsed.toFixed(1)} s`);
        assert.deepEqual(await machineState(), machineBefore);
      });
    });
  }
});
