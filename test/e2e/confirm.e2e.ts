// Issue 15 item 5: confirm or revert, over a real SSH connection from this machine to booted bookworm hosts.
// Both hosts first get user and security on port 22 (from the console, so no guard), then apply moves ssh to
// 2222 over SSH. Host A: nobody confirms (and the confirm from the connection that ran apply is refused), so
// the timer puts sshd and ufw back; then --no-confirm arms nothing. Host B: confirmed from a new connection
// on 2222, so the move stays past the deadline.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { bootHost, installPhanes, phanes, type LabHost } from './harness/index.js';
import { sshFrom, tcpOpen } from './security-lab.js';
import { expectPhanes, makeLoginKey, writeConfig, type LoginKey } from './support.js';

const USER = 'alice';
const TIMEOUT_S = 20;
const APPLY = 'sudo phanes apply --modules user,security --config /root/config.yaml';
const yaml = (key: string, port: number): string => `username: ${USER}\nssh_public_key: "${key}"\nsecurity:\n  ssh_port: ${port}\n`;

/** sha256 of every file the guard keeps (sshd, ssh.socket, ufw), `ufw status verbose`, and what listens. */
async function sshAndUfw(host: LabHost): Promise<{ files: string; ufw: string }> {
  const files = (await host.exec('find /etc/ssh/sshd_config /etc/ssh/sshd_config.d /etc/systemd/system/ssh.socket.d /etc/ufw /etc/default/ufw -maxdepth 1 -type f 2>/dev/null | sort | xargs sha256sum')).stdout;
  return { files, ufw: (await host.exec(['ufw', 'status', 'verbose'])).stdout };
}

interface LogEvent { event: string; guardId?: string; at: string; deadline?: string; restored?: string[]; resources?: Record<string, unknown>; ok?: boolean }

/** The guard events `phanes log --json` shows. */
async function guardEvents(host: LabHost): Promise<LogEvent[]> {
  const { stdout } = await phanes(host, ['log', '--json']);
  return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogEvent & { type: string }).filter((e) => e.type === 'event' && e.event.startsWith('Guard'));
}

/** The transient units of the guard that systemd still knows (timer or service). */
async function guardUnits(host: LabHost): Promise<string> {
  return (await host.exec("systemctl list-units --all --no-legend --plain 'phanes-guard-*' | awk '{print $1}'")).stdout.trim();
}

/** Boots a host, installs Phanes, and applies user and security on port 22 from the console (no SSH: no guard). */
async function preparedHost(name: string, key: LoginKey): Promise<LabHost> {
  const host = await bootHost({ suite: 'bookworm', name });
  await installPhanes(host);
  await writeConfig(host, yaml(key.publicLine, 22));
  await expectPhanes(host, ['apply', '--modules', 'user,security', '--config', '/root/config.yaml']);
  assert.deepEqual(await guardEvents(host), [], 'an apply from the console arms no guard');
  await writeConfig(host, yaml(key.publicLine, 2222));
  return host;
}

