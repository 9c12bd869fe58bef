// Issue 5: the artifact users download is the one tested. The single executable goes alone into a
// host that has no node, and runs there.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bootHost, installPhanes, phanes, REPO_ROOT, type LabHost } from './harness/index.js';
import { summaryOf } from './support.js';

describe('the single binary in a host without node', { concurrency: 1 }, () => {
  let host: LabHost;

  before(async () => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'phanes')), 'npm run build made dist/phanes');
    host = await bootHost({ suite: 'bookworm', name: 'bin-bookworm' });
  });
  after(() => host?.down());

  it('goes in alone: no node, no node_modules, no templates beside it', async () => {
    assert.equal(await installPhanes(host), 'sea');
    const node = await host.exec('command -v node || ls /usr/local/lib/phanes', { reject: false });
    assert.notEqual(node.exitCode, 0, `the host must have no node: ${node.stdout}`);
    const { stdout } = await host.exec(['ls', '-A', '/usr/local/bin']);
    assert.equal(stdout.trim(), 'phanes');
  });

  it('prints its version and the commit it was built from', async () => {
    const r = await phanes(host, ['--version']);
    assert.match(r.stdout, /^phanes \d+\.\d+\.\d+ \([0-9a-f]{7,}(-dirty)?\)$/m);
  });

  it('lists the modules and profiles', async () => {
    const r = await phanes(host, ['list']);
    assert.match(r.stdout, /minimal\s+baseline, user, security, swap, updates\n/);
  });

  it('plans the minimal profile from its embedded templates, changing nothing', async () => {
    const r = await phanes(host, ['plan', '--profile', 'minimal'], { reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(summaryOf(r.stdout).changed > 0);
    assert.match(r.stdout, /00-phanes-hardening\.conf/);
    const state = await host.exec(['test', '-e', '/var/lib/phanes'], { reject: false });
    assert.notEqual(state.exitCode, 0, 'plan writes no state');
  });

  it('plans the same with the npm package layout: node, dist/phanes.cjs and the core beside it', async () => {
    const sea = summaryOf((await phanes(host, ['plan', '--profile', 'minimal'])).stdout);
    assert.equal(await installPhanes(host, 'node+bundle'), 'node+bundle');
    const r = await phanes(host, ['plan', '--profile', 'minimal'], { reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(summaryOf(r.stdout), sea);
  });
});
