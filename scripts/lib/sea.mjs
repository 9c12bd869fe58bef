// Helpers for the single-executable build: which files are templates, the sea-config.json that
// embeds them and the core, and the core's code cache. Kept apart from build.mjs so unit tests can call them.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** Key of the asset listing every embedded template (src/assets.ts reads it: node:sea cannot list). */
export const TEMPLATE_MANIFEST_KEY = 'phanes/templates.json';

/** Keys of the core bundle's assets: its code and V8's code cache for it (src/core-loader.ts). */
export const CORE_ASSET_KEY = 'phanes/core.cjs';
export const CORE_CACHE_ASSET_KEY = 'phanes/core.cache';

/** The CommonJS wrapper the core is compiled in; must equal wrapCore in src/core-loader.ts (a unit test checks). */
export function wrapCore(code) {
  return `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
}

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
 * The sea-config.json object: main script, blob output, the core bundle, and one asset per template
 * keyed `templates/<relative path>`, plus the manifest (a file the caller writes with the names).
 */
export function seaConfig({ main, core, coreCache, output, templatesDir, templates, manifestPath }) {
  const assets = { [CORE_ASSET_KEY]: core, [CORE_CACHE_ASSET_KEY]: coreCache, [TEMPLATE_MANIFEST_KEY]: manifestPath };
  for (const name of templates) assets[`templates/${name}`] = join(templatesDir, name);
  return { main, output, disableExperimentalSEAWarning: true, useCodeCache: true, assets };
}

/**
 * V8's code cache for the core bundle, made by this node (the one copied into the binary, so V8
 * accepts it). The core is run first, as the binary will run it, so the cache also holds every
 * function its loading compiles. Loading it has no side effects: it only defines modules.
 */
export function coreCodeCache(corePath) {
  const script = new Script(wrapCore(readFileSync(corePath, 'utf8')), { filename: corePath });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(corePath), module, corePath, dirname(corePath));
  return script.createCachedData();
}

/**
 * Makes `output` a single executable: a stripped copy of this node with `blob` (from
 * `node --experimental-sea-config`, by this same node) injected by postject. Returns a warning when
 * strip is missing or failed (stripping only saves ~12 MB), else undefined. Throws when postject fails.
 */
export function injectSea(blob, output) {
  copyFileSync(process.execPath, output);
  chmodSync(output, 0o755);
  const strip = spawnSync('strip', [output], { encoding: 'utf8' });
  // postject's CLI in a child: its native part writes warnings straight to fd 2, which we only show on failure.
  const cli = createRequire(import.meta.url).resolve('postject/dist/cli.js');
  const r = spawnSync(process.execPath, [cli, output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`postject ${output} failed: ${r.error ? r.error.message : `exit ${r.status}\n${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim()}`}`);
  }
  return strip.error || strip.status !== 0
    ? `strip failed or missing (${strip.error?.code ?? `exit ${strip.status}`}); install binutils for a smaller binary`
    : undefined;
}
