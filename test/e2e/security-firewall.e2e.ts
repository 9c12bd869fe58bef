// Issue 4, items 3–5: ufw, fail2ban and kernel sysctls of the security module on booted bookworm and
// trixie hosts. ufw is installed beforehand with a rule of the owner's, so "leave what Phanes did not
// add" and "inactive as before" are both tested; the firewall is probed from this machine.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bootHost, installPhanes, machineState, type LabHost, type MachineState, type Suite } from './harness/index.js';
import { expectPhanes, makeLoginKey, summaryOf, writeConfig, type LoginKey } from './support.js';
import { installed, jailStatus, listenOn, sshFrom, stopListening, SYSCTL_HOST, sysctls, tcpOpen } from './security-lab.js';

const USER = 'deploy';
const APPLY = ['apply', '--modules', 'baseline,user,security', '--config', '/root/config.yaml'];
const HARDENED = {
  'net.ipv4.conf.all.accept_redirects': '0', 'net.ipv6.conf.all.accept_redirects': '0', 'net.ipv4.conf.all.send_redirects': '0',
  'net.ipv4.conf.default.accept_source_route': '0', 'net.ipv4.conf.all.rp_filter': '1', 'net.ipv4.conf.all.log_martians': '1',
  'net.ipv4.tcp_syncookies': '1', 'net.ipv4.tcp_rfc1337': '1', 'net.ipv4.icmp_echo_ignore_broadcasts': '1',
};
const KEYS = Object.keys(HARDENED);
/** This machine's own values of the same keys: a host must never move them. */
const machineSysctls = (): Record<string, string> =>
  Object.fromEntries(KEYS.map((k) => [k, readFileSync(`/proc/sys/${k.replace(/\./g, '/')}`, 'utf8').trim()]));

const yaml = (key: string): string => [
  `username: ${USER}`,
  `ssh_public_key: "${key}"`,
  'security:',
  '  ufw:',
  '    allow: ["8080/tcp"]',
  '  fail2ban:',
  '    bantime: 10m',
  '    maxretry: 6',
  '',
].join('\n');

