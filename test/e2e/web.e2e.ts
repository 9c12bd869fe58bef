// Issue 12 end to end: Caddy on bookworm and nginx on trixie, each proven from the other lab host
// with curl: a static page the test wrote and a reverse proxy to a python upstream in the host. A
// broken site fails its step with the previous config still serving; a second apply changes
// nothing; plan predicts apply; rollback leaves /etc and dpkg as before (differences listed).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootHost, installPhanes, phanes, type LabHost, type Suite } from './harness/index.js';
import { ndjson, stepKeys, SYSCTL_HOST } from './security-lab.js';
import { expectPhanes, makeLoginKey, summaryOf, writeConfig, type LoginKey } from './support.js';
import { autoInstalled, changedKeys, etcPathsOf, etcState, selections, timed } from './web-lab.js';

const CONFIG = '/root/config.yaml';
const BASE = ['--modules', 'baseline,user,security', '--config', CONFIG];
const STATIC_PAGE = `static page written by the web e2e test ${process.pid}\n`;
const UPSTREAM_PAGE = `served by the python upstream ${process.pid}\n`;

interface Server {
  module: 'caddy' | 'nginx';
  suite: Suite;
  /** The sites part of the config; `broken` adds a site the server's validator rejects. */
  sites(broken: boolean): string;
  /** curl arguments (from the other host) for a site name on this host's address. */
  curl(name: string, address: string): string[];
  /** The managed file the broken site lands in, and what names the failure in the journal. */
  brokenFile: string;
}

const SERVERS: Server[] = [
  {
    module: 'caddy',
    suite: 'bookworm',
    sites: (broken) => [
      'caddy:', '  sites:',
      '    - {host: static.test, root: /srv/static, tls_internal: true}',
      '    - {host: proxy.test, reverse_proxy: "127.0.0.1:8081", tls_internal: true}',
      // Caddy accepts no path in an upstream URL: `caddy validate` rejects the file.
      ...(broken ? ['    - {host: broken.test, reverse_proxy: "http://127.0.0.1:8081/app", tls_internal: true}'] : []),
    ].join('\n'),
    curl: (name, address) => ['curl', '-fsS', '-k', '--max-time', '10', '--resolve', `${name}:443:${address}`, `https://${name}/`],
    brokenFile: '/etc/caddy/Caddyfile',
  },
  {
    module: 'nginx',
    suite: 'trixie',
    sites: (broken) => [
      'nginx:', '  sites:',
      '    - {server_name: static.test, root: /srv/static}',
      '    - {server_name: proxy.test, proxy_pass: "http://127.0.0.1:8081"}',
      // An upstream host that does not resolve: `nginx -t` rejects it.
      ...(broken ? ['    - {server_name: broken.test, proxy_pass: "http://no-such-upstream.invalid:8080"}'] : []),
    ].join('\n'),
    curl: (name, address) => ['curl', '-fsS', '--max-time', '10', '--resolve', `${name}:80:${address}`, `http://${name}/`],
    brokenFile: '/etc/nginx/conf.d/phanes-broken.test.conf',
  },
];

