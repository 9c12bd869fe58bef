// Issue 13 end to end on one booted bookworm host with all 13 modules: a tamper matrix (each tamper
// found by `status` with its module, resource and kind, repaired by `apply`), the cause of a drift
// dpkg made, prunes (ssh port, nginx site), a module switched off, a refused rollback of a drifted
// file, and a rollback of every module that gives back the host as it was before the first apply.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bootHost, installPhanes, phanes, type LabHost } from './harness/index.js';
import { serveInstaller, type InstallerServer } from './coolify-lab.js';
import { explain } from './drift-compare.js';
import { driftConfig, ENV, hostSnapshot, SECRETS, TWELVE, USER, type DriftConfig } from './drift-lab.js';
import { ndjson, sshFrom, stepKeys, type JsonEvent } from './security-lab.js';
import { differences, type HostSnapshot } from './snapshot.js';
import { fingerprints, makeLoginKey, summaryOf, writeConfig, type LoginKey } from './support.js';

interface Tamper {
  module: string;
  /** The kind of drift the issue lists. */
  kind: string;
  key: string;
  /** What status must say about it (one of the item's changes). */
  change: RegExp;
  /** Shell run in the host. */
  run: string;
  batch: 1 | 2 | 3;
}

const SITE_A = '/etc/nginx/conf.d/phanes-a.test.conf';

