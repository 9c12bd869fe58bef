// Issues 10-12 end to end: the database, dev, web and coolify profiles on one booted host per suite,
// as a user would grow a server. Fresh `apply --profile database` first (the headline run, timed), then
// dev, web and (bookworm) coolify on the same host. For each profile: plan predicts exactly what apply
// changes, nothing fails, a second apply changes nothing, and the services answer as their users use them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bootHost, installPhanes, phanes, type LabHost, type Suite } from './harness/index.js';
import { ndjson, sshFrom, stepKeys, SYSCTL_HOST, type JsonEvent } from './security-lab.js';
import { makeLoginKey, summaryOf, writeConfig, type LoginKey } from './support.js';
import { coolifySection, serveInstaller, type InstallerServer } from './coolify-lab.js';
import { execFileSync } from 'node:child_process';

const USER = 'deploy';
const PG_PASSWORD = `pg-${process.pid}-correct-horse-battery`;
const REDIS_PASSWORD = `redis-${process.pid}-correct-horse-battery`;
const COOLIFY_PASSWORD = `coolify-${process.pid}-correct-horse-battery`;
// The login user's password: the hash goes into the config, its source must not appear anywhere either.
const USER_PASSWORD = `user-${process.pid}-correct-horse-battery`;
const USER_PASSWORD_HASH = execFileSync('openssl', ['passwd', '-6', USER_PASSWORD], { encoding: 'utf8' }).trim();
const TRACE = '/root/phanes-argv.jsonl';
const NO_CHANGE_TRACE = '/root/phanes-no-change.trace';
const ENV = { PG_PASSWORD, REDIS_PASSWORD, COOLIFY_ROOT_USER_PASSWORD: COOLIFY_PASSWORD, USER_PASSWORD_HASH, PHANES_ARGV_TRACE: TRACE };
const SECRETS = { PG_PASSWORD, REDIS_PASSWORD, USER_PASSWORD, USER_PASSWORD_HASH };
const SITE = '<h1>phanes web profile</h1>';

function configFor(suite: Suite, key: LoginKey, installer?: InstallerServer): string {
  return [
    `username: ${USER}`,
    `ssh_public_key: "${key.publicLine}"`,
    'user:',
    '  password_hash: "${USER_PASSWORD_HASH}"',
    '  sudo_nopasswd: true',
    'swap:',
    '  size: 64M',
    'monitoring:',
    // trixie ships no netdata: there the node exporter is the distribution's agent.
    `  agent: ${suite === 'trixie' ? 'node-exporter' : 'netdata'}`,
    'devtools:',
    '  runtimes: [python]',
    'postgres:',
    '  databases:',
    '    - name: app',
    '      owner: app',
    '  roles:',
    '    - name: app',
    '      password: "${PG_PASSWORD}"',
    'redis:',
    '  password: "${REDIS_PASSWORD}"',
    'caddy:',
    '  sites:',
    '    - host: "site.test:80"',
    '      root: /srv/site',
    ...(installer ? coolifySection(installer) : []),
    '',
  ].join('\n');
}

const PROFILES: Record<Suite, string[]> = { bookworm: ['database', 'dev', 'web', 'coolify'], trixie: ['database', 'dev', 'web'] };

