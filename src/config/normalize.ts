import type { Document } from 'yaml';
import type { SchemaNode } from './keywords.js';
import type { Segment } from './paths.js';
import { scalarSource } from './yaml-nodes.js';

/**
 * Forgives two YAML habits before validation, in place:
 * - a section whose keys are all commented out (`redis:` with nothing under it) reads as empty;
 * - a bare number where text belongs (`version: 16`) keeps its source text ("16", not 16).
 */
export function normalize(schema: SchemaNode, value: unknown, doc: Document, path: Segment[] = []): unknown {
  if (schema.type === 'object' && value === null) return {};
  if (schema.type === 'string' && typeof value === 'number') return scalarSource(doc, path) ?? String(value);
  if (schema.properties && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const [key, child] of Object.entries(schema.properties)) {
      if (key in record) record[key] = normalize(child, record[key], doc, [...path, key]);
    }
  }
  if (schema.items && Array.isArray(value)) {
    const items = schema.items;
    value.forEach((item, i) => (value[i] = normalize(items, item, doc, [...path, i])));
  }
  return value;
}
