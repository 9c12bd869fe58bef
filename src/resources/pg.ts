import type { Snapshot } from '../../state/events.js';
import { REDACTED } from '../../state/redact.js';
import { PhanesError } from '../errors.js';
import type { FileStat, Host } from '../host/host.js';
import { isScram, scramVerifier, verifierMatches } from './scram.js';
import { octal, type Decl, type Kind, type KindContext } from './types.js';

/**
 * PostgreSQL roles and databases: one kind, so all of them are read in one psql session. Two kinds
 * of id: `role NAME` ({exists, login, password}) and `database NAME` ({exists, owner}). A role's
 * `password` reads as `<redacted>` when the stored verifier was made from the configured password
 * (derived again with its salt), so neither the password nor a hash of it is ever recorded.
 */
export interface PgOptions {
  /** The role's password (a secret: options are never recorded). */
  password?: string;
  /** Or a root-owned 0600 file on the host that holds it. */
  passwordFile?: string;
}

/** Every statement goes to psql on stdin, as the postgres superuser over the local socket (peer). */
export const psqlArgv = (psql: string): string[] => ['runuser', '-u', 'postgres', '--', psql, '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'];
const PG_LIB = '/usr/lib/postgresql';

/**
 * The newest installed psql itself, rather than Debian's /usr/bin/psql: that is pg_wrapper, a Perl
 * script whose start-up costs more than the whole query. `psql` (the wrapper) when none is installed yet.
 */
export async function psqlBinary(host: Host): Promise<string> {
  const versions = ((await host.listDirs([PG_LIB])).get(PG_LIB) ?? []).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a));
  const candidates = versions.map((v) => `${PG_LIB}/${v}/bin/psql`);
  const stats = await host.statFiles(candidates);
  return candidates.find((c) => stats.get(c)) ?? 'psql';
}

export function pgRole(name: string, options: PgOptions): Decl<PgOptions> {
  return { kind: 'pg', id: `role ${name}`, desired: { exists: true, login: true, password: REDACTED }, options };
}

export function pgDatabase(name: string, owner: string): Decl<PgOptions> {
  return { kind: 'pg', id: `database ${name}`, desired: { exists: true, owner } };
}

const split = (id: string): { type: 'role' | 'database'; name: string } => {
  const [type, name] = id.split(' ') as ['role' | 'database', string];
  return { type, name };
};
// Names are lower-case SQL identifiers (the schema says so); quoting keeps them exact anyway.
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const READ_ALL = `SELECT json_build_object(
  'roles', COALESCE((SELECT json_agg(json_build_object('name', rolname, 'login', rolcanlogin, 'verifier', rolpassword)) FROM pg_authid), '[]'::json),
  'databases', COALESCE((SELECT json_agg(json_build_object('name', datname, 'owner', pg_get_userbyid(datdba))) FROM pg_database), '[]'::json));\n`;

interface Catalog {
  roles: { name: string; login: boolean; verifier: string | null }[];
  databases: { name: string; owner: string }[];
}

/** What is wrong with a password file, or undefined when root alone can read it. */
function fileProblem(st: FileStat | null | undefined, data: Buffer | null | undefined): string | undefined {
  if (!st || !data) return 'missing or unreadable';
  if (st.isDirectory) return 'a directory';
  if ((st.mode & 0o077) !== 0 || st.owner !== 'root') return `mode ${octal(st.mode)} owner ${st.owner}: it must be root's and 0600`;
  if (passwordIn(data).length < 16) return 'holds fewer than 16 characters';
  return undefined;
}

/** The password in a file: its content without the final newline. */
const passwordIn = (data: Buffer): string => data.toString('utf8').replace(/\r?\n$/, '');

async function read(ctx: KindContext, decls: readonly Decl<PgOptions>[]): Promise<Map<string, Snapshot>> {
  const out = new Map<string, Snapshot>();
  if (!decls.length) return out;
  const files = [...new Set(decls.flatMap((d) => (d.options?.passwordFile ? [d.options.passwordFile] : [])))];
  const [res, stats, contents] = await Promise.all([
    psqlBinary(ctx.host).then((bin) => ctx.host.query(psqlArgv(bin), { input: READ_ALL, allowFailure: true })), // no server yet (plan before install): all absent
    ctx.host.statFiles(files),
    ctx.host.readFiles(files),
  ]);
  const catalog: Catalog = res.exitCode === 0 && res.stdout.trim() ? (JSON.parse(res.stdout) as Catalog) : { roles: [], databases: [] };
  for (const d of decls) {
    const { type, name } = split(d.id);
    if (type === 'database') {
      const db = catalog.databases.find((x) => x.name === name);
      out.set(d.id, db ? { exists: true, owner: db.owner } : { exists: false, owner: null });
      continue;
    }
    const role = catalog.roles.find((x) => x.name === name);
    if (!role) {
      out.set(d.id, { exists: false, login: false, password: null });
      continue;
    }
    out.set(d.id, { exists: true, login: role.login, password: passwordState(d.options, role.verifier, stats, contents) });
  }
  return out;
}

