import type { Host } from './host.js';

type Runner = Pick<Host, 'query' | 'run'>;

/** The first OID a database created after initdb gets (FirstNormalObjectId): below it, only template0/1 and postgres. */
const FIRST_USER_OID = 16384;

/**
 * The PostgreSQL versions whose first configuration was cut short (dpkg status half-configured and no
 * version ever configured): their postinst was the one running pg_createcluster for the main cluster.
 */
export async function firstConfigureCutShort(host: Pick<Host, 'query'>): Promise<string[]> {
  const r = await host.query(['dpkg-query', '-W', '-f=${db:Status-Status}\t${Config-Version}\t${Package}\n', 'postgresql-[0-9]*'], { allowFailure: true });
  return r.stdout.split('\n').map((l) => l.split('\t'))
    .filter(([status, configured, pkg]) => status === 'half-configured' && configured === '' && /^postgresql-\d+$/.test(pkg ?? ''))
    .map(([, , pkg]) => pkg!.slice('postgresql-'.length));
}

/**
 * A kill while postgresql-N's postinst ran pg_createcluster leaves the main cluster half-made: its
 * postgresql.conf written but not yet finished, or initdb stopped in its bootstrap. `dpkg --configure -a`
 * runs the postinst again, which sees a postgresql.conf and keeps that cluster as it is. Such a cluster
 * came from this very first install and holds no database of anyone's yet, so it is dropped and the
 * postinst makes it again, whole. One that holds a database (an OID from 16384 up) is never touched.
 */
export async function dropHalfMadeClusters(host: Runner, say: (message: string) => void): Promise<void> {
  for (const version of await firstConfigureCutShort(host)) {
    const conf = `/etc/postgresql/${version}/main`;
    const data = `/var/lib/postgresql/${version}/main`;
    const [exists, base] = await Promise.all([
      host.query(['test', '-e', conf, '-o', '-e', data], { allowFailure: true }),
      host.query(['find', `${data}/base`, '-mindepth', '1', '-maxdepth', '1', '-printf', '%f\n'], { allowFailure: true }),
    ]);
    if (exists.exitCode !== 0) continue;
    const databases = base.stdout.split('\n').filter((n) => /^\d+$/.test(n) && Number(n) >= FIRST_USER_OID);
    if (databases.length) {
      say(`postgresql-${version} was cut short while making its main cluster, which already holds ${databases.length} database(s): kept as it is`);
      continue;
    }
    say(`postgresql-${version} was cut short while making its main cluster (${conf}): dropping it, empty as it is, so that its postinst makes it again, whole`);
    // The killed postinst may have left systemd starting it: stopping the unit waits for that job and
    // stops what it started, so nothing runs on the files about to go (nor keeps port 5432 from the new one).
    await host.run(['systemctl', 'stop', '--', `postgresql@${version}-main`], { allowFailure: true });
    const dropped = await host.run(['pg_dropcluster', '--stop', version, 'main'], { allowFailure: true });
    // pg_dropcluster needs a postgresql.conf to find the cluster; without one the two directories are all there is.
    if (dropped.exitCode !== 0) await host.run(['rm', '-rf', '--one-file-system', '--', conf, data]);
  }
}
