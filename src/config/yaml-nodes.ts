import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { KeyPath } from './paths.js';

export interface Position {
  line: number;
  column: number;
}

/** Which part of a key to point at: its value, the key itself, or the mapping that holds it. */
export type Target = 'value' | 'key' | 'parent';

interface Found {
  value: Node | undefined;
  key: Node | undefined;
  parent: Node | undefined;
  /** False when the path stopped early: `value` is then the deepest ancestor that exists. */
  complete: boolean;
}

const deref = (doc: Document, n: unknown): Node | undefined => {
  if (isAlias(n)) return (n.resolve(doc) as Node | undefined) ?? undefined;
  return (n as Node | null | undefined) ?? undefined;
};

/** Follows a key path through the YAML tree, stopping at the deepest node that exists. */
function find(doc: Document, path: KeyPath): Found {
  let value = deref(doc, doc.contents);
  let key: Node | undefined;
  let parent: Node | undefined;
  for (const segment of path) {
    let next: Node | undefined;
    let nextKey: Node | undefined;
    let found = false;
    if (isMap(value) && typeof segment === 'string') {
      const pair = value.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === segment);
      if (pair) [found, next, nextKey] = [true, deref(doc, pair.value), pair.key as Node];
    } else if (isSeq(value) && typeof segment === 'number' && segment < value.items.length) {
      [found, next, nextKey] = [true, deref(doc, value.items[segment]), undefined];
    }
    if (!found) return { value, key, parent, complete: false };
    parent = value;
    value = next;
    key = nextKey;
  }
  return { value, key, parent, complete: true };
}

const startOf = (n: Node | undefined): number | undefined => n?.range?.[0];

/** An empty value (`key:` and nothing) has no text of its own; point at its key instead. */
const isEmptyScalar = (n: Node | undefined): boolean => isScalar(n) && n.value === null && !n.source;

/** The 1-based line and column of a key path in the file, or of its nearest existing ancestor. */
export function positionOf(doc: Document, lines: LineCounter, path: KeyPath, target: Target = 'value'): Position | undefined {
  const found = find(doc, path);
  let offset: number | undefined;
  if (!found.complete) offset = startOf(found.key) ?? startOf(found.value);
  else if (target === 'parent') offset = startOf(found.parent);
  else if (target === 'key' || isEmptyScalar(found.value) || found.value === undefined) offset = startOf(found.key) ?? startOf(found.value);
  else offset = startOf(found.value);
  if (offset === undefined) return undefined;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** The plain source text of a scalar (`16` stays `16`, `16.10` stays `16.10`), if it has one. */
export function scalarSource(doc: Document, path: KeyPath): string | undefined {
  const { value, complete } = find(doc, path);
  return complete && isScalar(value) && value.type === 'PLAIN' ? value.source : undefined;
}

const contains = (n: Node | undefined, offset: number): boolean =>
  n?.range !== undefined && n.range !== null && offset >= n.range[0] && offset < Math.max(n.range[2], n.range[0] + 1);

/** The key path of the deepest key or item at an offset: gives a YAML syntax error its key path. */
export function pathAtOffset(doc: Document, offset: number): KeyPath {
  const path: (string | number)[] = [];
  let current: unknown = doc.contents;
  for (;;) {
    let next: Node | undefined;
    if (isMap(current)) {
      for (const pair of current.items) {
        const key = pair.key as Node | undefined;
        const value = pair.value as Node | undefined;
        if (contains(key, offset)) return [...path, isScalar(key) ? String(key.value) : String(key)];
        if (contains(value, offset)) {
          path.push(isScalar(key) ? String(key.value) : String(key));
          next = value;
          break;
        }
      }
    } else if (isSeq(current)) {
      const index = current.items.findIndex((item) => contains(item as Node, offset));
      if (index >= 0) {
        path.push(index);
        next = current.items[index] as Node;
      }
    }
    if (next === undefined) return path;
    current = next;
  }
}
