/** Key paths: arrays of segments inside Phanes, `security.ufw.allow[1]` for people. */

export type Segment = string | number;
export type KeyPath = readonly Segment[];

/** `['security', 'ufw', 'allow', 1]` → `security.ufw.allow[1]`. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Turns a typebox error path (a JSON pointer) into segments, numbering the steps into arrays. */
export function pointerToPath(pointer: string, root: unknown): Segment[] {
  if (pointer === '') return [];
  const path: Segment[] = [];
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment: Segment = Array.isArray(current) && /^\d+$/.test(key) ? Number(key) : key;
    path.push(segment);
    current = current !== null && typeof current === 'object' ? (current as Record<Segment, unknown>)[segment] : undefined;
  }
  return path;
}

/** The value at a path, or undefined when the path leads nowhere. */
export function valueAt(root: unknown, path: KeyPath): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<Segment, unknown>)[segment];
  }
  return current;
}

/** `security.ufw.allow[1]` → `['security', 'ufw', 'allow', 1]`: the inverse of formatPath. */
export function parsePath(text: string): Segment[] {
  return [...text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}
