import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { clearStaleHold, policyScript, POLICY_RC_D, withStartsHeld } from '../../src/host/start-hold.js';
import { MemoryHost } from './support/memory-host.js';

/** Runs the generated policy-rc.d with the arguments invoke-rc.d or deb-systemd-invoke would pass. */
function verdict(script: string, ...args: string[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'phanes-policy-'));
  try {
    writeFileSync(join(dir, 'policy-rc.d'), script, { mode: 0o755 });
    return spawnSync(join(dir, 'policy-rc.d'), args).status ?? -1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('holding back first starts during apt-get (policy-rc.d)', () => {
  const script = policyScript(['docker.service', 'fail2ban', 'postgresql@15-main', 'bad;name']);

  it('says 101 for the held units, in both callers\' forms, and 0 for every other unit', () => {
    assert.equal(verdict(script, 'docker.service', 'start'), 101); // deb-systemd-invoke
    assert.equal(verdict(script, '--quiet', 'fail2ban', 'start'), 101); // invoke-rc.d
    assert.equal(verdict(script, 'postgresql@15-main.service', 'restart'), 101);
    assert.equal(verdict(script, 'docker.socket', 'start'), 0);
    assert.equal(verdict(script, 'ssh', 'reload'), 0);
    assert.equal(verdict(script, 'bad;name', 'start'), 0); // not a unit name: never written into the script
    assert.ok(!script.includes('bad;name'));
  });

  it('writes the hook only for the install, and leaves a policy-rc.d it did not write alone', async () => {
    const host = new MemoryHost();
    let during: string | undefined;
    assert.equal(await withStartsHeld(host, ['redis-server'], async () => { during = host.text(POLICY_RC_D); }), true);
    assert.match(during ?? '', /'redis-server'\) exit 101/);
    assert.equal(host.files.has(POLICY_RC_D), false);

    await assert.rejects(withStartsHeld(host, ['redis-server'], () => Promise.reject(new Error('apt failed'))));
    assert.equal(host.files.has(POLICY_RC_D), false, 'removed when apt-get fails too');

    host.put(POLICY_RC_D, '#!/bin/sh\nexit 101\n');
    assert.equal(await withStartsHeld(host, ['redis-server'], async () => undefined), false);
    assert.equal(host.text(POLICY_RC_D), '#!/bin/sh\nexit 101\n');
  });

  it('removes only a hook a killed run left, with a message', async () => {
    const host = new MemoryHost();
    const said: string[] = [];
    // This run's own hook, written just before the apt call that brings the check, stays.
    host.put(POLICY_RC_D, policyScript(['netdata']));
    await clearStaleHold(host, (m) => said.push(m));
    assert.equal(host.files.has(POLICY_RC_D), true);
    assert.equal(said.length, 0);
    host.put(POLICY_RC_D, policyScript(['netdata'], 999_999));
    await clearStaleHold(host, (m) => said.push(m));
    assert.equal(host.files.has(POLICY_RC_D), false);
    assert.match(said[0] ?? '', /interrupted Phanes run/);
    host.put(POLICY_RC_D, '#!/bin/sh\nexit 101\n');
    await clearStaleHold(host, (m) => said.push(m));
    assert.equal(host.files.has(POLICY_RC_D), true);
    assert.equal(said.length, 1);
  });
});
