// Issue 10, docker: the docker module on booted bookworm and trixie hosts (privileged: dockerd needs a
// writable /proc/sys/net and runc's system calls). The two hosts probe each other's published port, so
// "not reachable from another lab host" is checked from a real neighbour. Compose is whichever the host
// got: Compose v1 (`docker-compose`) on bookworm, v2 (`docker compose`) on trixie.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootHost, installPhanes, type LabHost, type Suite } from './harness/index.js';
import { expectPhanes, makeLoginKey, summaryOf, writeConfig, type LoginKey } from './support.js';
import { ndjson, sshFrom, stepKeys, type JsonEvent } from './security-lab.js';
import { etcChanges, selections, snapshotEtc, type EtcSnapshot } from './docker-lab.js';

const USER = 'deploy';
const SUITES: Suite[] = ['bookworm', 'trixie'];
const MODULES = ['--modules', 'baseline,user,security,docker', '--config', '/root/config.yaml'];
const APPLY = ['apply', ...MODULES];
const PORT = 8080;
const COMPOSE = { bookworm: 'docker-compose', trixie: 'docker compose' } as const;
/** The two-line compose file a user would write: the offline image, serving /www on the published port. */
const COMPOSE_FILE = `services:\n  web: { image: "bb:local", command: "httpd -f -p 80 -h /www", ports: ["${PORT}:80"] }\n`;

/**
 * /etc differences that rollback docker leaves on purpose (after `apt-get autoremove --purge`, which the
 * rollback note asks for), by name, with the reason.
 */
const ALLOWED_ETC: Record<string, string> = {
  '/etc/group': "docker.io's postinst created the docker group; purging a package never deletes a system group (checked below: only that line)",
  '/etc/gshadow': 'the same docker group, in the shadow file',
  '/etc/group-': 'the backup gpasswd and groupadd keep of /etc/group',
  '/etc/gshadow-': 'the backup of /etc/gshadow',
  '/etc/docker': "bookworm's dockerd 20.10 writes its identity key /etc/docker/key.json at first start; no package owns it, so purge leaves it and its directory",
  '/etc/docker/key.json': 'that key (trixie\'s dockerd 26 writes none)',
  '/etc/cni': "made empty by containerd's CRI plugin when it starts, not by a package, so no purge removes it (checked below: empty)",
  '/etc/cni/net.d': 'the same directory containerd makes',
  '/etc/ufw/user.rules': "ufw rewrites it when the 8080/tcp rule is added and pruned again; the rules it holds are checked below to be the same as before",
  '/etc/ufw/user6.rules': 'the same, for IPv6',
};

/** Packages left after rollback and `apt-get autoremove --purge`, by name, with the reason (each must be auto-installed). */
const ALLOWED_PACKAGES: Record<string, string> = {
  'lsb-release': "pulled in for bookworm's Compose v1 (python3-distro); autoremove keeps it because a package installed before recommends it",
};

const yaml = (key: string, docker: boolean, allow: string[]): string => [
  `username: ${USER}`,
  `ssh_public_key: "${key}"`,
  'security:',
  '  ufw:',
  `    allow: [${allow.map((a) => `"${a}"`).join(', ')}]`,
  'docker:',
  `  enabled: ${docker}`,
  '',
].join('\n');

interface PerSuite {
  host: LabHost;
  planned: string[];
  plan: JsonEvent[];
  first: JsonEvent[];
  etc: EtcSnapshot;
  packages: string[];
  group: string;
  ufwRules: string;
}

const seconds = (t: number): string => `${((Date.now() - t) / 1000).toFixed(1)} s`;

