// Pure helpers for the single-executable build: which files are templates, and the
// sea-config.json that embeds them. Kept apart from build.mjs so unit tests can call them.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Key of the asset listing every embedded template (src/assets.ts reads it: node:sea cannot list). */
export const TEMPLATE_MANIFEST_KEY = 'phanes/templates.json';

/** Sentinel fuse that postject flips in the node binary (Node's documented value). */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Relative, `/`-separated paths of every file under dir, sorted; [] if dir does not exist. */
export function listTemplateFiles(dir, prefix = '') {
  let entries;
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch (error) {
    if (prefix === '' && error.code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .flatMap((e) =>
      e.isDirectory() ? listTemplateFiles(dir, `${prefix}${e.name}/`) : e.isFile() ? [prefix + e.name] : [],
    )
    .sort();
}

/**
 * The sea-config.json object: main script, blob output, and one asset per template keyed
 * `templates/<relative path>`, plus the manifest (a file the caller writes with the names).
 */
export function seaConfig({ main, output, templatesDir, templates, manifestPath }) {
  const assets = { [TEMPLATE_MANIFEST_KEY]: manifestPath };
  for (const name of templates) assets[`templates/${name}`] = join(templatesDir, name);
  return { main, output, disableExperimentalSEAWarning: true, useCodeCache: true, assets };
}