describe('security firewall, fail2ban and sysctls on real hosts', { concurrency: 2 }, () => {
  for (const suite of ['bookworm', 'trixie'] as Suite[]) {
    describe(`on ${suite}`, { concurrency: 1 }, () => {
      let host: LabHost;
      let key: LoginKey;
      let firstOut: string;
      let machineBefore: MachineState;
      let machineSysctlsBefore: Record<string, string>;
      let hostSysctlsBefore: Record<string, string>;

      before(async () => {
        key = await makeLoginKey();
        host = await bootHost({ suite, name: `fw-${suite}`, ...SYSCTL_HOST });
        await installPhanes(host);
        await writeConfig(host, yaml(key.publicLine));
        // The owner's own ufw, installed but inactive, with a rule Phanes must leave alone.
        await host.exec('apt-get update -q && apt-get install -y -q --no-install-recommends ufw && ufw allow 9090/tcp', { timeoutMs: 600_000 });
        machineBefore = await machineState(host);
        machineSysctlsBefore = machineSysctls();
        hostSysctlsBefore = await sysctls(host, KEYS);
        const t = Date.now();
        firstOut = await expectPhanes(host, APPLY);
        console.log(`[e2e] ${suite}: apply baseline,user,security took ${((Date.now() - t) / 1000).toFixed(1)} s`);
      });
      after(async () => {
        await host?.down();
        key?.cleanup();
      });

      it('enables ufw denying incoming, with ssh, the configured port and the owner\'s rule allowed', async () => {
        const { stdout } = await host.exec(['ufw', 'status', 'verbose']);
        assert.match(stdout, /^Status: active$/m);
        assert.match(stdout, /^Default: deny \(incoming\), allow \(outgoing\)/m);
        assert.match(stdout, /^22\/tcp\s+ALLOW IN\s+Anywhere\s+# phanes$/m);
        assert.match(stdout, /^8080\/tcp\s+ALLOW IN\s+Anywhere\s+# phanes$/m);
        assert.match(stdout, /^9090\/tcp\s+ALLOW IN\s+Anywhere\s*$/m);
      });

      it('really filters: an allowed port answers from this machine, another listening port does not', async () => {
        await listenOn(host, [8080, 9999]);
        assert.equal(await tcpOpen(host, 8080), true, '8080/tcp is allowed');
        assert.equal(await tcpOpen(host, 9999), false, '9999/tcp listens but is not allowed');
        await stopListening(host, [8080, 9999]);
      });

      it('runs the sshd jail from the journal with the configured limits', async () => {
        const status = await jailStatus(host);
        assert.equal(status.exitCode, 0, status.stderr);
        assert.match(status.stdout, /Journal matches:.*_COMM=sshd/);
        assert.equal((await host.exec(['fail2ban-client', 'get', 'sshd', 'maxretry'])).stdout.trim(), '6');
        assert.equal((await host.exec(['fail2ban-client', 'get', 'sshd', 'bantime'])).stdout.trim(), '600');
      });

      it('counts a failed login and bans with nftables', async () => {
        await sshFrom(host, 'nobody-here', key.privatePath); // "Invalid user": one failure, below maxretry
        await host.exec('for i in $(seq 50); do fail2ban-client status sshd | grep -q "Total failed:\\s*[1-9]" && exit 0; sleep 0.2; done; fail2ban-client status sshd; exit 1');
        await host.exec(['fail2ban-client', 'set', 'sshd', 'banip', '192.0.2.10']);
        assert.match((await host.exec(['nft', 'list', 'ruleset'])).stdout, /192\.0\.2\.10/);
        await host.exec(['fail2ban-client', 'set', 'sshd', 'unbanip', '192.0.2.10']);
      });

      it('sets the network sysctls in the host and skips the machine-wide ones with the reason', async () => {
        assert.deepEqual(await sysctls(host, KEYS), HARDENED);
        assert.match(firstOut, /↷ live sysctl kernel\.kptr_restrict \(inside a container \(systemd-nspawn\)/);
        assert.match(await host.readFile('/etc/sysctl.d/60-phanes-hardening.conf'), /^-kernel\.kptr_restrict = 2$/m);
        assert.match(await host.readFile('/etc/default/ufw'), /^IPT_SYSCTL=""$/m);
      });

      it("leaves this machine's sysctls, forwarding and firewall untouched", async () => {
        assert.deepEqual(machineSysctls(), machineSysctlsBefore);
        const now = await machineState(host);
        // Before the apply nothing could read nft here (the host got nft from the apply): compare the
        // rest, and require that this machine's nft ruleset holds nothing of ufw's or fail2ban's.
        const withoutNft = (m: MachineState): MachineState => ({ ...m, firewall: m.firewall.replace(/\nnft: [\s\S]*$/, '') });
        assert.deepEqual(withoutNft(now), withoutNft(machineBefore));
        assert.doesNotMatch(now.firewall, /ufw|f2b/);
      });

      it('changes nothing on a second apply', async () => {
        assert.equal(summaryOf(await expectPhanes(host, APPLY)).changed, 0);
      });

      it('rolls back: only its own rules go, ufw is inactive as before, sysctls and packages as they were', async () => {
        await expectPhanes(host, ['rollback', 'security']);
        const { stdout } = await host.exec(['ufw', 'status', 'verbose']);
        assert.match(stdout, /^Status: inactive$/m);
        const rules = await host.readFile('/etc/ufw/user.rules');
        assert.match(rules, /^### tuple ### allow tcp 9090 /m);
        assert.doesNotMatch(rules, /^### tuple ### allow tcp (22|8080) /m);
        assert.equal(await installed(host, 'ufw'), true, 'ufw was there before Phanes');
        assert.equal(await installed(host, 'fail2ban'), false, 'fail2ban was installed by Phanes');
        assert.deepEqual(await sysctls(host, KEYS), hostSysctlsBefore);
        assert.equal((await host.exec(['test', '-e', '/etc/sysctl.d/60-phanes-hardening.conf'], { reject: false })).exitCode, 1);
        assert.match(await host.readFile('/etc/default/ufw'), /^IPT_SYSCTL=\/etc\/ufw\/sysctl.conf$/m);
      });

      it('still lets the user in with the key after the rollback', async () => {
        const r = await sshFrom(host, USER, key.privatePath);
        assert.equal(r.stdout.trim(), USER, r.stderr);
      });
    });
  }
});