describe('profiles end to end on real hosts', { concurrency: 2 }, () => {
  for (const suite of ['bookworm', 'trixie'] as Suite[]) {
    describe(`on ${suite}`, { concurrency: 1 }, () => {
      let host: LabHost;
      let key: LoginKey;
      let installer: InstallerServer | undefined;
      // What every command printed, stdout and stderr, for the secrets check.
      const printed: { command: string; text: string }[] = [];
      const run = async (args: string[], exitCode = 0, env: Record<string, string> = {}): Promise<string> => {
        const withConfig = ['plan', 'apply'].includes(args[0]!) ? [...args, '--config', '/root/config.yaml'] : args;
        const r = await phanes(host, withConfig, { reject: false, env: { ...ENV, ...env }, timeoutMs: 30 * 60_000 });
        printed.push({ command: args.join(' '), text: `${r.stdout}${r.stderr}` });
        assert.equal(r.exitCode, exitCode, `phanes ${args.join(' ')} exited ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
        return r.stdout;
      };

      before(async () => {
        key = await makeLoginKey();
        if (PROFILES[suite].includes('coolify')) installer = await serveInstaller();
        host = await bootHost({ suite, name: `prof-${suite}`, ...SYSCTL_HOST });
        await installPhanes(host);
        await writeConfig(host, configFor(suite, key, installer));
        await host.exec(['sh', '-c', `mkdir -p /srv/site && echo '${SITE}' > /srv/site/index.html`]);
      });
      after(async () => {
        await host?.down();
        key?.cleanup();
        installer?.server.close();
      });

      for (const profile of PROFILES[suite]) {
        it(`applies the ${profile} profile exactly as planned, then a second apply changes nothing`, async () => {
          const planned = stepKeys(ndjson(await run(['plan', '--profile', profile, '--json'])), 'planned');
          let t = Date.now();
          const first: JsonEvent[] = ndjson(await run(['apply', '--profile', profile, '--json']));
          const fresh = (Date.now() - t) / 1000;
          assert.equal(first.at(-1)?.type, 'summary');
          assert.equal(first.at(-1)?.failed, 0);
          assert.deepEqual(stepKeys(first, 'changed'), planned);
          t = Date.now();
          const again = await run(['apply', '--profile', profile], 0, { PHANES_TRACE: NO_CHANGE_TRACE });
          const noChange = (Date.now() - t) / 1000;
          assert.equal(summaryOf(again).changed, 0, again);
          console.log(`[e2e] ${suite}: apply --profile ${profile} took ${fresh.toFixed(1)} s (${stepKeys(first, 'changed').length} changes); the no-change re-apply ${noChange.toFixed(2)} s`);
          // Not an assertion (times belong to npm run bench): a slow no-change run says where its time went.
          if (noChange > 2) console.log(`[e2e] ${suite}: the slowest processes of that re-apply (start ms, ms, exit, argv):\n${(await host.exec(['sh', '-c', `sort -t "$(printf '\\t')" -k2 -gr ${NO_CHANGE_TRACE} | head -5`])).stdout}`);
          await host.exec(['rm', '-f', NO_CHANGE_TRACE]);
          await run(['status']);
        });

        if (profile === 'database') {
          it('serves postgres to the role with its password and redis only with auth', async () => {
            const sql = await host.exec(['psql', '-h', '127.0.0.1', '-U', 'app', '-d', 'app', '-tAc', 'select 1'], { env: { PGPASSWORD: PG_PASSWORD } });
            assert.equal(sql.stdout.trim(), '1');
            const noauth = await host.exec(['redis-cli', 'ping'], { reject: false });
            assert.match(`${noauth.stdout}${noauth.stderr}`, /NOAUTH/);
            const pong = await host.exec(['redis-cli', 'ping'], { env: { REDISCLI_AUTH: REDIS_PASSWORD } });
            assert.equal(pong.stdout.trim(), 'PONG');
          });

          it('keeps every password out of the state dir (0700, blobs 0600), every output and every argv Phanes ran', async () => {
            const stat = await host.exec(['sh', '-c', 'stat -c %a /var/lib/phanes; find /var/lib/phanes/blobs -type f ! -perm 600; find /var/lib/phanes -type f | wc -l']);
            const [dirMode, ...rest] = stat.stdout.trim().split('\n');
            assert.equal(dirMode, '700');
            assert.equal(rest.length, 1, `blobs not 0600: ${rest.slice(0, -1).join(', ')}`);
            const stateFiles = Number(rest[0]);
            // Every reading command, with and without --json; apply and plan ran both ways above.
            for (const args of [['plan', '--profile', 'minimal'], ['plan', '--profile', 'minimal', '--json'], ['plan', '--profile', 'database'], ['status'], ['status', '--json'], ['diff'], ['diff', '--json'], ['log'], ['log', '--json']]) await run(args);
            const grep = await host.exec(['grep', '-rlaF', ...Object.values(SECRETS).flatMap((v) => ['-e', v]), '/var/lib/phanes'], { reject: false });
            assert.equal(grep.stdout, '', `secrets in the state dir: ${grep.stdout}`);
            const argv = (await host.readFile(TRACE)).trim().split('\n');
            const hits = [
              ...printed.flatMap((p) => Object.entries(SECRETS).filter(([, v]) => p.text.includes(v)).map(([name]) => `${name} in the output of phanes ${p.command}`)),
              ...argv.flatMap((line) => Object.entries(SECRETS).filter(([, v]) => line.includes(v)).map(([name]) => `${name} in argv ${line}`)),
            ];
            console.log(`[e2e] ${suite}: ${Object.keys(SECRETS).length} secrets searched in ${stateFiles} state files, ${printed.length} command outputs and ${argv.length} spawned argv: ${hits.length} hits`);
            assert.deepEqual(hits, []);
            // The search saw the commands that handle the secrets: the installs, psql (roles), chpasswd (the hash).
            for (const tool of ['"apt-get","install"', '"psql"', '"chpasswd"']) assert.ok(argv.some((l) => l.includes(tool)), `the argv trace holds ${tool}`);
            assert.ok(printed.some((p) => /"type":"summary"/.test(p.text)), 'the outputs hold a summary');
          });

          it('runs docker for the login user and the monitoring agent on loopback', async () => {
            const r = await sshFrom(host, USER, key.privatePath, 'docker info --format "{{.ServerVersion}}"');
            assert.equal(r.exitCode, 0, r.stderr);
            assert.match(r.stdout.trim(), /^\d+\.\d+/);
            const url = suite === 'trixie' ? 'http://127.0.0.1:9100/metrics' : 'http://127.0.0.1:19999/api/v1/info';
            const m = await host.exec(['curl', '-fsS', url]);
            assert.match(m.stdout, suite === 'trixie' ? /^node_/m : /"version"/);
          });
        }

        if (profile === 'dev') {
          it('gives the login user a working python with venv', async () => {
            const r = await sshFrom(host, USER, key.privatePath, 'python3 --version && python3 -m venv /tmp/v && /tmp/v/bin/pip --version && git --version');
            assert.equal(r.exitCode, 0, r.stderr);
            assert.match(r.stdout, /^Python 3\./m);
          });
        }

        if (profile === 'web') {
          it('serves the static site through caddy', async () => {
            const r = await host.exec(['curl', '-fsS', '-H', 'Host: site.test', 'http://127.0.0.1/']);
            assert.equal(r.stdout.trim(), SITE);
          });
        }

        if (profile === 'coolify') {
          it('ran the stand-in installer once, with its environment', async () => {
            assert.equal(installer?.hits(), 1);
            await host.exec(['test', '-e', '/data/coolify/source/.env']);
          });
        }
      }
    });
  }
});
