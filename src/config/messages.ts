import type { SchemaNode } from './keywords.js';

const shorten = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** How a value reads in "got …": quoted text, the number, or what kind of thing it is. */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (secret) return typeof value === 'string' ? `a ${value.length}-character value (not shown)` : 'a value (not shown)';
  if (typeof value === 'string') return value === '' ? 'an empty string' : JSON.stringify(shorten(value));
  return String(value);
}

/** What the schema wants, in words: `a whole number from 1 to 65535`, `true or false`, … */
export function expectation(schema: SchemaNode): string {
  if (schema.expected) return schema.expected;
  switch (schema.type) {
    case 'integer':
      if (schema.minimum !== undefined && schema.maximum !== undefined) return `a whole number from ${schema.minimum} to ${schema.maximum}`;
      return schema.minimum !== undefined ? `a whole number of at least ${schema.minimum}` : 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping of keys';
    default:
      return 'a string';
  }
}

/** The fix for a value of the wrong type, from what was given and what was wanted. */
export function typeFix(schema: SchemaNode, value: unknown, key: string): string {
  if (value === null) return `give a value, or delete the line to use the default (${JSON.stringify(schema.default)})`;
  switch (schema.type) {
    case 'boolean':
      return typeof value === 'string' && /^(yes|no|on|off|true|false|y|n)$/i.test(value)
        ? `write true or false, lower-case and without quotes (YAML 1.2 reads ${JSON.stringify(value)} as text)`
        : 'write true or false';
    case 'integer':
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return `remove the quotes: ${key}: ${value.trim()}`;
      return schema.hint ?? `write ${expectation(schema)}`;
    case 'array':
      return typeof value === 'string' ? `write a list: ${key}: [${value}], or one "- item" per line` : `write a list: ${key}: [], or one "- item" per line`;
    case 'object':
      return `write the settings as indented \`key: value\` lines under \`${key}:\``;
    default:
      return typeof value === 'boolean' ? `put it in quotes: ${key}: "${String(value)}"` : (schema.hint ?? `write ${expectation(schema)}`);
  }
}
