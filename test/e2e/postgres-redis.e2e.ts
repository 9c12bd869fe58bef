// Issue 11: postgres and redis on booted bookworm and trixie hosts, next to baseline, user and
// security. Proves what a user checks (logins with the configured password, closed ports, NOAUTH),
// that passwords never reach the state dir, the output or any argv, drift repair, and rollbacks
// that leave dpkg and /etc as they were, a database holding data refused without --force.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bootHost, installPhanes, phanes, REPO_ROOT, type LabHost, type Suite } from './harness/index.js';
import { ndjson, stepKeys } from './security-lab.js';
import { expectPhanes, makeLoginKey, summaryOf, writeConfig, type LoginKey } from './support.js';
import { argvLogged, etcSnapshot, packageSnapshot, unexplained, wrapArgvLogger } from './db-lab.js';

const PG_OLD = 'Old-pg-Passw0rd-for-e2e-1b7f';
const PG_NEW = 'New-pg-Passw0rd-for-e2e-9c2d';
const REDIS = 'Redis-Passw0rd-for-e2e-4e8a';
const SECRETS = [PG_OLD, PG_NEW, REDIS];
const MODULES = 'baseline,user,security,postgres,redis';
const CONFIG = '/root/config.yaml';

const configYaml = (key: string): string => [
  'username: deploy',
  `ssh_public_key: "${key}"`,
  'swap: { enabled: false }',
  'postgres:',
  '  roles:',
  '    - name: app',
  '      password: "${PG_APP_PASSWORD}"',
  '  databases:',
  '    - name: app',
  'redis:',
  '  password: "${REDIS_PASSWORD}"',
  '  maxmemory: 64mb',
  '',
].join('\n');

