import { createHash } from 'node:crypto';
import { node, type SchemaNode } from './keywords.js';
import { valueAt, type Segment } from './paths.js';
import { ConfigSchema, type Config } from './schema.js';

/** What stands in for a secret value. */
export const REDACTED = '<redacted>';

/** Dotted paths of the fields the schema marks `secret`; `[]` stands for any list item, e.g. `postgres.roles[].password`. */
export function secretPaths(root: SchemaNode = node(ConfigSchema), prefix = ''): string[] {
  return Object.entries(root.properties ?? {}).flatMap(([key, child]) => {
    const here = `${prefix}${key}`;
    if (child.secret === true) return [here];
    if (child.items) return secretPaths(child.items, `${here}[].`);
    return child.properties ? secretPaths(child, `${here}.`) : [];
  });
}

/** Every secret field in a config value, list items included: where it is and its value. */
export function secretFields(value: unknown, schema: SchemaNode = node(ConfigSchema), path: Segment[] = []): { path: Segment[]; value: unknown }[] {
  if (schema.secret === true) return [{ path, value }];
  if (schema.items && Array.isArray(value)) return value.flatMap((item, i) => secretFields(item, schema.items!, [...path, i]));
  if (!schema.properties || typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  return Object.entries(schema.properties).flatMap(([key, child]) => (key in record ? secretFields(record[key], child, [...path, key]) : []));
}

/** The non-empty secret values of a config, for the redactor. */
export function secretValues(config: Config): string[] {
  const values = secretFields(config).map((f) => f.value);
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
}

/** A copy of the config with every non-empty secret replaced by `<redacted>` (empty ones stay visibly unset). */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config);
  for (const { path, value } of secretFields(copy)) {
    const parent = valueAt(copy, path.slice(0, -1)) as Record<Segment, unknown> | undefined;
    if (parent && typeof value === 'string' && value !== '') parent[path[path.length - 1]!] = REDACTED;
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
