import type { Segment } from './paths.js';
import type { RawIssue } from './raw-issue.js';

const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvResult {
  value: unknown;
  /** Malformed references, and unset ones where they are errors. */
  issues: RawIssue[];
  /** Unset references where they are only worth a look (`validate` without a run). */
  warnings: RawIssue[];
  /** Key paths whose value still holds a reference (unset, or in a part left unresolved). */
  unresolved: Segment[][];
}

export interface EnvOptions {
  /** Parts of the config not to resolve (sections of modules that are not in the run). */
  skip?: (path: readonly Segment[], value: unknown) => boolean;
  /** Report unset variables as warnings, not errors (validate, which runs no module). */
  lenient?: boolean;
}

/**
 * Replaces `${NAME}` in every string value with the environment variable, in place;
 * `$${` stands for a literal `${`. Returns an issue for each missing or malformed reference.
 */
export function resolveEnv(value: unknown, env: NodeJS.ProcessEnv, options: EnvOptions = {}): EnvResult {
  const out: EnvResult = { value, issues: [], warnings: [], unresolved: [] };
  out.value = walk(value, [], env, options, out);
  return out;
}

function walk(value: unknown, path: Segment[], env: NodeJS.ProcessEnv, options: EnvOptions, out: EnvResult): unknown {
  if (options.skip?.(path, value)) {
    out.unresolved.push(...referencePaths(value, path));
    return value;
  }
  if (typeof value === 'string') return resolveString(value, path, env, options, out);
  if (Array.isArray(value)) value.forEach((item, i) => (value[i] = walk(item, [...path, i], env, options, out)));
  else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = walk(record[key], [...path, key], env, options, out);
  }
  return value;
}

function resolveString(value: string, path: Segment[], env: NodeJS.ProcessEnv, options: EnvOptions, out: EnvResult): string {
  let unset = false;
  const resolved = value.replace(REFERENCE, (whole, escaped: string, name: string) => {
    if (escaped) return whole.slice(1);
    if (!NAME.test(name)) {
      out.issues.push({ path, target: 'value', message: `\`\${${name}}\` is not a valid environment variable reference`, suggestion: 'write ${NAME} with letters, digits and _ only, or $${ for a literal ${' });
      return whole;
    }
    const found = env[name];
    if (found !== undefined) return found;
    unset = true;
    (options.lenient ? out.warnings : out.issues).push({
      path,
      target: 'value',
      message: `environment variable ${name} is not set`,
      suggestion: `export ${name}=… before running phanes (plain sudo drops it: use \`sudo ${name}=… phanes …\`), or write the value in place of the reference`,
    });
    return whole;
  });
  if (unset) out.unresolved.push(path);
  return resolved;
}

/** The paths of the strings in a value that hold a `${NAME}` reference (a literal `$${` does not count). */
function referencePaths(value: unknown, path: Segment[]): Segment[][] {
  if (typeof value === 'string') return [...value.matchAll(REFERENCE)].some((m) => !m[1]) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => referencePaths(v, [...path, i]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => referencePaths(v, [...path, k]));
  return [];
}
