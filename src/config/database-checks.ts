import { ALL_MODULE_NAMES } from '../engine/module-names.js';
import type { Segment } from './paths.js';
import type { RawIssue } from './raw-issue.js';

const MODULE_NAMES: readonly string[] = ALL_MODULE_NAMES;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Which parts of the config a run uses. A section named after a module belongs to that module: it
 * counts only when the module is in the run and not switched off. Every other key always counts.
 * `modules` undefined (validate) means every module.
 */
export function runScope(modules: readonly string[] | undefined): {
  skip: (path: readonly Segment[], value: unknown) => boolean;
  inRun: (module: string, section: unknown) => boolean;
} {
  const inRun = (module: string, section: unknown): boolean =>
    (modules === undefined || modules.includes(module)) && !(isRecord(section) && section.enabled === false);
  const skip = (path: readonly Segment[], value: unknown): boolean =>
    path.length === 1 && typeof path[0] === 'string' && MODULE_NAMES.includes(path[0]) && !inRun(path[0], value);
  return { skip, inRun };
}

const HOW = 'write it as a reference, e.g. "${POSTGRES_PASSWORD}", and export the variable (`openssl rand -base64 24` makes a good one)';

/**
 * Passwords a database module cannot run without: every postgres role needs one (or a password file),
 * redis needs requirepass. A database reachable without a password is what Phanes exists to prevent,
 * so a run with the module refuses; validate only warns (it runs nothing).
 */
export function requiredSecretIssues(config: Record<string, unknown>, inRun: (module: string, section: unknown) => boolean): RawIssue[] {
  const issues: RawIssue[] = [];
  const postgres = config.postgres;
  if (isRecord(postgres) && inRun('postgres', postgres) && Array.isArray(postgres.roles)) {
    postgres.roles.forEach((role: unknown, i) => {
      if (!isRecord(role)) return;
      const path = ['postgres', 'roles', i];
      const hasPassword = typeof role.password === 'string' && role.password !== '';
      const hasFile = typeof role.password_file === 'string' && role.password_file !== '';
      if (hasPassword && hasFile) issues.push({ path: [...path, 'password_file'], target: 'key', message: 'give password or password_file, not both', suggestion: 'keep the one you want and delete the other' });
      else if (!hasPassword && !hasFile) {
        issues.push({ path: [...path, 'password' in role ? 'password' : 'name'], target: 'value', message: `role ${String(role.name)} has no password: PostgreSQL would be reachable without one`, suggestion: `${HOW}, or set password_file to a root-owned 0600 file` });
      }
    });
  }
  const redis = config.redis;
  if (isRecord(redis) && inRun('redis', redis) && redis.password === '') {
    issues.push({ path: ['redis', 'password'], target: 'value', message: 'redis has no password: anyone who reaches the port could read and write every key', suggestion: HOW.replace('POSTGRES', 'REDIS') });
  }
  return issues;
}

/** Each role and database listed once, and each database owned by a listed role (or postgres). */
export function postgresListIssues(config: Record<string, unknown>): RawIssue[] {
  const issues: RawIssue[] = [];
  const postgres = config.postgres;
  if (isRecord(postgres) && Array.isArray(postgres.databases) && Array.isArray(postgres.roles)) {
    const roles = new Set(postgres.roles.filter(isRecord).map((r) => r.name));
    for (const list of ['roles', 'databases'] as const) {
      const seen = new Set<unknown>();
      (postgres[list] as unknown[]).forEach((r, i) => {
        if (isRecord(r) && seen.has(r.name)) issues.push({ path: ['postgres', list, i, 'name'], target: 'value', message: `${String(r.name)} is listed twice`, suggestion: `list each of postgres.${list} once` });
        if (isRecord(r)) seen.add(r.name);
      });
    }
    postgres.databases.forEach((d: unknown, i) => {
      if (!isRecord(d)) return;
      const owner = d.owner ?? d.name;
      if (owner !== 'postgres' && !roles.has(owner)) {
        issues.push({ path: ['postgres', 'databases', i, d.owner === undefined ? 'name' : 'owner'], target: 'value', message: `owner ${String(owner)} is not one of postgres.roles`, suggestion: `add a role named ${String(owner)} to postgres.roles, or name one of its roles as owner` });
      }
    });
  }
  return issues;
}