function tampers(checksumFile: string): Tamper[] {
  const t = (module: string, kind: string, key: string, change: RegExp, run: string, batch: 1 | 2 | 3 = 1): Tamper => ({ module, kind, key, change, run, batch });
  return [
    t('baseline', 'file content', 'file:/etc/default/locale', /^apply would content$/, 'echo LANG=C.UTF-8 > /etc/default/locale'),
    t('baseline', 'timezone', 'timezone:system', /Europe\/Berlin → UTC/, 'ln -sf /usr/share/zoneinfo/Europe/Berlin /etc/localtime'),
    t('user', 'user shell', `user:${USER}`, /shell: \/bin\/sh → \/bin\/bash/, `usermod -s /bin/sh ${USER}`),
    t('user', 'user groups', `user:${USER}`, /add to groups sudo/, `gpasswd -d ${USER} sudo`),
    t('user', 'authorized key', `file:/home/${USER}/.ssh/authorized_keys`, /^apply would content$/,
      `echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGludHJ1ZGVyLWtleS1pbnRydWRlci1rZXktaW50cnVk intruder" > /home/${USER}/.ssh/authorized_keys`),
    t('user', 'user deleted', `user:${USER}`, /create \(shell \/bin\/bash/, `userdel ${USER}`, 2),
    t('security', 'file content', 'file:/etc/ssh/sshd_config.d/00-phanes-hardening.conf', /^apply would content$/, 'echo "PermitRootLogin yes" >> /etc/ssh/sshd_config.d/00-phanes-hardening.conf'),
    t('security', 'file owner', 'file:/etc/issue', /owner: nobody → root/, 'chown nobody /etc/issue'),
    t('security', 'service stopped', 'service:fail2ban', /^apply would start$/, 'systemctl stop fail2ban'),
    t('security', 'sysctl', 'live-sysctl:net.ipv4.tcp_syncookies', /0 → 1/, 'sysctl -qw net.ipv4.tcp_syncookies=0'),
    t('security', 'ufw rule removed', 'ufw:allow 22/tcp', /^apply would add$/, 'ufw delete allow 22/tcp >/dev/null'),
    t('security', 'ufw disabled', 'ufw:enabled', /^apply would enable$/, 'ufw disable >/dev/null', 2),
    t('swap', 'swap file mode', 'swapfile:/swapfile', /mode: 0644 → 0600/, 'chmod 644 /swapfile'),
    t('swap', 'fstab', 'line:/etc/fstab#^\\s*\\/swapfile\\s+\\S+\\s+swap\\s', /append "\/swapfile none swap sw 0 0"/, "sed -i '/swapfile/d' /etc/fstab"),
    t('updates', 'file deleted', 'file:/etc/apt/apt.conf.d/20auto-upgrades', /create \(0644 root:root\)/, 'rm /etc/apt/apt.conf.d/20auto-upgrades'),
    t('updates', 'service disabled', 'service:apt-daily-upgrade.timer', /^apply would enable$/, 'systemctl disable -q apt-daily-upgrade.timer'),
    t('docker', 'docker daemon settings', 'file:/etc/docker/daemon.json', /^apply would content$/, 'echo "{}" > /etc/docker/daemon.json'),
    t('docker', 'group membership', `group-member:docker:${USER}`, /^apply would add$/, `gpasswd -d ${USER} docker >/dev/null`),
    t('monitoring', 'file content', 'file:/etc/netdata/netdata.conf', /^apply would content$/, 'echo "# edited" >> /etc/netdata/netdata.conf'),
    t('monitoring', 'service disabled', 'service:netdata', /^apply would enable$/, 'systemctl disable -q netdata'),
    t('nginx', 'file mode', `file:${SITE_A}`, /mode: 0600 → 0644/, `chmod 600 ${SITE_A}`),
    t('nginx', 'service stopped', 'service:nginx', /^apply would start$/, 'systemctl stop nginx'),
    t('nginx', 'package removed', 'package:nginx', /install nginx/, 'apt-get remove -y -q nginx >/dev/null', 2),
    t('postgres', 'database role', 'pg:role app', /allow login/, 'runuser -u postgres -- psql -qc "ALTER ROLE app NOLOGIN"'),
    t('postgres', 'database', 'pg:database app', /create \(owner app\)/, 'runuser -u postgres -- psql -qc "DROP DATABASE app"'),
    t('redis', 'secret file content', 'file:/etc/redis/phanes.conf', /^apply would content$/, 'echo "maxmemory 1mb" >> /etc/redis/phanes.conf'),
    t('redis', 'line removed', 'line:/etc/redis/redis.conf#include /etc/redis/phanes.conf', /append "include \/etc\/redis\/phanes.conf"/, "sed -i '/^include \\/etc\\/redis\\/phanes.conf/d' /etc/redis/redis.conf"),
    t('devtools', 'package removed', 'package:build-essential', /install build-essential/, 'apt-get remove -y -q build-essential >/dev/null'),
    t('devtools', 'package removed', 'package:python3-venv', /install python3-venv/, 'apt-get remove -y -q python3-venv >/dev/null'),
    t('coolify', 'file mode', `file:${checksumFile}`, /mode: 0644 → 0600/, `chmod 644 ${checksumFile}`),
    t('coolify', 'file deleted', `file:${checksumFile}`, /create \(0600 root:root\)/, `rm ${checksumFile}`, 2),
    t('caddy', 'file content', 'file:/etc/caddy/Caddyfile', /^apply would content$/, 'echo "# edited" >> /etc/caddy/Caddyfile', 3),
    t('caddy', 'service stopped', 'service:caddy', /^apply would start$/, 'systemctl stop caddy', 3),
  ];
}

const ROLLBACK_ORDER = ['caddy', 'coolify', 'devtools', 'redis', 'postgres', 'monitoring', 'docker', 'updates', 'swap', 'security', 'user', 'baseline'];

describe('drift, prunes and rollback for all 13 modules on one host', { concurrency: 1 }, () => {
  let host: LabHost;
  let key: LoginKey;
  let installer: InstallerServer;
  let pre: HostSnapshot;
  let rows: Tamper[] = [];
  const matrix = new Map<Tamper, { detected: boolean; repaired: boolean }>();
  const outputs: string[] = [];
  const started = Date.now();
  const APPLY = ['apply', '--modules', TWELVE.join(','), '--config', '/root/config.yaml'];
  const run = async (args: string[], exitCode = 0): Promise<string> => {
    const r = await phanes(host, args, { reject: false, env: ENV, timeoutMs: 30 * 60_000 });
    outputs.push(r.stdout, r.stderr);
    assert.equal(r.exitCode, exitCode, `phanes ${args.join(' ')} exited ${r.exitCode}, expected ${exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    return r.stdout;
  };
  const configure = (o: Partial<DriftConfig> = {}): Promise<string> => writeConfig(host, driftConfig({ key: key.publicLine, installer, ...o }));
  const drift = async (): Promise<JsonEvent[]> => ndjson(await run(['status', '--json'], 2)).filter((e) => e.type === 'drift');

  /** Tamper, see status name each one (exit 2), apply, see status in sync (exit 0). */
  const tamperBatch = async (batch: 1 | 2 | 3, applyArgs: string[]): Promise<void> => {
    const mine = rows.filter((r) => r.batch === batch);
    await host.exec(['bash', '-ec', mine.map((r) => r.run).join('\n')], { timeoutMs: 600_000 });
    const items = await drift();
    for (const r of mine) {
      const detected = items.some((i) => i.module === r.module && i.key === r.key && (i.changes as string[]).some((c) => r.change.test(c)));
      matrix.set(r, { detected, repaired: false });
    }
    await run(['status'], 2);
    await run(['diff']);
    assert.equal(summaryOf(await run(applyArgs)).failed, 0);
    await run(['status']);
    for (const r of mine) matrix.get(r)!.repaired = true;
    const missed = mine.filter((r) => !matrix.get(r)!.detected);
    assert.deepEqual(missed.map((r) => `${r.module} ${r.kind} ${r.key}`), [], `not reported as expected:\n${JSON.stringify(items, null, 1)}`);
  };

  before(async () => {
    key = await makeLoginKey();
    installer = await serveInstaller();
    host = await bootHost({ suite: 'bookworm', name: 'drift-bookworm', privileged: true });
    await installPhanes(host);
    await host.exec('mkdir -p /srv/a /srv/b && echo site-a > /srv/a/index.html && echo site-b > /srv/b/index.html');
    pre = await hostSnapshot(host);
    await configure();
    const copy = `/var/cache/phanes/coolify-install-${createHash('sha256').update(installer.url).digest('hex').slice(0, 12)}.sh.sha256`;
    rows = tampers(copy);
  });
  after(async () => {
    await host?.down();
    installer?.server.close();
    key?.cleanup();
  });

  it('applies twelve modules (caddy comes once nginx is rolled back: both bind port 80), then plan has nothing pending', async () => {
    const t = Date.now();
    const out = await run(APPLY);
    console.log(`[e2e] drift: apply of twelve modules took ${((Date.now() - t) / 1000).toFixed(1)} s`);
    assert.equal(summaryOf(out).failed, 0);
    await run(['plan', ...APPLY.slice(1), '--detailed-exitcode']);
    await run(['status']);
  });

  it('finds each tamper of the first batch with its module, resource and kind, and apply repairs them all', () => tamperBatch(1, APPLY));
  it('finds the tampers that would hide the first ones (user deleted, ufw disabled, nginx removed, a file deleted), and repairs them', () => tamperBatch(2, APPLY));

  it('says a managed conffile dpkg put back was changed by a package upgrade, naming the package', async () => {
    await host.exec('rm /etc/nginx/sites-available/default && apt-get install -y -q --reinstall -o Dpkg::Options::=--force-confmiss nginx-common >/dev/null');
    const item = (await drift()).find((i) => i.key === 'file:/etc/nginx/sites-available/default');
    assert.match(String(item?.cause), /^changed by a package upgrade \(nginx-common /, JSON.stringify(item));
    await run(APPLY);
    await run(['status']);
  });

  it('prunes: ssh 22 → 2222 closes 22 and keeps key login on 2222; a removed nginx site is gone and no longer served', async () => {
    await configure({ sshPort: 2222, nginxSites: ['a.test'] });
    const plan = await run(['plan', ...APPLY.slice(1), '--detailed-exitcode'], 2);
    assert.match(plan, /ufw allow 22\/tcp: revert \(no longer in the config\): delete/);
    assert.match(plan, /file \/etc\/nginx\/conf\.d\/phanes-b\.test\.conf: revert \(no longer in the config\): remove/);
    await run(APPLY);
    await run(['plan', ...APPLY.slice(1), '--detailed-exitcode']);
    const ufw = (await host.exec(['ufw', 'status'])).stdout;
    assert.doesNotMatch(ufw, /^22\/tcp/m, ufw);
    assert.match(ufw, /^2222\/tcp\s+ALLOW/m, ufw);
    const login = await sshFrom(host, USER, key.privatePath, 'id -un', 2222);
    assert.equal(login.stdout.trim(), USER, login.stderr);
    assert.equal((await fingerprints(host, ['/etc/nginx/conf.d/phanes-b.test.conf']))['/etc/nginx/conf.d/phanes-b.test.conf'], 'absent');
    const b = await host.exec(['curl', '-s', '-H', 'Host: b.test', 'http://127.0.0.1/']);
    assert.notEqual(b.stdout.trim(), 'site-b', 'nginx still serves the removed site');
    assert.equal((await host.exec(['curl', '-s', '-H', 'Host: a.test', 'http://127.0.0.1/'])).stdout.trim(), 'site-a');
  });

  it('releases coolify when it is switched off: the host stays as it is, status stops reporting it, and the log says so', async () => {
    await configure({ sshPort: 2222, nginxSites: ['a.test'], coolify: false });
    const before = await hostSnapshot(host);
    const out = await run(APPLY);
    assert.equal(summaryOf(out).changed, 0, out);
    assert.deepEqual(differences(before, await hostSnapshot(host)), []);
    assert.match(await run(['status', '--module', 'coolify']), /^0 resources checked/m);
    const released = ndjson(await run(['log', '--module', 'coolify', '--json'])).filter((e) => e.event === 'Released');
    assert.equal(released.length, 1, 'one Released event');
  });

  it('refuses to roll back a drifted nginx site without --force, shows its diff, and changes nothing of nginx', async () => {
    await host.exec(`echo "# local edit" >> ${SITE_A}`);
    const sha = await fingerprints(host, [SITE_A]);
    const out = await run(['rollback', 'nginx'], 1);
    assert.match(out, /--force/);
    assert.match(out, /\+# local edit/);
    assert.deepEqual(await fingerprints(host, [SITE_A]), sha);
    // Nothing else of the module moved: its firewall rule and its server are as apply left them.
    assert.match((await host.exec(['ufw', 'status'])).stdout, /^80\/tcp\s+ALLOW/m);
    await host.exec(['systemctl', 'is-active', '--quiet', 'nginx']);
    const repaired = stepKeys(ndjson(await run([...APPLY, '--json'])), 'changed');
    assert.deepEqual(repaired, [`file:${SITE_A}`, 'service:nginx'], 'apply puts back the edited file and reloads nginx, nothing else');
    await run(['status']);
  });

  it('rolls nginx back, then applies caddy and repairs its tampers', async () => {
    await run(['rollback', 'nginx']);
    await run(['apply', '--modules', 'caddy', '--config', '/root/config.yaml']);
    assert.equal((await host.exec(['curl', '-s', '-H', 'Host: a.test', 'http://127.0.0.1/'])).stdout.trim(), 'site-a');
    await tamperBatch(3, ['apply', '--modules', 'caddy', '--config', '/root/config.yaml']);
  });

  it('prints the tamper matrix: at least two tampers for each of the 13 modules, each detected and repaired', () => {
    const w = Math.max(...rows.map((r) => `${r.module} × ${r.kind} (${r.key})`.length));
    console.log(`[e2e] drift matrix: ${rows.length} tampers`);
    for (const r of rows) {
      const m = matrix.get(r);
      console.log(`[e2e]   ${`${r.module} × ${r.kind} (${r.key})`.padEnd(w)}  detected ${m?.detected ? 'yes' : 'NO'}  repaired ${m?.repaired ? 'yes' : 'NO'}`);
    }
    const perModule = new Map<string, number>();
    for (const r of rows) perModule.set(r.module, (perModule.get(r.module) ?? 0) + 1);
    assert.deepEqual([...perModule.keys()].sort(), [...TWELVE, 'caddy'].sort());
    assert.ok([...perModule.values()].every((n) => n >= 2), JSON.stringify([...perModule]));
    assert.ok(rows.every((r) => matrix.get(r)?.detected && matrix.get(r)?.repaired));
  });

  it('rolls back every module in reverse order and gives back the host as it was, but for the named differences', async () => {
    for (const m of ROLLBACK_ORDER) await run(['rollback', m]);
    assert.match(await run(['status']), /^0 resources checked/m);
    const { byModule, unexplained } = explain(differences(pre, await hostSnapshot(host)));
    for (const m of [...ROLLBACK_ORDER, 'nginx', 'system accounts']) {
      const keys = byModule.get(m) ?? [];
      console.log(`[e2e] drift: allowed differences after rollback, ${m}: ${keys.length}${keys.length ? ` (${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', …' : ''})` : ''}`);
    }
    // What Phanes recorded for each unexplained sysctl (its before-state, each change and restore) tells apart a wrong restore from a late writer.
    const keys = unexplained.map((d) => /^sysctl:(\S+)/.exec(d)?.[1]).filter((k) => k !== undefined);
    const recorded = keys.length ? (await host.exec(['grep', '-h', '-F', ...keys.flatMap((k) => ['-e', `"live-sysctl:${k}"`]), '/var/lib/phanes/journal.jsonl'], { reject: false })).stdout : '';
    assert.deepEqual(unexplained, [], `${unexplained.join('\n')}${recorded ? `\njournal events of these keys:\n${recorded}` : ''}`);
  });

  it('never printed a password, in any output of the whole scenario', () => {
    const leaks = SECRETS.filter((s) => outputs.some((o) => o.includes(s)));
    assert.deepEqual(leaks.map((s) => s.slice(0, 6)), []);
    console.log(`[e2e] drift: ${outputs.length / 2} phanes runs, none printed a secret; file wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });
});
