import { Value } from '@sinclair/typebox/value';
import { node, type SchemaNode } from './keywords.js';
import { ConfigSchema, type Config } from './schema.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Fills missing keys from the schema's defaults, in place. Written out rather than Value.Default,
 * which merges a default `{}` into a list given where a mapping belongs and so hides that mistake.
 */
export function fillDefaults(schema: SchemaNode, value: unknown): unknown {
  const filled = value === undefined ? Value.Clone(schema.default) : value;
  if (schema.properties && isPlainObject(filled)) {
    for (const [key, child] of Object.entries(schema.properties)) {
      const v = fillDefaults(child, filled[key]);
      if (v !== undefined) filled[key] = v;
    }
  }
  return filled;
}

/** The config an empty file gives. */
export function defaultConfig(): Config {
  // Filling an empty mapping builds every key from the schema, which is exactly a Config.
  return fillDefaults(node(ConfigSchema), {}) as Config;
}
