import type { Config } from '../src/config/index.js';
import type { Module, ModuleContext } from '../src/engine/module.js';
import type { SystemFacts } from '../src/facts/system.js';
import { render } from '../src/render.js';
import { aptRepo } from '../src/resources/apt-repo.js';
import { file } from '../src/resources/file.js';
import { pkg } from '../src/resources/package.js';
import { pgDatabase, pgRole } from '../src/resources/pg.js';
import { service } from '../src/resources/service.js';
import type { Decl } from '../src/resources/types.js';

/** The PostgreSQL major version each release ships in its own archive. */
export const DISTRO_POSTGRES: Readonly<Record<string, string>> = {
  'debian 11': '13', 'debian 12': '15', 'debian 13': '17', 'ubuntu 22.04': '14', 'ubuntu 24.04': '16',
};

type Pg = Config['postgres'];
const release = (s: Pick<SystemFacts, 'distro' | 'versionId'>): string => `${s.distro} ${s.versionId}`;
const releaseName = (s: Pick<SystemFacts, 'distro' | 'versionId'>): string => `${s.distro === 'ubuntu' ? 'Ubuntu' : s.distro === 'debian' ? 'Debian' : s.distro} ${s.versionId}`;

/** The major version to install: the configured one, else the distribution's (undefined when unknown). */
export function postgresVersion(pg: Pg, system: Pick<SystemFacts, 'distro' | 'versionId'>): string | undefined {
  return pg.version || DISTRO_POSTGRES[release(system)];
}

/** Why the configured version cannot be installed from the chosen source on this release, if it cannot. */
export function versionProblem(pg: Pg, system: Pick<SystemFacts, 'distro' | 'versionId'>): string | undefined {
  const own = DISTRO_POSTGRES[release(system)];
  if (!pg.version && !own) return `postgres.version: Phanes does not know which PostgreSQL ${releaseName(system)} ships; set postgres.version (and source: upstream for PGDG's packages)`;
  if (pg.source === 'distro' && pg.version && own && pg.version !== own) {
    return `postgres.version: PostgreSQL ${pg.version} is not in ${releaseName(system)}'s own packages (it ships ${own}); write version: "" for ${own}, or source: upstream to install ${pg.version} from PGDG`;
  }
  return undefined;
}

export const clusterDir = (version: string): string => `/etc/postgresql/${version}/main`;
export const LISTEN_FILE = 'conf.d/50-phanes-listen.conf';
export const SETTINGS_FILE = 'conf.d/50-phanes.conf';

/** The networks pg_hba.conf lets in over TCP (always with a scram-sha-256 password): loopback, or any when listening beyond it. */
export function hbaNetworks(listen: readonly string[]): string[] {
  const local = listen.every((a) => a === 'localhost' || a === '127.0.0.1' || a === '::1');
  return local ? ['127.0.0.1/32', '::1/128'] : ['0.0.0.0/0', '::/0'];
}

export function postgresFiles(pg: Pg, version: string): Record<string, string> {
  const dir = clusterDir(version);
  return {
    [`${dir}/${SETTINGS_FILE}`]: render('postgres/phanes.conf.liquid', {}),
    [`${dir}/${LISTEN_FILE}`]: render('postgres/listen.conf.liquid', { listen: pg.listen }),
    [`${dir}/pg_hba.conf`]: render('postgres/pg_hba.conf.liquid', { networks: hbaNetworks(pg.listen).map((n) => n.padEnd(24)) }),
  };
}

/** PGDG, the PostgreSQL project's repository (source: upstream). Not reachable from the test lab. */
export function pgdgRepo(codename: string): Decl[] {
  return aptRepo({
    name: 'pgdg',
    keyUrl: 'https://www.postgresql.org/media/keys/ACCC4CF8.asc',
    uri: 'https://apt.postgresql.org/pub/repos/apt',
    suites: [`${codename}-pgdg`],
    components: ['main'],
  });
}

function resources({ config, system }: ModuleContext): Decl[] {
  const pg = config.postgres;
  const version = postgresVersion(pg, system);
  if (!pg.enabled || !version || versionProblem(pg, system)) return [];
  const dir = clusterDir(version);
  const reload = ['service:postgresql'];
  const restart = [`service:postgresql@${version}-main`];
  const files = postgresFiles(pg, version);
  return [
    ...(pg.source === 'upstream' ? pgdgRepo(system.codename) : []),
    pkg(`postgresql-${version}`),
    file(`${dir}/${SETTINGS_FILE}`, { content: files[`${dir}/${SETTINGS_FILE}`]!, owner: 'postgres', notify: reload }),
    file(`${dir}/${LISTEN_FILE}`, { content: files[`${dir}/${LISTEN_FILE}`]!, owner: 'postgres', notify: restart }),
    file(`${dir}/pg_hba.conf`, { content: files[`${dir}/pg_hba.conf`]!, mode: 0o640, owner: 'postgres', notify: reload }),
    // The cluster's own unit is restarted only when a setting needs it (listen_addresses), so plan says
    // which one happens; postgresql.service starts the clusters and passes a reload on to them. The
    // cluster comes first: on a fresh install (its start held back while apt ran) it starts here, once.
    { kind: 'service', id: `postgresql@${version}-main`, desired: { active: true }, options: { onChange: 'restart' } },
    service('postgresql', { onChange: 'reload' }),
    ...pg.roles.map((r) => pgRole(r.name, r.password_file ? { passwordFile: r.password_file } : { password: r.password ?? '' })),
    ...pg.databases.map((d) => pgDatabase(d.name, d.owner ?? d.name)),
  ];
}

export const postgres: Module = {
  name: 'postgres',
  description: 'PostgreSQL server, databases and roles',
  resources,
  preflight({ config, system }) {
    if (!config.postgres.enabled) return [];
    const problem = versionProblem(config.postgres, system);
    return problem ? [problem] : [];
  },
};
