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

function render(schema: SchemaNode, path: string[]): string[] {
  const pad = '  '.repeat(path.length);
  const out: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (path.length === 0) out.push('');
    for (const line of wrap(child.description ?? '', WIDTH - pad.length - 2)) out.push(`${pad}# ${line}`);
    for (const example of child.examples ?? []) out.push(`${pad}# e.g. ${key}: ${inline(example)}`);
    const env = JSON.stringify(`\${${envNameFor([...path, key])}}`);
    if (child.secret) out.push(`${pad}# Secret: never printed or journaled. ${child.optional ? `Optional; e.g. ${env} reads it from the environment.` : `Set ${envNameFor([...path, key])} in the environment.`}`);
    if (child.properties) out.push(`${pad}${key}:`, ...render(child, [...path, key]));
    else out.push(`${pad}${key}: ${child.secret && !child.optional ? env : inline(child.default)}`);
  }
  return out;
}

/** The annotated example config, generated from the schema so config.yaml.example cannot drift from it. */
export function renderExample(): string {
  return `${[...HEADER, ...render(node(ConfigSchema), [])].join('\n')}\n`;
}
