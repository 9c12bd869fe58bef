import type { TSchema } from '@sinclair/typebox';

/**
 * Keywords Phanes adds to its typebox schema. typebox keeps unknown options on the schema object,
 * so the schema stays the one place that knows what each key means, how to word its errors and
 * which values are secret.
 */
export interface PhanesKeywords {
  /** A password or token: redacted in output, `x-secret` in JSON Schema, `${ENV}` in the example. */
  secret?: boolean;
  /** The environment variable the example reads a secret from (default: the key path, upper-cased). */
  env?: string;
  /** Plain-English shape used in "expected …, got …" messages, e.g. `a swap size such as 2G`. */
  expected?: string;
  /** The fix to suggest when the value is wrong. */
  hint?: string;
  /** An optional secret: the example leaves it empty instead of reading an environment variable. */
  optional?: boolean;
}

/** A schema node seen through the JSON Schema keywords Phanes reads. */
export type SchemaNode = TSchema &
  PhanesKeywords & {
    type?: string;
    description?: string;
    default?: unknown;
    examples?: unknown[];
    minimum?: number;
    maximum?: number;
    pattern?: string;
    properties?: Record<string, SchemaNode>;
    items?: SchemaNode;
  };

/** Reads a typebox schema as a SchemaNode (they are the same object; this only widens the type). */
export function node(schema: TSchema): SchemaNode {
  return schema as SchemaNode;
}
