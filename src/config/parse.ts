import { TypeCompiler } from '@sinclair/typebox/compiler';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { semanticIssues } from './checks.js';
import { safetyIssues } from './safety-checks.js';
import { fillDefaults } from './defaults.js';
import { postgresListIssues, requiredSecretIssues, runScope } from './database-checks.js';
import { resolveEnv } from './env.js';
import { schemaIssue } from './issues.js';
import { node } from './keywords.js';
import { normalize } from './normalize.js';
import { formatPath, parsePath, type Segment } from './paths.js';
import { placeIssue, type RawIssue } from './raw-issue.js';
import { ConfigSchema, type Config } from './schema.js';
import { secretFields } from './secrets.js';
import { isPlaceholderKey } from './ssh-key.js';
import { describeValue } from './messages.js';
import { structureIssues, yamlIssues } from './yaml-errors.js';
import { pathAtOffset, positionOf } from './yaml-nodes.js';

export interface ParsedConfig {
  config: Config;
  /** Non-empty values of the secret fields, resolved, for the redactor. */
  secrets: string[];
  /** Things that load but deserve a look, such as a placeholder SSH key. */
  warnings: ConfigIssue[];
  /** Where a key path such as `postgres.version` (or its nearest ancestor) is written in the file; undefined when it is not. */
  locate: (path: string) => { line: number; column: number } | undefined;
}

export interface ParseOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** The modules of the run. Undefined (validate): unset references and missing passwords are warnings. */
  modules?: readonly string[];
}

const ROOT = node(ConfigSchema);
// Compiled on first use, not at load (~5 ms): commands that never read a config skip it.
let checker: ReturnType<typeof TypeCompiler.Compile<typeof ConfigSchema>> | undefined;

const byPosition = (a: ConfigIssue, b: ConfigIssue): number =>
  (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0);

/** One issue per key: the first found wins, so list the most telling kinds first. */
function firstPerKey(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(i.path) && seen.add(i.path));
}

/** Warns about keys like the PRD's `ssh-ed25519 AAAA... user@host`: they load, but log nobody in. */
function placeholderWarnings(config: Config, place: (raw: RawIssue) => ConfigIssue): ConfigIssue[] {
  const keys: [string, (string | number)[]][] = [[config.ssh_public_key, ['ssh_public_key']]];
  config.user.authorized_keys.forEach((k, i) => keys.push([k, ['user', 'authorized_keys', i]]));
  return keys
    .filter(([k]) => k !== '' && isPlaceholderKey(k))
    .map(([, path]) => place({ path, target: 'value', message: 'this SSH key is a placeholder (its data ends in `...`), so it will not be installed', suggestion: 'paste your real public key, e.g. the output of `cat ~/.ssh/id_ed25519.pub`' }));
}

/**
 * Parses and validates config text: YAML syntax, a mapping at the root, `${ENV}` references,
 * defaults, the schema and the checks beyond it. Throws one ConfigError listing every issue.
 */
export function parseConfig(source: string, options: ParseOptions = {}): ParsedConfig {
  const { file, env = process.env } = options;
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const fail = (issues: ConfigIssue[]): never => {
    throw new ConfigError(firstPerKey(issues).sort(byPosition), file);
  };
  const place = (raw: RawIssue): ConfigIssue => placeIssue(doc, lines, raw);

  const syntax = [...yamlIssues(doc, lines, [...doc.errors, ...doc.warnings]), ...structureIssues(doc, lines)];
  if (syntax.length > 0) fail(syntax);
  const root = doc.contents;
  if (root !== null && !isMap(root)) {
    const got = isSeq(root) ? 'a list' : isScalar(root) ? describeValue(root.value) : 'something else';
    fail([{ path: '', ...positionOf(doc, lines, []), message: `expected a mapping of settings at the top level, got ${got}`, suggestion: 'write one `key: value` per line, starting in the first column, e.g. `username: deploy`' }]);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    // Too many aliases (a "billion laughs" file): point at the first one.
    let at = 0;
    visit(doc, { Alias: (_, alias) => ((at = alias.range?.[0] ?? 0), visit.BREAK) });
    const { line, col } = lines.linePos(at);
    fail([{ path: formatPath(pathAtOffset(doc, at)), line, column: col, message: `cannot read the YAML: ${(error as Error).message}`, suggestion: 'check the anchors (&name) and aliases (*name) in the file' }]);
  }

  // ${ENV} references are resolved only in the parts of the config the run uses (see runScope).
  const scope = runScope(options.modules);
  const resolved = resolveEnv(raw, env, { skip: scope.skip, lenient: options.modules === undefined });
  const value = fillDefaults(ROOT, normalize(ROOT, resolved.value, doc));
  checker ??= TypeCompiler.Compile(ConfigSchema);
  // A value that still holds a reference is not known yet: its shape is checked once it is resolved.
  const known = (path: readonly Segment[]): boolean => !resolved.unresolved.some((u) => u.every((s, i) => path[i] === s));
  const schemaIssues = [...checker.Errors(value)].map((e) => schemaIssue(e, value)).filter((i) => i.target === 'key' || known(i.path));
  const secretIssues = requiredSecretIssues(value as Record<string, unknown>, scope.inRun);
  const ordered = [
    ...schemaIssues.filter((i) => i.target === 'key'),
    ...resolved.issues,
    ...schemaIssues.filter((i) => i.target !== 'key'),
    ...semanticIssues(value as Record<string, unknown>),
    ...safetyIssues(value as Record<string, unknown>),
    ...postgresListIssues(value as Record<string, unknown>),
    ...(options.modules ? secretIssues.filter((i) => known(i.path)) : []),
  ];
  if (ordered.length > 0) fail(ordered.map(place));

  // Errors() found nothing, so the value is a complete Config.
  const config = value as Config;
  const later = options.modules ? [] : [...resolved.warnings, ...secretIssues.filter((i) => known(i.path))];
  const secrets = [...new Set(secretFields(config).filter((f) => known(f.path) && typeof f.value === 'string' && f.value !== '').map((f) => f.value as string))];
  const locate = (text: string): { line: number; column: number } | undefined => {
    const path = parsePath(text);
    while (path.length > 0 && !doc.hasIn(path)) path.pop();
    return path.length > 0 ? positionOf(doc, lines, path) : undefined;
  };
  return { config, secrets, warnings: [...placeholderWarnings(config, place), ...later.map(place)], locate };
}
