import { isScalar, visit, type Document, type LineCounter, type Node, type YAMLError } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { formatPath } from './paths.js';
import { pathAtOffset } from './yaml-nodes.js';

/** Plain-English wording and a fix for the YAML problems people actually hit in config files. */
const friendly: Partial<Record<YAMLError['code'], (key: string, raw: string) => [string, string]>> = {
  DUPLICATE_KEY: (key) => [`the key \`${key}\` appears twice in the same mapping`, 'keep one of them: YAML cannot hold a key twice'],
  MULTIPLE_DOCS: () => ['the file holds more than one YAML document (a `---` line)', 'keep a single document: remove the `---` line and merge the settings'],
  TAB_AS_INDENT: () => ['a tab is used for indentation', 'indent with spaces only'],
  BAD_INDENT: (_key, raw) => [`bad indentation: ${raw}`, 'line up the keys of one mapping in the same column, and close any { or [ left open on an earlier line'],
  MISSING_CHAR: (_key, raw) => [raw, 'close the quote or bracket that is left open'],
  TAG_RESOLVE_FAILED: (_key, raw) => [`${raw} (YAML tags are not supported)`, 'remove the tag; for secrets write "${ENV_NAME}"'],
  BAD_ALIAS: (_key, raw) => [raw, 'define the anchor (&name) before its alias (*name)'],
};

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** Turns yaml's parse errors and warnings into issues with a key path, line and column. */
export function yamlIssues(doc: Document, lines: LineCounter, problems: readonly YAMLError[]): ConfigIssue[] {
  return problems.map((problem) => {
    const path = pathAtOffset(doc, problem.pos[0]);
    const key = String(path[path.length - 1] ?? '');
    const raw = lowerFirst(problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
    const [message, suggestion] = friendly[problem.code]?.(key, raw) ?? [`invalid YAML: ${raw}`, 'fix the YAML syntax at this line'];
    const { line, col } = lines.linePos(problem.pos[0]);
    return { path: formatPath(path), line, column: col, message, suggestion };
  });
}

/**
 * Problems yaml only notices when converting, without a position: aliases whose anchor is missing,
 * and lists or mappings used as keys (which yaml would also warn about on stderr).
 */
export function structureIssues(doc: Document, lines: LineCounter): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key as Node | null;
      if (key === null || isScalar(key)) return;
      const offset = key.range?.[0] ?? 0;
      const { line, col } = lines.linePos(offset);
      issues.push({ path: formatPath(pathAtOffset(doc, offset).slice(0, -1)), line, column: col, message: 'a list or mapping is used as a key', suggestion: 'write keys as plain names, e.g. `username: deploy`' });
    },
    Alias(_, alias) {
      if (alias.resolve(doc) !== undefined) return;
      const offset = alias.range?.[0] ?? 0;
      const { line, col } = lines.linePos(offset);
      issues.push({ path: formatPath(pathAtOffset(doc, offset)), line, column: col, message: `the alias *${alias.source} has no anchor &${alias.source} before it`, suggestion: `define &${alias.source} on an earlier value, or write the value out` });
    },
  });
  return issues;
}
