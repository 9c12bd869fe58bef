import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterDir, DISTRO_POSTGRES, hbaNetworks, postgres, postgresFiles, versionProblem } from '../../modules/postgres.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import type { ModuleContext } from '../../src/engine/module.js';
import { kindContext } from '../../src/engine/context.js';
import { nullRecorder } from '../../src/engine/recorder.js';
import type { SystemFacts } from '../../src/facts/system.js';
import type { RunOptions, RunResult } from '../../src/host/host.js';
import { pgDatabase, pgKind, pgRole } from '../../src/resources/pg.js';
import { scramVerifier, verifierMatches } from '../../src/resources/scram.js';
import { keyOf } from '../../src/resources/types.js';
import { FixtureHost } from './support/fixture-host.js';
import { planWith } from './support/plan.js';

const BOOKWORM: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };
const TRIXIE: SystemFacts = { ...BOOKWORM, versionId: '13', codename: 'trixie' };
const PASSWORD = 'correct-horse-battery-staple';

const pgConfig = (o: Partial<Config['postgres']> = {}): Config => {
  const c = defaultConfig();
  return { ...c, postgres: { ...c.postgres, roles: [{ name: 'app', password: PASSWORD }], ...o } };
};
const ctxOf = (config: Config, system = BOOKWORM): ModuleContext => ({ config, system, modules: ['postgres'] });

/** A fixture host that also keeps what each command got on stdin. */
class StdinHost extends FixtureHost {
  readonly inputs: string[] = [];
  override async run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    this.inputs.push(options?.input ?? '');
    return super.run(argv);
  }
  override async query(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    this.inputs.push(options?.input ?? '');
    return super.query(argv, options);
  }
}

const catalog = (roles: object[], databases: object[] = []): string => `${JSON.stringify({ roles, databases })}\n`;

