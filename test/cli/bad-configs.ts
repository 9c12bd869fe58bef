import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The bad-config corpus: one YAML per case in test/fixtures/bad-configs, and cases.json saying what each must report. */
export const CORPUS = resolve(import.meta.dirname, '../fixtures/bad-configs');

export interface BadCase {
  file: string;
  what: string;
  /** Expected key path, `` for the document root. */
  path: string;
  line: number;
  fragment: string;
  modules?: string;
  profile?: string;
  env?: Record<string, string>;
  /** Reported by a preflight refusal (after the root check), not by the config loader. */
  refusal?: boolean;
}

export const CASES = JSON.parse(readFileSync(join(CORPUS, 'cases.json'), 'utf8')) as BadCase[];
