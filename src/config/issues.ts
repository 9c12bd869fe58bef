import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { closest } from './did-you-mean.js';
import { node, type SchemaNode } from './keywords.js';
import { describeValue, expectation, typeFix } from './messages.js';
import { formatPath, pointerToPath, valueAt, type Segment } from './paths.js';
import type { RawIssue } from './raw-issue.js';
import { schemaFields } from './walk.js';

const TYPE_ERRORS = new Set([ValueErrorType.String, ValueErrorType.Integer, ValueErrorType.Number, ValueErrorType.Boolean, ValueErrorType.Array, ValueErrorType.Object]);

/** The name a fix should use for a key: the key itself, or the list's key for an item. */
const keyName = (path: Segment[]): string => String([...path].reverse().find((s) => typeof s === 'string') ?? '');

/** Suggests the sibling the user probably meant, or where a key from another section belongs. */
function unknownKey(path: Segment[], parent: SchemaNode): RawIssue {
  const key = String(path[path.length - 1]);
  const siblings = Object.keys(parent.properties ?? {});
  const where = path.length > 1 ? ` in \`${formatPath(path.slice(0, -1))}\`` : '';
  const near = closest(key, siblings);
  const elsewhere = schemaFields().map((f) => f.path);
  const moved = elsewhere.find((p) => p[p.length - 1] === key) ?? elsewhere.find((p) => closest(key, [p[p.length - 1]!]) !== undefined);
  let suggestion: string;
  if (near) suggestion = `did you mean \`${near}\`?`;
  else if (moved) suggestion = `did you mean \`${moved.join('.')}\`? ${moved.length === 1 ? 'It belongs at the top level' : `It belongs under \`${moved.slice(0, -1).join('.')}\``}`;
  else suggestion = `remove it; the keys allowed here are ${siblings.map((s) => `\`${s}\``).join(', ')}`;
  return { path, target: 'key', message: `unknown key \`${key}\`${where}`, suggestion };
}

/** Points at the second copy of a repeated list entry rather than at the whole list. */
function duplicate(path: Segment[], root: unknown, schema: SchemaNode): RawIssue {
  const list = valueAt(root, path) as unknown[];
  const seen = new Map<string, number>();
  for (const [i, item] of list.entries()) {
    const first = seen.get(JSON.stringify(item));
    if (first !== undefined) {
      return { path: [...path, i], target: 'value', message: `${describeValue(item, schema.items?.secret)} is listed twice (also at ${formatPath([...path, first])})`, suggestion: 'remove the duplicate entry' };
    }
    seen.set(JSON.stringify(item), i);
  }
  return { path, target: 'value', message: 'the list has duplicate entries', suggestion: 'remove the duplicate entries' };
}

/** Rewords one typebox error as "expected …, got …" with a fix, at the right key path. */
export function schemaIssue(error: ValueError, root: unknown): RawIssue {
  const path = pointerToPath(error.path, root);
  const schema = node(error.schema);
  const key = keyName(path);
  if (error.type === ValueErrorType.ObjectAdditionalProperties) return unknownKey(path, schema);
  if (error.type === ValueErrorType.ArrayUniqueItems) return duplicate(path, root, schema);
  if (error.type === ValueErrorType.ObjectRequiredProperty) {
    return { path, target: 'parent', message: `the key \`${key}\` is missing`, suggestion: `add \`${key}: ${JSON.stringify(schema.default)}\`` };
  }
  const message = `expected ${expectation(schema)}, got ${describeValue(error.value, schema.secret)}`;
  if (TYPE_ERRORS.has(error.type)) return { path, target: 'value', message, suggestion: typeFix(schema, error.value, key) };
  const example = schema.examples?.[0];
  const suggestion = schema.hint ?? (example !== undefined ? `use a value like ${JSON.stringify(example)}` : `write ${expectation(schema)}`);
  return { path, target: 'value', message, suggestion };
}