describe('the docker module on real hosts', { concurrency: 1 }, () => {
  const run = {} as Record<Suite, PerSuite>;
  let key: LoginKey;
  /** Runs fn on both hosts at once; every suite's failure is reported, not only the first. */
  const both = async (fn: (s: PerSuite, suite: Suite) => Promise<void>): Promise<void> => {
    const results = await Promise.allSettled(SUITES.map((suite) => fn(run[suite], suite)));
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
    if (failed.length) throw new Error(failed.join('\n---\n'));
  };
  const neighbour = (suite: Suite): LabHost => run[suite === 'bookworm' ? 'trixie' : 'bookworm'].host;
  /** curl from the other lab host to this host's published port: the page, or null when it does not answer. */
  const fromNeighbour = async (suite: Suite): Promise<string | null> => {
    const r = await neighbour(suite).exec(['curl', '-s', '-m', '5', `http://${run[suite].host.address}:${PORT}/`], { reject: false });
    return r.exitCode === 0 ? r.stdout : null;
  };
  const asUser = async (s: PerSuite, cmd: string): Promise<string> => {
    const r = await sshFrom(s.host, USER, key.privatePath, cmd);
    assert.equal(r.exitCode, 0, `[${s.host.suite}] ${cmd}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    key = await makeLoginKey();
    const hosts = await Promise.all(SUITES.map((suite) => bootHost({ suite, name: `dk-${suite}`, privileged: true })));
    SUITES.forEach((suite, i) => { run[suite] = { host: hosts[i]! } as PerSuite; });
    await both(async (s, suite) => {
      const { host } = s;
      await installPhanes(host);
      // The image is made offline: a busybox-static rootfs tarball, imported by the user later.
      await host.exec('apt-get update -q && apt-get install -y -q --no-install-recommends busybox-static', { timeoutMs: 600_000 });
      await host.exec('set -e; d=$(mktemp -d); mkdir -p "$d/bin" "$d/www"; cp /bin/busybox "$d/bin/"; for c in sh echo httpd; do ln -s busybox "$d/bin/$c"; done; '
        + 'echo "hello from $(hostname)" > "$d/www/index.html"; tar -C "$d" -cf /var/tmp/bb.tar .; chmod 644 /var/tmp/bb.tar; rm -rf "$d"');
      // The rest of the run first, docker switched off: security already knows docker is in the run.
      await writeConfig(host, yaml(key.publicLine, false, []));
      const t0 = Date.now();
      await expectPhanes(host, APPLY);
      console.log(`[e2e] ${suite}: apply baseline,user,security (docker off) took ${seconds(t0)}`);
      [s.etc, s.packages, s.group] = [await snapshotEtc(host), await selections(host), await host.readFile('/etc/group')];
      s.ufwRules = (await host.exec(['ufw', 'show', 'added'])).stdout;
      await writeConfig(host, yaml(key.publicLine, true, []));
      s.plan = ndjson(await expectPhanes(host, ['plan', ...MODULES, '--json']));
      s.planned = stepKeys(s.plan, 'planned');
      const t = Date.now();
      s.first = ndjson(await expectPhanes(host, [...APPLY, '--json']));
      console.log(`[e2e] ${suite}: apply with docker took ${seconds(t)}`);
    });
  });
  after(async () => {
    await Promise.all(SUITES.map((suite) => run[suite]?.host?.down()));
    key?.cleanup();
  });

  it('changes exactly what plan predicted, only in the docker module, without a failure', () => {
    for (const suite of SUITES) {
      const { first, planned } = run[suite];
      assert.equal(first.at(-1)?.failed, 0, suite);
      assert.ok(planned.length > 0, suite);
      assert.deepEqual(stepKeys(first, 'changed'), planned, suite);
      assert.deepEqual([...new Set(first.filter((e) => e.type === 'step' && e.status === 'changed').map((e) => e.module))], ['docker'], suite);
    }
  });

  it('says in plan which Compose the host gets and that published ports stay behind ufw', () => {
    for (const suite of SUITES) {
      const notes = run[suite].plan.filter((e) => e.type === 'info').map((e) => String(e.message)).join('\n');
      assert.match(notes, suite === 'bookworm' ? /Compose v1 as `docker-compose`/ : /Compose v2 as `docker compose`/, suite);
      assert.match(notes, /published container ports stay behind ufw/, suite);
    }
  });

  it('runs dockerd with json-file logs rotated as configured', async () => {
    await both(async ({ host }, suite) => {
      assert.equal((await host.exec(['systemctl', 'is-active', 'docker'])).stdout.trim(), 'active', suite);
      assert.deepEqual(JSON.parse(await host.readFile('/etc/docker/daemon.json')), { 'log-driver': 'json-file', 'log-opts': { 'max-size': '10m', 'max-file': '3' } });
      assert.equal((await host.exec(['docker', 'info', '--format', '{{.LoggingDriver}}'])).stdout.trim(), 'json-file', suite);
    });
  });

  it('lets the login user run an image made offline, and prints its output', async () => {
    await both(async (s, suite) => {
      assert.match(await asUser(s, 'id -nG'), /\bdocker\b/, suite);
      const out = await asUser(s, 'docker import /var/tmp/bb.tar bb:local >/dev/null && docker run --rm bb:local echo hello-from-a-container');
      assert.equal(out.trim(), 'hello-from-a-container', suite);
    });
  });

  it('starts a two-line compose file with the Compose the host got, its log rotated as daemon.json says', async () => {
    await both(async (s, suite) => {
      const version = await asUser(s, `${COMPOSE[suite]} version`);
      assert.match(version, suite === 'bookworm' ? /docker-compose version 1\./ : /Docker Compose version v?2\./, suite);
      await asUser(s, `mkdir -p app && printf '%s' '${COMPOSE_FILE}' > app/compose.yaml && cd app && ${COMPOSE[suite]} up -d`);
      const page = await s.host.exec(`for i in $(seq 50); do curl -s -m 2 http://127.0.0.1:${PORT}/ && exit 0; sleep 0.2; done; exit 1`);
      assert.equal(page.stdout.trim(), `hello from dk-${suite}`, suite);
      const logs = await asUser(s, `docker inspect -f '{{json .HostConfig.LogConfig}}' $(docker ps -q)`);
      assert.deepEqual(JSON.parse(logs), { Type: 'json-file', Config: { 'max-file': '3', 'max-size': '10m' } }, suite);
    });
  });

  it('keeps the published port closed to another lab host while ufw does not allow it', async () => {
    for (const suite of SUITES) {
      // It answers inside the host (so the container serves), and not from the neighbour.
      assert.match((await run[suite].host.exec(['curl', '-s', '-m', '5', `http://127.0.0.1:${PORT}/`])).stdout, /hello from/, suite);
      assert.equal(await fromNeighbour(suite), null, `${suite}: ${PORT} answered from another lab host although ufw does not allow it`);
    }
  });

  it('keeps it closed after docker restarts (as a daemon.json change or a reboot restarts it)', async () => {
    await both(async (s) => {
      await s.host.exec(['systemctl', 'restart', 'docker']);
      await asUser(s, `cd app && ${COMPOSE[s.host.suite]} up -d`);
      await s.host.exec(`for i in $(seq 50); do curl -s -m 2 http://127.0.0.1:${PORT}/ && exit 0; sleep 0.2; done; exit 1`);
    });
    for (const suite of SUITES) assert.equal(await fromNeighbour(suite), null, `${suite}: ${PORT} answered from another lab host after docker restarted`);
  });

  it('changes nothing on a second apply', async () => {
    await both(async ({ host }, suite) => {
      const t = Date.now();
      const out = await expectPhanes(host, APPLY);
      console.log(`[e2e] ${suite}: no-change re-apply took ${seconds(t)}`);
      assert.equal(summaryOf(out).changed, 0, `${suite}\n${out}`);
    });
  });

  it('opens the published port to another lab host once security.ufw.allow lists it, and closes it when it goes', async () => {
    await both(async ({ host }) => {
      await writeConfig(host, yaml(key.publicLine, true, [`${PORT}/tcp`]));
      await expectPhanes(host, APPLY);
    });
    for (const suite of SUITES) assert.equal((await fromNeighbour(suite))?.trim(), `hello from dk-${suite}`, suite);
    await both(async ({ host }) => {
      await writeConfig(host, yaml(key.publicLine, true, []));
      await expectPhanes(host, APPLY);
    });
    for (const suite of SUITES) assert.equal(await fromNeighbour(suite), null, suite);
  });

  it('rolls docker back: packages purged, user out of the group, /etc and dpkg as before, images left in /var/lib/docker', async () => {
    await both(async (s, suite) => {
      const { host } = s;
      await expectPhanes(host, ['rollback', 'docker']);
      assert.doesNotMatch((await host.exec(['id', '-nG', USER])).stdout, /\bdocker\b/, suite);
      const r = await host.exec('grep -l "bb:local" /var/lib/docker/image/*/repositories.json', { reject: false });
      assert.equal(r.exitCode, 0, `${suite}: the imported image is no longer in /var/lib/docker`);
      // Dependencies apt pulled in stay installed (rollback says so); they are all auto-installed, so autoremove takes them.
      const auto = new Set((await host.exec(['apt-mark', 'showauto'])).stdout.split('\n'));
      const extra = (await selections(host)).filter((p) => !s.packages.includes(p));
      assert.deepEqual(extra.filter((p) => !auto.has(p)), [], `${suite}: packages left that are not dependencies`);
      await host.exec('apt-get autoremove --purge -y -q', { timeoutMs: 600_000 });
      const now = await selections(host);
      const left = now.filter((p) => !s.packages.includes(p));
      assert.deepEqual({ added: left.filter((p) => !(p in ALLOWED_PACKAGES)), removed: s.packages.filter((p) => !now.includes(p)) }, { added: [], removed: [] }, suite);
      assert.deepEqual(left.filter((p) => !auto.has(p)), [], `${suite}: an allowed leftover that is not auto-installed`);
      // security.ufw.allow shrank back to []: the next apply pruned security's 8080/tcp rule, so ufw holds what it held before.
      assert.equal((await host.exec(['ufw', 'show', 'added'])).stdout, s.ufwRules, suite);
      assert.equal((await host.exec('find /etc/cni -mindepth 1 -not -name net.d 2>/dev/null', { reject: false })).stdout, '', suite);
      const etc = await snapshotEtc(host);
      const changes = etcChanges(s.etc, etc).filter((p) => !(p in ALLOWED_ETC));
      assert.deepEqual(changes, [], `${suite}: /etc differs from before the docker apply:\n${changes.map((p) => `${p}: ${s.etc[p] ?? '(absent)'} → ${etc[p] ?? '(absent)'}`).join('\n')}`);
      // The group file differs by the docker group alone, with nobody in it.
      const added = (await host.readFile('/etc/group')).split('\n').filter((l) => !s.group.split('\n').includes(l));
      assert.equal(added.length, 1, `${suite}: ${added.join('\n')}`);
      assert.match(added[0]!, /^docker:x:\d+:$/, suite);
    });
  });
});