describe('confirm or revert over SSH', { concurrency: 2 }, () => {
  let key: LoginKey;
  before(async () => {
    key = await makeLoginKey();
  });
  after(() => key?.cleanup());

  describe('host A: unconfirmed, the timer puts sshd and ufw back; then --no-confirm', { concurrency: 1 }, () => {
    let host: LabHost;
    let before22: { files: string; ufw: string };
    before(async () => {
      host = await preparedHost('confirm-a', key);
      before22 = await sshAndUfw(host);
    });
    after(() => host?.down());

    it('moves ssh to 2222 over SSH, and refuses a confirm from that same connection', async () => {
      const r = await sshFrom(host, USER, key.privatePath, `${APPLY} --confirm-timeout ${TIMEOUT_S}; echo "apply=$?"; sudo phanes confirm; echo "confirm=$?"`);
      const out = `${r.stdout}\n${r.stderr}`;
      assert.match(r.stdout, /apply=0/, out);
      assert.match(r.stdout, new RegExp(`Confirm within ${TIMEOUT_S} s: open a NEW SSH connection \\(port 2222\\) and run \`sudo phanes confirm\` there`), out);
      assert.match(r.stdout, /confirm=1/, out);
      assert.match(r.stderr, /this is the SSH connection that ran apply \(10\.\S+ \d+\); confirming from it proves nothing/, out);
      assert.equal((await sshFrom(host, USER, key.privatePath, 'id -un', 2222)).stdout.trim(), USER, 'the move happened: a new login on 2222 works');
      assert.equal(await tcpOpen(host, 22), false, 'and 22 is closed');
      const events = await guardEvents(host);
      assert.deepEqual(events.map((e) => e.event), ['GuardArmed']);
      assert.match(await guardUnits(host), /^phanes-guard-\w+\.timer$/m);
      assert.match((await phanes(host, ['status'], { reject: false })).stdout, /confirm guard \w+ is pending \(armed, armed \S+\)/);
      const again = await phanes(host, ['apply', '--modules', 'user,security', '--config', '/root/config.yaml', '--no-confirm'], { reject: false });
      assert.equal(again.exitCode, 1, 'no apply while a guard is pending');
      assert.match(again.stderr, /confirm guard \w+ from the last run is still pending \(armed\); nothing was changed/);
    });

    it('reverts when nobody confirms: ssh answers on 22 again, 2222 is closed, the files are byte-identical', async () => {
      let events: LogEvent[] = [];
      // The revert is due TIMEOUT_S after the run; give it that and a minute more before calling it missing.
      for (let i = 0; i < TIMEOUT_S + 60 && !events.some((e) => e.event === 'GuardReverted'); i++) {
        await sleep(1000);
        events = await guardEvents(host);
      }
      assert.deepEqual(events.map((e) => e.event), ['GuardArmed', 'GuardExpired', 'GuardReverted']);
      const [armed, expired, reverted] = events as [LogEvent, LogEvent, LogEvent];
      assert.equal(reverted.ok, true);
      assert.equal((await sshFrom(host, USER, key.privatePath, 'id -un', 22)).stdout.trim(), USER, 'a login on 22 works again');
      assert.equal(await tcpOpen(host, 2222), false, '2222 is closed');
      assert.doesNotMatch((await host.exec(['ss', '-Htln'])).stdout, /:2222\s/, 'and nothing listens there');
      const now = await sshAndUfw(host);
      assert.equal(now.files, before22.files, 'sshd and ufw files as before the run');
      assert.equal(now.ufw, before22.ufw);
      assert.equal(await guardUnits(host), '', 'no guard unit is left');
      const status = await phanes(host, ['status'], { reject: false });
      assert.equal(status.exitCode, 0, `status after the revert:\n${status.stdout}${status.stderr}`);
      const log = (await phanes(host, ['log', '--module', 'security'])).stdout;
      assert.match(log, /guard \w+ expired: nobody confirmed by /);
      assert.match(log, /guard \w+ reverted: \d+ files put back, \d+ resources as before the run/);
      const delay = (Date.parse(expired.at) - Date.parse(expired.deadline!)) / 1000;
      const took = (Date.parse(reverted.at) - Date.parse(expired.at)) / 1000;
      console.log(`[confirm] path A: armed ${armed.at}; deadline ${expired.deadline}; the timer's revert started ${delay.toFixed(1)} s after it and took ${took.toFixed(1)} s; ` +
        `${reverted.restored?.length} files put back (${reverted.restored?.join(', ')}); ${Object.keys(reverted.resources ?? {}).length} journal records as before the run`);
    });

    it('with --no-confirm, the same move over SSH arms nothing', async () => {
      const r = await sshFrom(host, USER, key.privatePath, `${APPLY} --no-confirm`);
      assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
      assert.doesNotMatch(r.stdout, /Confirm within|confirm guard/);
      assert.deepEqual((await guardEvents(host)).map((e) => e.event), ['GuardArmed', 'GuardExpired', 'GuardReverted'], 'no new guard');
      assert.equal(await guardUnits(host), '');
      assert.equal((await sshFrom(host, USER, key.privatePath, 'id -un', 2222)).stdout.trim(), USER);
    });
  });

  describe('host B: confirmed from a new connection, the move stays', { concurrency: 1 }, () => {
    let host: LabHost;
    before(async () => {
      host = await preparedHost('confirm-b', key);
    });
    after(() => host?.down());

    it('confirms from a new SSH connection on the new port; the timer is gone and 2222 stays past the deadline', async () => {
      const r = await sshFrom(host, USER, key.privatePath, `${APPLY} --confirm-timeout ${TIMEOUT_S}`);
      assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
      const deadline = /the guard puts sshd and ufw back .*?at (\S+Z)|at (\S+Z) the guard puts/.exec(r.stdout);
      assert.ok(deadline, r.stdout);
      const c = await sshFrom(host, USER, key.privatePath, 'sudo phanes confirm', 2222);
      assert.equal(c.exitCode, 0, `${c.stdout}\n${c.stderr}`);
      assert.match(c.stdout, /confirmed guard \w+ from 10\.\S+ \d+: the sshd and ufw changes stay; timer phanes-guard-\w+ is stopped/);
      assert.equal(await guardUnits(host), '', 'no guard unit is left');
      await sleep(Math.max(0, Date.parse(deadline[1] ?? deadline[2]!) - Date.now()) + 5000);
      assert.deepEqual((await guardEvents(host)).map((e) => e.event), ['GuardArmed', 'GuardConfirmed']);
      assert.equal((await sshFrom(host, USER, key.privatePath, 'id -un', 2222)).stdout.trim(), USER, 'still on 2222 after the deadline');
      assert.equal(await tcpOpen(host, 22), false);
      const status = await phanes(host, ['status'], { reject: false });
      assert.equal(status.exitCode, 0, status.stdout);
      assert.match((await phanes(host, ['log'])).stdout, /guard \w+ confirmed from 10\.\S+ \d+: the changes stay, the timer is gone/);
    });
  });
});
