import { parse, stringify } from 'yaml';
import { node, type SchemaNode } from './keywords.js';
import { ConfigSchema } from './schema.js';

const WIDTH = 80;

const HEADER = [
  '# Phanes configuration: copy this file to config.yaml and edit it.',
  '# Every key is optional. The values shown are the defaults, except the secrets,',
  '# which read environment variables: "${NAME}" (write $${ for a literal ${).',
  '# Generated from the schema by renderExample(); `phanes schema` prints it as JSON Schema.',
];

/** Breaks a description into comment lines that fit the width at this indent. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) [lines[lines.length], line] = [line, word];
    else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

/** A value as YAML on one line: plain when it reads back as the same string, else double-quoted. */
function inline(value: unknown): string {
  if (typeof value === 'string') {
    const plain = /^[A-Za-z0-9_./+-][A-Za-z0-9_./+@-]*$/.test(value) && parse(value) === value;
    return plain ? value : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  return stringify(value).trim();
}

/** `postgres.password` → `POSTGRES_PASSWORD`: the variable the example reads a secret from. */
export function envNameFor(path: readonly string[]): string {
  return path.join('_').toUpperCase();
}

/** The variable the example reads a secret from: the field's `env`, else its path upper-cased. */
const envOf = (schema: SchemaNode, path: readonly string[]): string => schema.env ?? envNameFor(path);

/** The keys of `schema` with comments; `value` (a list item's) picks which keys to show and their values. */
function render(schema: SchemaNode, path: string[], pad = '  '.repeat(path.length), value?: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (value && !(key in value)) continue;
    if (path.length === 0) out.push('');
    for (const line of wrap(child.description ?? '', WIDTH - pad.length - 2)) out.push(`${pad}# ${line}`);
    for (const example of child.examples ?? []) out.push(`${pad}# e.g. ${key}: ${inline(example)}`);
    const env = JSON.stringify(`\${${envOf(child, [...path, key])}}`);
    if (child.secret) out.push(`${pad}# Secret: never printed or journaled. ${child.optional ? `Optional; e.g. ${env} reads it from the environment.` : `Set ${envOf(child, [...path, key])} in the environment.`}`);
    const items = child.items?.properties && Array.isArray(child.default) && child.default.length ? child.items : undefined;
    if (child.properties) out.push(`${pad}${key}:`, ...render(child, [...path, key]));
    else if (items) out.push(`${pad}${key}:`, ...(child.default as Record<string, unknown>[]).flatMap((item) => listItem(items, [...path, key], `${pad}  `, item)));
    else out.push(`${pad}${key}: ${child.secret && !child.optional ? env : inline(value ? value[key] : child.default)}`);
  }
  return out;
}

/** One item of a list of mappings, in block style: `- ` before its first key line. */
function listItem(schema: SchemaNode, path: string[], pad: string, item: Record<string, unknown>): string[] {
  const lines = render(schema, path, `${pad}  `, item);
  const first = lines.findIndex((l) => !l.trimStart().startsWith('#'));
  return lines.map((l, i) => (i === first ? `${pad}- ${l.slice(pad.length + 2)}` : l));
}

/** The annotated example config, generated from the schema so config.yaml.example cannot drift from it. */
export function renderExample(): string {
  return `${[...HEADER, ...render(node(ConfigSchema), [])].join('\n')}\n`;
}
