// Templates, read from one place whatever the packaging:
// - the single executable (dist/phanes): SEA assets keyed `templates/<name>`, embedded at build;
// - development (tsx, src/assets.ts) and the bundle (dist/phanes.cjs): the repo's templates/,
//   found relative to this module. Both files sit one level below the repo root, and the build
//   defines import.meta.url in the CJS bundle as the bundle's own file URL.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PhanesError } from './errors.js';
import { packagedSea as packaged } from './sea.js';

/** SEA asset holding the JSON list of embedded template names (node:sea cannot list assets on Node 20). */
export const TEMPLATE_MANIFEST_KEY = 'phanes/templates.json';

/** Where templates live when not packaged: `<repo>/templates/`, or $PHANES_TEMPLATES_DIR (for tests). */
export function templatesDir(): string {
  const override = process.env['PHANES_TEMPLATES_DIR'];
  if (override) return `${resolve(override)}/`;
  return fileURLToPath(new URL('../templates/', import.meta.url));
}

/** Content of `templates/<name>` (e.g. `sshd/phanes.conf.liquid`); throws naming the template if absent. */
export function readTemplate(name: string): string {
  const key = name.replace(/^\/+/, '').replace(/^templates\//, '');
  if (key === '' || key.split('/').includes('..')) {
    throw new PhanesError(`Invalid template name '${name}'`, { suggestion: 'Use a path relative to templates/.' });
  }
  const s = packaged();
  try {
    return s ? s.getAsset(`templates/${key}`, 'utf8') : readFileSync(templatesDir() + key, 'utf8');
  } catch (error) {
    throw new PhanesError(`Template '${key}' not found ${s ? 'in this binary' : `in ${templatesDir()}`}`, {
      suggestion: `Available: ${listTemplates().join(', ') || '(none)'}`,
      cause: error,
    });
  }
}

/** Every template name (relative to templates/, `/`-separated), sorted. */
export function listTemplates(): string[] {
  const s = packaged();
  if (s) return JSON.parse(s.getAsset(TEMPLATE_MANIFEST_KEY, 'utf8')) as string[];
  try {
    return walk(templatesDir(), '').sort();
  } catch {
    return [];
  }
}

// Relative paths of the files under dir (same walk as scripts/lib/sea.mjs, which embeds them).
function walk(dir: string, prefix: string): string[] {
  return readdirSync(dir + prefix, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(dir, `${prefix}${e.name}/`) : e.isFile() ? [prefix + e.name] : [],
  );
}