const psqlAs = (host: LabHost, password: string, sql = 'select 1') =>
  host.exec(['psql', '-h', '127.0.0.1', '-U', 'app', '-d', 'app', '-XAtqc', sql], { reject: false, env: { PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' } });

/** Whether a TCP connection from `from` to `to`:port is accepted within 3 s. */
async function answersFrom(from: LabHost, to: LabHost, port: number): Promise<boolean> {
  const r = await from.exec(['timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${to.address}/${port}`], { reject: false });
  return r.exitCode === 0;
}

/** Where the two suites' hosts meet to probe each other's ports, and wait until both are done. */
function rendezvous(timeoutMs = 20 * 60_000) {
  const hosts = new Map<Suite, LabHost>();
  const parted = new Set<Suite>();
  const failed = new Set<Suite>();
  const until = async (ready: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (failed.size) throw new Error(`the ${[...failed].join(', ')} host failed before it could probe`);
      if (Date.now() > deadline) throw new Error(`the other suite's host never ${what}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  return {
    /** A suite whose host will never come (its setup failed): the other stops waiting. */
    fail(suite: Suite): void {
      failed.add(suite);
    },
    async meet(suite: Suite, host: LabHost): Promise<LabHost> {
      hosts.set(suite, host);
      await until(() => hosts.size === 2, 'came to probe');
      return [...hosts].find(([s]) => s !== suite)![1];
    },
    async part(suite: Suite): Promise<void> {
      parted.add(suite);
      await until(() => parted.size === 2, 'finished probing');
    },
  };
}
const meeting = rendezvous();

describe('postgres and redis on real hosts', { concurrency: 2 }, () => {
  for (const suite of ['bookworm', 'trixie'] as Suite[]) {
    describe(`on ${suite}`, { concurrency: 1 }, () => {
      let host: LabHost;
      let key: LoginKey;
      let password = PG_OLD;
      const outputs: string[] = [];
      const env = (): Record<string, string> => ({ PG_APP_PASSWORD: password, REDIS_PASSWORD: REDIS });
      const run = async (args: string[], exitCode = 0): Promise<string> => {
        const r = await phanes(host, args, { reject: false, env: env(), timeoutMs: 20 * 60_000 });
        outputs.push(r.stdout, r.stderr);
        assert.equal(r.exitCode, exitCode, `phanes ${args.join(' ')} exited ${r.exitCode}, expected ${exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
        return r.stdout;
      };
      let planned: string[];
      let changed: string[];
      let dpkgBefore: Map<string, string>;
      let etcBefore: Map<string, string>;

      before(async () => {
        await setUp().catch((error: unknown) => {
          meeting.fail(suite);
          throw error;
        });
      });
      const setUp = async (): Promise<void> => {
        key = await makeLoginKey();
        host = await bootHost({ suite, name: `db-${suite}` });
        await installPhanes(host);
        await writeConfig(host, configYaml(key.publicLine));
        await host.exec('apt-get update -q', { timeoutMs: 600_000 });
        await expectPhanes(host, ['apply', '--modules', 'baseline,user,security', '--config', CONFIG]);
        await wrapArgvLogger(host, ['runuser', 'psql', 'redis-cli']);
        dpkgBefore = await packageSnapshot(host);
        etcBefore = await etcSnapshot(host);
        planned = stepKeys(ndjson(await run(['plan', '--modules', MODULES, '--config', CONFIG, '--json'])), 'planned');
        const t = Date.now();
        const first = ndjson(await run(['apply', '--modules', MODULES, '--config', CONFIG, '--json']));
        console.log(`[e2e] ${suite}: apply --modules ${MODULES} (postgres and redis new) took ${((Date.now() - t) / 1000).toFixed(1)} s`);
        changed = stepKeys(first, 'changed');
      };
      after(async () => {
        await host?.down();
        key?.cleanup();
      });

      it('plans the minimal profile from config.yaml.example with only username and key filled in and no variable set', async () => {
        const example = readFileSync(path.join(REPO_ROOT, 'config.yaml.example'), 'utf8')
          .replace(/^username: .*$/m, 'username: deploy').replace(/^ssh_public_key: .*$/m, `ssh_public_key: "${key.publicLine}"`);
        await writeConfig(host, example, '/root/example.yaml');
        const plan = await phanes(host, ['plan', '--profile', 'minimal', '--config', '/root/example.yaml'], { reject: false });
        assert.equal(plan.exitCode, 0, plan.stdout + plan.stderr);
        const validate = await phanes(host, ['validate', '--config', '/root/example.yaml'], { reject: false });
        assert.equal(validate.exitCode, 0, validate.stdout + validate.stderr);
        assert.match(validate.stdout + validate.stderr, /environment variable POSTGRES_PASSWORD is not set/);
        assert.match(validate.stdout + validate.stderr, /environment variable REDIS_PASSWORD is not set/);
        const database = await phanes(host, ['plan', '--modules', 'postgres,redis', '--config', '/root/example.yaml'], { reject: false });
        assert.equal(database.exitCode, 1, 'postgres and redis in the run need their variables');
        assert.match(database.stderr + database.stdout, /POSTGRES_PASSWORD is not set/);
      });

      it('changes exactly what plan predicted', () => {
        assert.ok(changed.includes('pg:role app') && changed.includes('pg:database app'), changed.join('\n'));
        assert.deepEqual(changed, planned);
      });

      it('lets the role in over TCP with its password, and refuses a wrong one', async () => {
        const ok = await psqlAs(host, PG_OLD);
        assert.equal(ok.stdout.trim(), '1', ok.stderr);
        const wrong = await psqlAs(host, 'Not-the-password-at-all-123');
        assert.notEqual(wrong.exitCode, 0);
        assert.match(wrong.stderr, /password authentication failed/);
      });

      it('stores scram-sha-256 verifiers and has no trust line in pg_hba.conf', async () => {
        const r = await host.exec(['runuser', '-u', 'postgres', '--', 'psql', '-XAtc', "select rolpassword like 'SCRAM-SHA-256$%' from pg_authid where rolname = 'app'"]);
        assert.equal(r.stdout.trim(), 't');
        const hba = (await host.exec('cat /etc/postgresql/*/main/pg_hba.conf')).stdout;
        assert.doesNotMatch(hba, /^[^#].*\btrust\b/m);
        assert.match(hba, /^local\s+all\s+postgres\s+peer$/m);
      });

      it('asks redis clients for the password: NOAUTH without it, PONG with REDISCLI_AUTH', async () => {
        const anon = await host.exec(['redis-cli', 'ping'], { reject: false });
        assert.match(anon.stdout + anon.stderr, /NOAUTH/);
        const auth = await host.exec(['redis-cli', 'ping'], { env: { REDISCLI_AUTH: REDIS } });
        assert.equal(auth.stdout.trim(), 'PONG');
        const mem = await host.exec(['redis-cli', 'config', 'get', 'maxmemory'], { env: { REDISCLI_AUTH: REDIS } });
        assert.match(mem.stdout, /^67108864$/m);
      });

      it('answers on neither 5432 nor 6379 from another lab host', async () => {
        // Both listen on loopback: from inside the host they answer, so the probe can tell.
        assert.equal((await host.exec(['timeout', '3', 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/5432'], { reject: false })).exitCode, 0, 'postgres answers on loopback');
        assert.equal((await host.exec(['timeout', '3', 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/6379'], { reject: false })).exitCode, 0, 'redis answers on loopback');
        // The other suite's host is the probe (two hosts at once at most): both meet here, probe, and part.
        const probe = await meeting.meet(suite, host);
        try {
          assert.equal(await answersFrom(probe, host, 22), true, 'ssh answers, so the probe reaches the host');
          assert.equal(await answersFrom(probe, host, 5432), false);
          assert.equal(await answersFrom(probe, host, 6379), false);
        } finally {
          await meeting.part(suite);
        }
      });

      it('changes nothing on a second apply', async () => {
        const t = Date.now();
        const out = await run(['apply', '--modules', MODULES, '--config', CONFIG]);
        console.log(`[e2e] ${suite}: no-change re-apply took ${((Date.now() - t) / 1000).toFixed(1)} s`);
        assert.equal(summaryOf(out).changed, 0, out);
      });

      it('changes the password when the config does: the old one is refused, the new one works', async () => {
        password = PG_NEW;
        const out = await run(['apply', '--modules', MODULES, '--config', CONFIG]);
        assert.match(out, /postgres role app: set password/);
        assert.equal(summaryOf(out).changed, 1, out);
        assert.notEqual((await psqlAs(host, PG_OLD)).exitCode, 0);
        assert.equal((await psqlAs(host, PG_NEW)).stdout.trim(), '1');
      });

      it('names the dropped role, the stopped redis and the edited pg_hba.conf in status, exit 2; apply repairs them', async () => {
        await host.exec(['runuser', '-u', 'postgres', '--', 'psql', '-Xqc', 'ALTER DATABASE app OWNER TO postgres', '-c', 'DROP ROLE app']);
        await host.exec('systemctl stop redis-server');
        await host.exec('echo "host all all 0.0.0.0/0 trust" >> /etc/postgresql/*/main/pg_hba.conf');
        const out = await run(['status'], 2);
        assert.match(out, /postgres role app/);
        assert.match(out, /service redis-server/);
        assert.match(out, /pg_hba\.conf/);
        await run(['status', '--json'], 2);
        await run(['diff']);
        await run(['apply', '--modules', MODULES, '--config', CONFIG]);
        await run(['status']);
        assert.equal((await psqlAs(host, PG_NEW)).stdout.trim(), '1');
      });

      it('never writes a password into the state dir, the output of plan, apply, status, diff or log, or any argv', async () => {
        await run(['plan', '--modules', MODULES, '--config', CONFIG]);
        await run(['plan', '--modules', MODULES, '--config', CONFIG, '--json']);
        await run(['status', '--json']);
        await run(['diff']);
        await run(['log']);
        await run(['log', '--json']);
        const state = await host.exec(['grep', '-rlF', ...SECRETS.flatMap((s) => ['-e', s]), '/var/lib/phanes'], { reject: false });
        assert.equal(state.stdout, '', `files in the state dir hold a password:\n${state.stdout}`);
        for (const s of SECRETS) for (const o of outputs) assert.ok(!o.includes(s), `an output holds a password:\n${o}`);
        const argv = await argvLogged(host);
        assert.ok(argv.some((l) => l.startsWith('runuser ') && l.includes('psql')), `phanes ran psql through runuser:\n${argv.join('\n')}`);
        for (const s of SECRETS) assert.ok(!argv.some((l) => l.includes(s)), 'an argv holds a password');
      });

      it('rolls redis back', async () => {
        await run(['rollback', 'redis']);
        assert.notEqual((await host.exec(['dpkg-query', '-W', '-f=${db:Status-Abbrev}', 'redis-server'], { reject: false })).stdout.trim(), 'ii');
      });

      it('refuses to roll postgres back while its database holds a table, and does it with --force', async () => {
        const t = await psqlAs(host, PG_NEW, 'create table kept (id int); insert into kept values (1); select count(*) from kept');
        assert.equal(t.stdout.trim(), '1', t.stderr);
        const refused = await run(['rollback', 'postgres'], 1);
        assert.match(refused, /database app holds 1 table/);
        assert.equal((await psqlAs(host, PG_NEW, 'select count(*) from kept')).stdout.trim(), '1', 'the data is still there');
        await run(['rollback', 'postgres', '--force']);
        assert.notEqual((await host.exec(['dpkg-query', '-W', '-f=${db:Status-Abbrev}', `postgresql-${suite === 'bookworm' ? 15 : 17}`], { reject: false })).stdout.trim(), 'ii');
      });

      it('leaves dpkg selections and /etc as before but for what the named reasons explain', async () => {
        const left = await unexplained(host, dpkgBefore, await packageSnapshot(host), etcBefore, await etcSnapshot(host));
        assert.deepEqual(left, []);
      });
    });
  }
});
