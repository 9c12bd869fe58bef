// Issue 12 end to end for coolify: the real installer is out of reach here, so the test serves a
// stand-in from this machine on the lab bridge. It proves the preflight refusal, the download, the
// checksum refusal, the environment (the password never in output or journal), the irreversible
// mark, a second apply that changes nothing, and a rollback that only prints the manual steps.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bootHost, config, installPhanes, phanes, type LabHost } from './harness/index.js';
import { ndjson, stepKeys, SYSCTL_HOST } from './security-lab.js';
import { expectPhanes, summaryOf, writeConfig } from './support.js';
import { changedKeys, etcState, selections, timed } from './web-lab.js';

const PASSWORD = `stand-in-secret-${process.pid}-horse`;
const MODULES = ['--modules', 'baseline,coolify', '--config', '/root/config.yaml'];
const ENV = { COOLIFY_ROOT_USER_PASSWORD: PASSWORD };
/** What the stand-in installer does: record its environment, create /data/coolify as the real one does. */
const INSTALLER = [
  '#!/bin/bash',
  'set -e',
  'env | grep -E "^(ROOT_USERNAME|ROOT_USER_EMAIL|ROOT_USER_PASSWORD|AUTOUPDATE)=" | sort > /root/installer-env',
  'mkdir -p /data/coolify/source /data/coolify/ssh/keys',
  'echo "APP_ID=stand-in" > /data/coolify/source/.env',
  'echo "stand-in Coolify installer done"',
  '',
].join('\n');
const SHA = createHash('sha256').update(INSTALLER).digest('hex');

function serveInstaller(): Promise<{ server: Server; url: string; hits: () => number }> {
  let count = 0;
  const server = createServer((req, res) => {
    count++;
    if (req.url !== '/install.sh') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/x-shellscript' }).end(INSTALLER);
  });
  return new Promise((resolve) => server.listen(0, config.bridgeAddr, () => {
    const { port } = server.address() as AddressInfo;
    resolve({ server, url: `http://${config.bridgeAddr}:${port}/install.sh`, hits: () => count });
  }));
}

const coolifyConfig = (url: string, sha: string, minDisk = 1): string => [
  'username: deploy',
  'coolify:',
  `  installer_url: "${url}"`,
  `  installer_sha256: "${sha}"`,
  `  min_disk_gb: ${minDisk}`,
  '  root_username: admin',
  '  root_user_email: admin@example.com',
  '  root_user_password: "${COOLIFY_ROOT_USER_PASSWORD}"',
  '',
].join('\n');

