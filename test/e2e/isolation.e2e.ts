// A firewall enabled inside a host stays inside it: this machine's rules and forwarding do not change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootHost, firewallRules, machineState, type LabHost, type MachineState, type Suite } from './harness/index.js';

describe('firewall isolation', { concurrency: 2 }, () => {
  for (const suite of ['bookworm', 'trixie'] as Suite[]) {
    // Node 20 hands the parent's concurrency down to nested suites: keep each host's steps in order.
    describe(`a ${suite} host running ufw`, { concurrency: 1 }, () => {
      let host: LabHost;
      let machineBefore: MachineState;

      before(async () => {
        host = await bootHost({ suite });
        await host.exec('apt-get update -q && apt-get install -y -q ufw', { timeoutMs: 300_000 });
        // This machine may have no iptables of its own: borrow the host's, run in this machine's netns.
        machineBefore = await machineState(host);
      });
      after(() => host?.down());

      it('enables ufw and shows its rules inside the host', async () => {
        await host.exec('ufw allow 22/tcp && ufw --force enable');
        const status = await host.exec(['ufw', 'status', 'verbose']);
        assert.match(status.stdout, /Status: active/);
        const rules = await host.exec(['iptables-save']);
        assert.match(rules.stdout, /ufw-before-input/);
      });

      it('still accepts ssh through its own firewall', async () => {
        const { stdout } = await host.ssh('echo reachable');
        assert.equal(stdout.trim(), 'reachable');
      });

      it("leaves this machine's firewall and forwarding untouched", async () => {
        const machineAfter = await machineState(host);
        assert.deepEqual(machineAfter, machineBefore);
        assert.doesNotMatch(await firewallRules(host), /ufw/);
      });
    });
  }
});