describe('caddy and nginx serve sites on real hosts', { concurrency: 1 }, () => {
  const hosts = new Map<string, LabHost>();
  let key: LoginKey;

  before(async () => {
    key = await makeLoginKey();
    // Two hosts at once: each is the other's client. baseline brings curl, security python3 and ufw.
    await Promise.all(SERVERS.map(async (s) => {
      const host = await bootHost({ suite: s.suite, name: `wb-${s.module}-${s.suite}`, ...SYSCTL_HOST });
      hosts.set(s.module, host);
      await installPhanes(host);
      await writeConfig(host, `username: deploy\nssh_public_key: "${key.publicLine}"\n`);
      await host.exec('apt-get update -q', { timeoutMs: 600_000 });
      await expectPhanes(host, ['apply', ...BASE]);
      await host.exec(['mkdir', '-p', '/srv/static', '/srv/upstream']);
      await host.writeFile('/srv/static/index.html', STATIC_PAGE);
      await host.writeFile('/srv/upstream/index.html', UPSTREAM_PAGE);
      await host.exec(['systemd-run', '--unit=wb-upstream', '--working-directory=/srv/upstream', 'python3', '-m', 'http.server', '8081', '--bind', '127.0.0.1']);
    }));
  });
  after(async () => {
    await Promise.all([...hosts.values()].map((h) => h.down()));
    key?.cleanup();
  });

  for (const server of SERVERS) {
    describe(`${server.module} on ${server.suite}`, { concurrency: 1 }, () => {
      const run = ['--modules', `baseline,user,security,${server.module}`, '--config', CONFIG];
      const host = (): LabHost => hosts.get(server.module)!;
      const client = (): LabHost => [...hosts.values()].find((h) => h !== host())!;
      const fetch = (name: string) => client().exec(
        ['sh', '-c', 'for i in $(seq 30); do "$@" && exit 0; sleep 1; done; exit 1', 'sh', ...server.curl(name, host().address)], { reject: false });
      let etcBefore: Map<string, string>;
      let dpkgBefore: Map<string, string>;
      let planned: string[];
      let applied: ReturnType<typeof ndjson>;

      before(async () => {
        etcBefore = await etcState(host());
        dpkgBefore = await selections(host());
        await writeConfig(host(), `username: deploy\nssh_public_key: "${key.publicLine}"\n${server.sites(false)}\n`);
        planned = stepKeys(ndjson(await expectPhanes(host(), ['plan', ...run, '--json'])), 'planned');
        const [out, secs] = await timed(() => expectPhanes(host(), ['apply', ...run, '--json']));
        applied = ndjson(out);
        console.log(`[e2e] ${server.suite}: apply --modules baseline,user,security,${server.module} took ${secs} s`);
      });

      it('changes exactly what plan predicted', () => {
        assert.equal(applied.at(-1)?.failed, 0);
        assert.ok(planned.includes(`package:${server.module}`), planned.join('\n'));
        assert.deepEqual(stepKeys(applied, 'changed'), planned);
      });

      it('serves the static page to another lab host', async () => {
        const r = await fetch('static.test');
        assert.equal(r.exitCode, 0, r.stderr);
        assert.equal(r.stdout, STATIC_PAGE);
      });

      it('proxies to the upstream in the host', async () => {
        const r = await fetch('proxy.test');
        assert.equal(r.exitCode, 0, r.stderr);
        assert.equal(r.stdout, UPSTREAM_PAGE);
      });

      it('opens 80 and 443 in ufw', async () => {
        const { stdout } = await host().exec(['ufw', 'status']);
        assert.match(stdout, /^80\/tcp\s+ALLOW/m);
        assert.match(stdout, /^443\/tcp\s+ALLOW/m);
      });

      it('changes nothing on a second apply', async () => {
        const [out, secs] = await timed(() => expectPhanes(host(), ['apply', ...run]));
        console.log(`[e2e] ${server.suite}: no-change re-apply with ${server.module} took ${secs} s`);
        assert.equal(summaryOf(out).changed, 0, out);
      });

      it('fails a broken site, keeps the previous config serving, and journals the failure', async () => {
        const sha = async (): Promise<string> => (await host().exec(['sh', '-c', `sha256sum ${server.module === 'caddy' ? server.brokenFile : '/etc/nginx/conf.d/*'} 2>/dev/null || true`])).stdout;
        const before = await sha();
        await writeConfig(host(), `username: deploy\nssh_public_key: "${key.publicLine}"\n${server.sites(true)}\n`);
        const r = await phanes(host(), ['apply', ...run], { reject: false, timeoutMs: 600_000 });
        assert.equal(r.exitCode, 1, `${r.stdout}\n${r.stderr}`);
        assert.equal(await sha(), before, 'the managed files are as before the failed step');
        const failed = ndjson((await expectPhanes(host(), ['log', '--module', server.module, '--json'])))
          .filter((e) => e.event === 'ChangeFailed');
        assert.ok(failed.some((e) => String(e.label).includes(server.brokenFile)), JSON.stringify(failed));
        assert.equal((await fetch('static.test')).stdout, STATIC_PAGE);
        assert.equal((await fetch('proxy.test')).stdout, UPSTREAM_PAGE);
        await writeConfig(host(), `username: deploy\nssh_public_key: "${key.publicLine}"\n${server.sites(false)}\n`);
        assert.equal(summaryOf(await expectPhanes(host(), ['apply', ...run])).failed, 0);
      });

      it(`rolls ${server.module} back: dpkg selections and /etc as before, except what is listed`, async () => {
        const auto = await autoInstalled(host());
        await expectPhanes(host(), ['rollback', server.module]);
        const dpkgAfter = await selections(host());
        // Allowed: the dependencies apt pulled in stay installed (marked automatic; apt-get autoremove takes them).
        const leftDeps = changedKeys(dpkgBefore, dpkgAfter).filter((p) => dpkgBefore.get(p) === undefined && auto.has(p.replace(/:.*$/, '')));
        assert.deepEqual(changedKeys(dpkgBefore, dpkgAfter).filter((p) => !leftDeps.includes(p)), [], `dpkg selections differ beyond the leftover dependencies ${leftDeps.join(', ')}`);
        // Allowed in /etc: the files of those dependencies; the system user the package added
        // (Debian never deletes one on purge) in passwd/group/shadow and their backups; ld.so.cache.
        const depFiles = await etcPathsOf(host(), leftDeps);
        const userFiles = ['passwd', 'group', 'shadow', 'gshadow'].flatMap((f) => [`./${f}`, `./${f}-`]);
        const etcDiff = changedKeys(etcBefore, await etcState(host()));
        const unexplained = etcDiff.filter((p) => !depFiles.has(p) && !userFiles.includes(p) && p !== './ld.so.cache');
        console.log(`[e2e] ${server.suite}: rollback ${server.module} left dependencies [${leftDeps.join(', ')}], /etc differences [${etcDiff.join(', ')}]`);
        assert.deepEqual(unexplained, []);
      });
    });
  }
});
