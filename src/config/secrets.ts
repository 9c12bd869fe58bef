import { createHash } from 'node:crypto';
import { valueAt } from './paths.js';
import type { Config } from './schema.js';
import { schemaFields } from './walk.js';

/** What stands in for a secret value. */
export const REDACTED = '<redacted>';

/** Dotted paths of the fields the schema marks `secret`, e.g. `postgres.password`. */
export function secretPaths(): string[] {
  return schemaFields()
    .filter((f) => f.schema.secret === true)
    .map((f) => f.path.join('.'));
}

/** The non-empty secret values of a config, for the redactor. */
export function secretValues(config: Config): string[] {
  const values = secretPaths().map((p) => valueAt(config, p.split('.')));
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
}

/** A copy of the config with every non-empty secret replaced by `<redacted>` (empty ones stay visibly unset). */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config);
  for (const path of secretPaths()) {
    const keys = path.split('.');
    const parent = valueAt(copy, keys.slice(0, -1)) as Record<string, unknown> | undefined;
    const last = keys[keys.length - 1]!;
    if (parent && typeof parent[last] === 'string' && parent[last] !== '') parent[last] = REDACTED;
  }
  return copy;
}

/** JSON with keys sorted at every level, so equal configs always serialize the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Fingerprint of a config for the journal: sha256 of the canonical JSON of the redacted config. */
export function configSha256(config: Config): string {
  return createHash('sha256').update(canonicalJson(redactConfig(config))).digest('hex');
}
