import { node, type SchemaNode } from './keywords.js';
import { ConfigSchema } from './schema.js';

export interface SchemaField {
  path: string[];
  schema: SchemaNode;
}

/** Every key the schema knows, sections included, parents before children, in schema order. */
export function schemaFields(root: SchemaNode = node(ConfigSchema), prefix: string[] = []): SchemaField[] {
  const out: SchemaField[] = [];
  for (const [key, child] of Object.entries(root.properties ?? {})) {
    out.push({ path: [...prefix, key], schema: child });
    if (child.properties) out.push(...schemaFields(child, [...prefix, key]));
  }
  return out;
}

/** The schema for a key path (array items included), or undefined for a key the schema lacks. */
export function schemaAt(path: readonly (string | number)[], root: SchemaNode = node(ConfigSchema)): SchemaNode | undefined {
  let current: SchemaNode | undefined = root;
  for (const segment of path) {
    current = typeof segment === 'number' ? current?.items : current?.properties?.[segment];
    if (current === undefined) return undefined;
  }
  return current;
}