describe('SCRAM-SHA-256 verifiers', () => {
  it('are made as PostgreSQL stores them: iterations, salt, StoredKey and ServerKey in base64', () => {
    assert.match(scramVerifier(PASSWORD), /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
  });

  it('match the password they were made from, derived again with their own salt, and no other', () => {
    const v = scramVerifier(PASSWORD);
    assert.equal(verifierMatches(PASSWORD, v), true);
    assert.equal(verifierMatches('another-password-entirely', v), false);
    assert.equal(verifierMatches(PASSWORD, 'md5abcdef'), false);
    assert.notEqual(scramVerifier(PASSWORD), v, 'a fresh salt each time');
  });
});

describe('postgres version and source', () => {
  it("takes the distribution's version when none is given: 15 on Debian 12, 17 on Debian 13", () => {
    assert.equal(DISTRO_POSTGRES['debian 12'], '15');
    assert.equal(DISTRO_POSTGRES['debian 13'], '17');
    assert.ok(postgres.resources(ctxOf(pgConfig())).some((d) => d.id === 'postgresql-15'));
    assert.ok(postgres.resources(ctxOf(pgConfig(), TRIXIE)).some((d) => d.id === 'postgresql-17'));
  });

  it('refuses a version the distribution lacks, naming the key and the way out, before any change', () => {
    const problems = postgres.preflight!(ctxOf(pgConfig({ version: '16' })));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^postgres\.version: PostgreSQL 16 is not in Debian 12's own packages \(it ships 15\); write version: "" for 15, or source: upstream/);
    assert.deepEqual(postgres.resources(ctxOf(pgConfig({ version: '16' }))), []);
    assert.equal(versionProblem(pgConfig({ version: '15' }).postgres, BOOKWORM), undefined);
  });

  it('with source: upstream adds PGDG with its key and a deb822 source for the suite, then installs that version', () => {
    const decls = postgres.resources(ctxOf(pgConfig({ version: '16', source: 'upstream' })));
    assert.deepEqual(postgres.preflight!(ctxOf(pgConfig({ version: '16', source: 'upstream' }))), []);
    const keys = decls.map(keyOf);
    assert.deepEqual(keys.slice(0, 4), ['command:fetch pgdg signing key', 'file:/etc/apt/sources.list.d/pgdg.sources', 'apt-update:pgdg', 'package:postgresql-16']);
    const sources = decls[1]!.options as { content: string };
    assert.equal(sources.content, [
      '# Managed by Phanes: the pgdg repository.', 'Types: deb', 'URIs: https://apt.postgresql.org/pub/repos/apt',
      'Suites: bookworm-pgdg', 'Components: main', 'Signed-By: /etc/apt/keyrings/pgdg.asc', '',
    ].join('\n'));
  });
});

describe('postgres files', () => {
  const files = postgresFiles(pgConfig().postgres, '15');
  const hba = files[`${clusterDir('15')}/pg_hba.conf`]!;

  it('manages pg_hba.conf with peer for the postgres superuser, scram-sha-256 for TCP and no trust', () => {
    const rules = hba.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/));
    assert.deepEqual(rules[0], ['local', 'all', 'postgres', 'peer']);
    assert.ok(rules.filter((r) => r[0] === 'host').every((r) => r[4] === 'scram-sha-256'));
    assert.deepEqual(rules.filter((r) => r[0] === 'host' && r[1] === 'all').map((r) => r[3]), ['127.0.0.1/32', '::1/128']);
    assert.doesNotMatch(hba, /^[^#].*\btrust\b/m);
  });

  it('sets scram-sha-256 password encryption and listens on localhost unless told otherwise', () => {
    assert.match(files[`${clusterDir('15')}/conf.d/50-phanes.conf`]!, /^password_encryption = 'scram-sha-256'$/m);
    assert.match(files[`${clusterDir('15')}/conf.d/50-phanes-listen.conf`]!, /^listen_addresses = 'localhost'$/m);
    assert.deepEqual(hbaNetworks(['localhost', '10.0.0.5']), ['0.0.0.0/0', '::/0']);
  });

  it('reloads for pg_hba.conf and settings, and restarts the cluster only for listen_addresses', () => {
    const decls = postgres.resources(ctxOf(pgConfig()));
    const notify = (suffix: string): string[] | undefined => decls.find((d) => d.id.endsWith(suffix))?.notify;
    assert.deepEqual(notify('pg_hba.conf'), ['service:postgresql']);
    assert.deepEqual(notify('50-phanes.conf'), ['service:postgresql']);
    assert.deepEqual(notify('50-phanes-listen.conf'), ['service:postgresql@15-main']);
    assert.deepEqual(decls.filter((d) => d.kind === 'service').map((d) => [d.id, (d.options as { onChange: string }).onChange]), [['postgresql@15-main', 'restart'], ['postgresql', 'reload']]);
  });
});

describe('the pg kind', () => {
  it('reads every role and database in one psql session, fed on stdin', async () => {
    const host = new StdinHost({ commands: [{ match: /psql/, stdout: catalog([], []) }] });
    const ctx = kindContext(host, nullRecorder(async () => Buffer.alloc(0)), []);
    await pgKind.read(ctx, [pgRole('app', { password: PASSWORD }), pgRole('b', { password: PASSWORD }), pgDatabase('app', 'app')]);
    assert.equal(host.queries.length, 1);
    assert.match(host.queries[0]!, /^runuser -u postgres -- psql /);
    assert.match(host.inputs[0]!, /FROM pg_authid[\s\S]*FROM pg_database/);
  });

  it('sees a role in sync when its verifier is the configured password, and a changed password otherwise', async () => {
    const host = new FixtureHost({ commands: [{ match: /psql/, stdout: catalog([{ name: 'app', login: true, verifier: scramVerifier(PASSWORD) }]) }] });
    const ctx = kindContext(host, nullRecorder(async () => Buffer.alloc(0)), []);
    const same = (await pgKind.read(ctx, [pgRole('app', { password: PASSWORD })])).get('role app')!;
    assert.deepEqual(pgKind.diff(same, pgRole('app', { password: PASSWORD }), ctx), []);
    const other = (await pgKind.read(ctx, [pgRole('app', { password: 'a-new-password-of-length' })])).get('role app')!;
    assert.deepEqual(pgKind.diff(other, pgRole('app', { password: 'a-new-password-of-length' }), ctx), ['set password (now another)']);
    assert.doesNotMatch(JSON.stringify(other), /SCRAM|correct-horse/, 'the snapshot holds neither the verifier nor the password');
  });

  it('reads a password file only when root alone can read it, and compares its content otherwise', async () => {
    const verifier = scramVerifier(PASSWORD);
    const facts = (mode: number) => ({
      files: { '/etc/phanes/app.password': { content: `${PASSWORD}\n`, mode } },
      commands: [{ match: /psql/, stdout: catalog([{ name: 'app', login: true, verifier }]) }],
    });
    const decl = pgRole('app', { passwordFile: '/etc/phanes/app.password' });
    const open = kindContext(new FixtureHost(facts(0o644)), nullRecorder(async () => Buffer.alloc(0)), []);
    const loose = (await pgKind.read(open, [decl])).get('role app')!;
    assert.deepEqual(pgKind.diff(loose, decl, open), ["set password (now unknown (password file /etc/phanes/app.password: mode 0644 owner root: it must be root's and 0600))"]);
    await assert.rejects(pgKind.converge(open, decl, loose), (e: Error & { suggestion?: string }) => /must be root's and 0600/.test(e.message) && /chmod 600/.test(e.suggestion ?? ''));
    const tight = kindContext(new FixtureHost(facts(0o600)), nullRecorder(async () => Buffer.alloc(0)), []);
    assert.deepEqual(pgKind.diff((await pgKind.read(tight, [decl])).get('role app')!, decl, tight), []);
  });

  it('creates a role by sending only a fresh verifier on stdin: the password is in no argv and no input', async () => {
    const host = new StdinHost({});
    const ctx = kindContext(host, nullRecorder(async () => Buffer.alloc(0)), []);
    await pgKind.converge(ctx, pgRole('app', { password: PASSWORD }), { exists: false });
    assert.equal(host.runs.length, 1);
    assert.doesNotMatch(host.runs[0]!, /SCRAM|correct-horse/);
    const sql = host.inputs.at(-1)!;
    assert.match(sql, /^CREATE ROLE "app" WITH LOGIN PASSWORD 'SCRAM-SHA-256\$4096:[^']+';$/m);
    assert.equal(verifierMatches(PASSWORD, /'(SCRAM[^']+)'/.exec(sql)![1]), true);
    assert.doesNotMatch(sql, /correct-horse/);
  });

  it('plans a role and a database to create on a host without PostgreSQL', async () => {
    const { planned } = await planWith({}, [pgRole('app', { password: PASSWORD }), pgDatabase('app', 'app')]);
    assert.deepEqual(planned.map((s) => [s.label, s.changes]), [
      ['postgres role app', ['create (login, scram-sha-256 password)']],
      ['postgres database app', ['create (owner app)']],
    ]);
  });

  it('refuses to drop a database that holds tables unless forced, and drops an empty one', async () => {
    const full = new FixtureHost({ commands: [{ match: /psql/, stdout: '2\n' }] });
    // FixtureHost.run answers nothing; the count comes from run (psql), so answer it there too.
    full.run = async (argv) => { full.runs.push(argv.join(' ')); return { stdout: '2\n', stderr: '', exitCode: 0 }; };
    const refused = await pgKind.revert(kindContext(full, nullRecorder(async () => Buffer.alloc(0)), []), pgDatabase('app', 'app'), { exists: true, owner: 'app' }, { exists: false, owner: null });
    assert.equal(refused.result, 'refused');
    assert.match(refused.note!, /database app holds 2 table\(s\) or sequence\(s\)/);
    assert.equal(full.runs.length, 1, 'only the count ran');
    const forced = await pgKind.revert(kindContext(full, nullRecorder(async () => Buffer.alloc(0)), [], true), pgDatabase('app', 'app'), { exists: true, owner: 'app' }, { exists: false, owner: null });
    assert.equal(forced.result, 'restored');
    assert.equal(full.runs.length, 3);
  });
});
