import type { Segment } from './paths.js';
import type { RawIssue } from './raw-issue.js';

const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${NAME}` in every string value with the environment variable, in place;
 * `$${` stands for a literal `${`. Returns an issue for each missing or malformed reference.
 */
export function resolveEnv(value: unknown, env: NodeJS.ProcessEnv, path: Segment[] = [], issues: RawIssue[] = []): { value: unknown; issues: RawIssue[] } {
  if (typeof value === 'string') {
    const resolved = value.replace(REFERENCE, (whole, escaped: string, name: string) => {
      if (escaped) return whole.slice(1);
      if (!NAME.test(name)) {
        issues.push({ path, target: 'value', message: `\`\${${name}}\` is not a valid environment variable reference`, suggestion: 'write ${NAME} with letters, digits and _ only, or $${ for a literal ${' });
        return whole;
      }
      const found = env[name];
      if (found === undefined) {
        issues.push({
          path,
          target: 'value',
          message: `environment variable ${name} is not set`,
          suggestion: `export ${name}=… before running phanes (plain sudo drops it: use \`sudo ${name}=… phanes …\`), or write the value in place of the reference`,
        });
        return whole;
      }
      return found;
    });
    return { value: resolved, issues };
  }
  if (Array.isArray(value)) value.forEach((item, i) => (value[i] = resolveEnv(item, env, [...path, i], issues).value));
  else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = resolveEnv(record[key], env, [...path, key], issues).value;
  }
  return { value, issues };
}
