import type { Segment } from './paths.js';
import type { RawIssue } from './raw-issue.js';
import { keyDataProblem, SSH_KEY_PATTERN } from './ssh-key.js';

/**
 * Checks a pattern cannot express: key data that decodes to the right key type, and firewall
 * ports that exist. Values of the wrong shape are skipped; the schema has reported them already.
 */
export function semanticIssues(config: Record<string, unknown>): RawIssue[] {
  const issues: RawIssue[] = [];
  const keyPattern = new RegExp(SSH_KEY_PATTERN);
  const checkKey = (line: unknown, path: Segment[]): void => {
    if (typeof line !== 'string' || !keyPattern.test(line)) return;
    const problem = keyDataProblem(line);
    if (problem) issues.push({ path, target: 'value', message: `this SSH public key is not usable: ${problem}`, suggestion: 'copy the line again from the .pub file, in one piece' });
  };
  checkKey(config.ssh_public_key, ['ssh_public_key']);
  const user = config.user as { authorized_keys?: unknown } | undefined;
  if (Array.isArray(user?.authorized_keys)) user.authorized_keys.forEach((k, i) => checkKey(k, ['user', 'authorized_keys', i]));

  const security = config.security as { ufw?: { allow?: unknown } } | undefined;
  const allow = security?.ufw?.allow;
  if (Array.isArray(allow)) allow.forEach((rule, i) => {
    const match = typeof rule === 'string' ? /^(\d+)(?::(\d+))?(\/\w+)?$/.exec(rule) : null;
    if (!match) return;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    const path = ['security', 'ufw', 'allow', i];
    if (low < 1 || high > 65535) issues.push({ path, target: 'value', message: `expected ports from 1 to 65535, got ${JSON.stringify(rule)}`, suggestion: 'use port numbers from 1 to 65535' });
    else if (low >= high && match[2] !== undefined) issues.push({ path, target: 'value', message: `expected a range from a lower to a higher port, got ${JSON.stringify(rule)}`, suggestion: low === high ? `write the single port: ${low}${match[3] ?? ''}` : `write the lower port first: ${high}:${low}${match[3] ?? ''}` });
  });
  return issues;
}
