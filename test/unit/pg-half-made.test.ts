import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunOptions, RunResult } from '../../src/host/host.js';
import { dropHalfMadeClusters, firstConfigureCutShort } from '../../src/host/pg-half-made.js';
import { MemoryHost } from './support/memory-host.js';

const ok = (stdout = ''): RunResult => ({ stdout, stderr: '', exitCode: 0 });

/** dpkg says what `status` holds; the cluster's directories exist and base/ lists `oids`. */
class PgHost extends MemoryHost {
  constructor(private readonly status: string, private readonly oids: string[], private readonly exists = true) {
    super();
  }
  override async query(argv: readonly string[], o?: RunOptions): Promise<RunResult> {
    if (argv[0] === 'dpkg-query') return ok(this.status);
    if (argv[0] === 'test') return { ...ok(), exitCode: this.exists ? 0 : 1 };
    if (argv[0] === 'find') return ok(this.oids.map((n) => `${n}\n`).join(''));
    return super.query(argv, o);
  }
}

describe('a postgres cluster a kill left half-made', () => {
  it('is a first configure of postgresql-N cut short: half-configured and never configured before', async () => {
    const host = new PgHost('half-configured\t\tpostgresql-15\nhalf-configured\t15.19-0+deb12u1\tpostgresql-16\ninstalled\t\tpostgresql-17\nhalf-configured\t\tpostgresql-client-15\n', []);
    assert.deepEqual(await firstConfigureCutShort(host), ['15']);
  });

  it('is dropped when it holds only the databases initdb makes, so the postinst makes it again', async () => {
    const host = new PgHost('half-configured\t\tpostgresql-15\n', ['1', '4', '5']);
    const said: string[] = [];
    await dropHalfMadeClusters(host, (m) => said.push(m));
    assert.deepEqual(host.runs, ['systemctl stop -- postgresql@15-main', 'pg_dropcluster --stop 15 main']);
    assert.match(said[0]!, /^postgresql-15 was cut short while making its main cluster \(\/etc\/postgresql\/15\/main\): dropping it/);
  });

  it('goes by its directories when pg_dropcluster cannot find it (no postgresql.conf yet)', async () => {
    const host = new PgHost('half-configured\t\tpostgresql-15\n', ['1']);
    host.failing = [/^pg_dropcluster/];
    await dropHalfMadeClusters(host, () => undefined);
    assert.deepEqual(host.runs, ['systemctl stop -- postgresql@15-main', 'pg_dropcluster --stop 15 main', 'rm -rf --one-file-system -- /etc/postgresql/15/main /var/lib/postgresql/15/main']);
  });

  it('is never touched once it holds a database, nor when there is none, nor after a finished configure', async () => {
    const said: string[] = [];
    const holding = new PgHost('half-configured\t\tpostgresql-15\n', ['1', '4', '5', '16384']);
    await dropHalfMadeClusters(holding, (m) => said.push(m));
    assert.deepEqual(holding.runs, []);
    assert.match(said[0]!, /already holds 1 database\(s\): kept as it is$/);
    const none = new PgHost('half-configured\t\tpostgresql-15\n', [], false);
    await dropHalfMadeClusters(none, () => undefined);
    const upgrade = new PgHost('half-configured\t15.19-0+deb12u1\tpostgresql-15\n', ['1']);
    await dropHalfMadeClusters(upgrade, () => undefined);
    assert.deepEqual([...none.runs, ...upgrade.runs], []);
  });
});
