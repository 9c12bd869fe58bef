import { fillDefaults } from './defaults.js';
import type { SchemaNode } from './keywords.js';
import { ConfigSchema } from './schema.js';

/** Phanes-only keywords: they word error messages and have no meaning to other tools. */
const INTERNAL = new Set(['secret', 'env', 'expected', 'hint', 'required', 'optional']);

/** Rewrites one schema node for editors: `secret` becomes `x-secret`, sections show full defaults. */
function clean(schema: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (INTERNAL.has(key)) continue;
    if (key === 'properties') out.properties = Object.fromEntries(Object.entries(value as Record<string, SchemaNode>).map(([k, v]) => [k, clean(v)]));
    else if (key === 'items') out.items = clean(value as SchemaNode);
    else if (key === 'default' && schema.properties) out.default = fillDefaults(schema, undefined);
    else out[key] = value;
  }
  if (schema.description === undefined && schema.expected !== undefined) out.description = `Expected: ${schema.expected}.`;
  if (schema.secret) out['x-secret'] = true;
  return out;
}

/**
 * The config schema as JSON Schema (draft 2020-12) for editors and `phanes schema`. No key is
 * `required`: each has a default, and an empty file is valid.
 */
export function configJsonSchema(): Record<string, unknown> {
  // The round trip through JSON drops typebox's symbol-keyed metadata.
  const plain = JSON.parse(JSON.stringify(ConfigSchema)) as SchemaNode;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Phanes configuration',
    ...clean(plain),
  };
}