/** `<redacted>` when the stored verifier is the configured password's; else what is there instead. */
function passwordState(options: PgOptions | undefined, verifier: string | null, stats: Map<string, FileStat | null>, contents: Map<string, Buffer | null>): string | null {
  if (!verifier) return null;
  let password = options?.password;
  if (options?.passwordFile) {
    const problem = fileProblem(stats.get(options.passwordFile), contents.get(options.passwordFile));
    if (problem) return `unknown (password file ${options.passwordFile}: ${problem})`;
    password = passwordIn(contents.get(options.passwordFile)!);
  }
  // Rebuilt from the journal (status, rollback) there is no password to compare: a SCRAM one counts.
  if (password === undefined) return isScram(verifier) ? REDACTED : 'not scram-sha-256';
  return verifierMatches(password, verifier) ? REDACTED : 'another';
}

async function psql(ctx: KindContext, sql: string, options: { database?: string; secrets?: string[] } = {}): Promise<string> {
  const base = psqlArgv(await psqlBinary(ctx.host));
  const argv = options.database ? [...base, '-d', options.database] : base;
  const res = await ctx.host.run(argv, { input: sql, secrets: [...ctx.secrets, ...(options.secrets ?? [])] });
  return res.stdout;
}

/** The configured password of a role, from the config or its file (checked again: it is read as root). */
async function passwordOf(ctx: KindContext, decl: Decl<PgOptions>): Promise<string> {
  const file = decl.options?.passwordFile;
  if (file) {
    const [stats, contents] = await Promise.all([ctx.host.statFiles([file]), ctx.host.readFiles([file])]);
    const problem = fileProblem(stats.get(file), contents.get(file));
    if (problem) throw new PhanesError(`password file ${file} of postgres ${decl.id}: ${problem}`, { suggestion: `write the password into ${file}, then chown root:root and chmod 600 it` });
    return passwordIn(contents.get(file)!);
  }
  if (!decl.options?.password) throw new PhanesError(`postgres ${decl.id} has no password`, { suggestion: 'set its password in the config' });
  return decl.options.password;
}

/** Tables, partitioned tables, materialized views and sequences of users in a database. */
async function userRelations(ctx: KindContext, database: string): Promise<number> {
  const out = await psql(ctx, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','m','S') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%';\n", { database });
  return Number(out.trim());
}

export const pgKind: Kind<PgOptions> = {
  name: 'pg',
  label: (d) => `postgres ${d.id}`,
  read,
  diff(current, decl) {
    const { type } = split(decl.id);
    if (decl.desired.exists === false) return current.exists === true ? ['drop'] : [];
    if (current.exists !== true) return [type === 'role' ? 'create (login, scram-sha-256 password)' : `create (owner ${String(decl.desired.owner)})`];
    if (type === 'database') return current.owner === decl.desired.owner ? [] : [`owner: ${String(current.owner)} → ${String(decl.desired.owner)}`];
    return [
      ...(current.login === true ? [] : ['allow login']),
      ...(current.password === REDACTED ? [] : [current.password === null ? 'set password' : `set password (now ${String(current.password)})`]),
    ];
  },
  predict: (current, decl) => ({ ...current, ...decl.desired }),
  async converge(ctx, decl, current) {
    const { type, name } = split(decl.id);
    if (type === 'database') {
      const owner = ident(String(decl.desired.owner));
      await psql(ctx, current.exists === true ? `ALTER DATABASE ${ident(name)} OWNER TO ${owner};\n` : `CREATE DATABASE ${ident(name)} OWNER ${owner};\n`);
      return;
    }
    const password = await passwordOf(ctx, decl);
    const verifier = scramVerifier(password);
    // Only the verifier travels, on stdin; an error that quotes the statement is redacted all the same.
    await psql(ctx, `${current.exists === true ? 'ALTER' : 'CREATE'} ROLE ${ident(name)} WITH LOGIN PASSWORD '${verifier}';\n`, { secrets: [verifier, password] });
  },
  async revert(ctx, decl, current, target) {
    const { type, name } = split(decl.id);
    if (current.exists !== true) return { result: 'restored' };
    if (type === 'database') {
      if (target.exists === true) {
        await psql(ctx, `ALTER DATABASE ${ident(name)} OWNER TO ${ident(String(target.owner))};\n`);
        return { result: 'restored' };
      }
      const relations = await userRelations(ctx, name);
      if (relations > 0 && !ctx.force) {
        return { result: 'refused', note: `database ${name} holds ${relations} table(s) or sequence(s): it stays, and so does everything the rollback would have undone after it; back it up, then rollback --force drops it` };
      }
      await psql(ctx, `DROP DATABASE ${ident(name)}${ctx.force ? ' WITH (FORCE)' : ''};\n`);
      return { result: 'restored', ...(relations > 0 ? { note: `dropped with its ${relations} table(s) or sequence(s) (--force)` } : {}) };
    }
    if (target.exists === true) return { result: 'left', note: `role ${name} existed before: it stays, with the password Phanes set (a previous password is never recorded)` };
    await psql(ctx, `DROP ROLE IF EXISTS ${ident(name)};\n`);
    return { result: 'restored' };
  },
};