describe('coolify on a real host with a stand-in installer', { concurrency: 1 }, () => {
  let host: LabHost;
  let http: Awaited<ReturnType<typeof serveInstaller>>;
  const outputs: string[] = [];
  const run = async (args: string[], exitCode = 0): Promise<string> => {
    const r = await phanes(host, args, { reject: false, env: ENV, timeoutMs: 900_000 });
    outputs.push(r.stdout, r.stderr);
    assert.equal(r.exitCode, exitCode, `phanes ${args.join(' ')} exited ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    http = await serveInstaller();
    host = await bootHost({ suite: 'bookworm', name: 'wb-coolify-bookworm', ...SYSCTL_HOST });
    await installPhanes(host);
    await host.exec('apt-get update -q', { timeoutMs: 600_000 });
  });
  after(async () => {
    await host?.down();
    http?.server.close();
  });

  it('refuses before any change without docker and without enough disk, naming each problem', async () => {
    await writeConfig(host, coolifyConfig(http.url, SHA, 1_000_000));
    const out = await run(['apply', ...MODULES], 1);
    const all = outputs.join('\n');
    assert.match(all, /coolify needs Docker/, out);
    assert.match(all, /coolify needs 1000000 GB free on \/ \(coolify\.min_disk_gb\)/);
    assert.equal(http.hits(), 0, 'nothing was downloaded');
    const r = await host.exec(['test', '-e', '/var/cache/phanes'], { reject: false });
    assert.notEqual(r.exitCode, 0, 'nothing was written');
  });

  it('refuses to run an installer whose sha256 does not match, and journals the failure', async () => {
    await host.exec('apt-get install -y -q docker.io', { timeoutMs: 900_000 });
    await host.exec('for i in $(seq 60); do systemctl is-active --quiet docker && exit 0; sleep 1; done; systemctl status docker; exit 1');
    await writeConfig(host, coolifyConfig(http.url, 'f'.repeat(64)));
    await run(['apply', ...MODULES], 1);
    assert.equal(http.hits(), 1, 'the installer was downloaded once');
    for (const p of ['/root/installer-env', '/data/coolify']) {
      assert.notEqual((await host.exec(['test', '-e', p], { reject: false })).exitCode, 0, `${p} exists: the installer ran`);
    }
    const failed = ndjson(await run(['log', '--module', 'coolify', '--json'])).filter((e) => e.event === 'ChangeFailed');
    assert.deepEqual(failed.map((e) => e.label), ['command run the Coolify installer']);
    assert.match(String(failed[0]?.error), /sha256sum/);
  });

  let etcBefore: Map<string, string>;
  let dpkgBefore: Map<string, string>;

  it('installs with the right checksum exactly as planned, passing the documented environment', async () => {
    await writeConfig(host, coolifyConfig(http.url, SHA));
    const planned = stepKeys(ndjson(await run(['plan', ...MODULES, '--json'])), 'planned');
    const [out, secs] = await timed(() => run(['apply', ...MODULES, '--json']));
    console.log(`[e2e] bookworm: apply --modules baseline,coolify took ${secs} s`);
    assert.deepEqual(stepKeys(ndjson(out), 'changed'), planned);
    assert.ok(planned.includes('command:run the Coolify installer'), planned.join('\n'));
    assert.equal(await host.readFile('/data/coolify/source/.env'), 'APP_ID=stand-in\n');
    assert.equal(await host.readFile('/root/installer-env'),
      ['AUTOUPDATE=true', 'ROOT_USERNAME=admin', `ROOT_USER_EMAIL=admin@example.com`, `ROOT_USER_PASSWORD=${PASSWORD}`].sort().join('\n') + '\n');
  });

  it('marks the install irreversible in the journal, and never records or prints the password', async () => {
    const journal = await host.readFile('/var/lib/phanes/journal.jsonl');
    assert.match(journal, /"irreversible":"Coolify was installed by its own installer/);
    const grep = await host.exec(['grep', '-rlF', PASSWORD, '/var/lib/phanes'], { reject: false });
    assert.equal(grep.stdout, '', 'the password is in the state directory');
    outputs.push(await run(['log', '--module', 'coolify']));
    assert.ok(!outputs.some((o) => o.includes(PASSWORD)), 'the password appeared in phanes output');
  });

  it('changes nothing and downloads nothing on a second apply', async () => {
    const hits = http.hits();
    const [out, secs] = await timed(() => run(['apply', ...MODULES]));
    console.log(`[e2e] bookworm: no-change re-apply with coolify took ${secs} s`);
    assert.equal(summaryOf(out).changed, 0, out);
    assert.equal(http.hits(), hits);
  });

  it('rolls coolify back by printing the manual steps and leaving Coolify, /etc and dpkg as they are', async () => {
    etcBefore = await etcState(host);
    dpkgBefore = await selections(host);
    const out = await run(['rollback', 'coolify']);
    assert.match(out, /rm -rf \/data\/coolify/, out);
    assert.equal(await host.readFile('/data/coolify/source/.env'), 'APP_ID=stand-in\n');
    assert.deepEqual(changedKeys(etcBefore, await etcState(host)), []);
    assert.deepEqual(changedKeys(dpkgBefore, await selections(host)), []);
    await host.exec(['systemctl', 'is-active', '--quiet', 'docker']);
  });
});
