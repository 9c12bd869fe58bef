import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, describe, it } from 'node:test';
import { CORE_ASSET_KEY, CORE_CACHE_ASSET_KEY, coreCodeCache, listTemplateFiles, seaConfig, TEMPLATE_MANIFEST_KEY, wrapCore as buildWrapCore } from '../../scripts/lib/sea.mjs';
import { CORE_ASSET, CORE_CACHE_ASSET, wrapCore } from '../../src/core-loader.js';
import { Script } from 'node:vm';
import { listTemplates, readTemplate, TEMPLATE_MANIFEST_KEY as ASSETS_MANIFEST_KEY, templatesDir } from '../../src/assets.js';
import { COMMIT, gitCommit, VERSION, versionLine } from '../../src/version.js';
import { PhanesError } from '../../src/errors.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'phanes-build-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'templates-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

describe('sea config', () => {
  it('lists every template file, nested ones as relative paths with slashes, sorted', () => {
    const dir = tree({ 'b.liquid': '', 'sshd/phanes.conf.liquid': '', 'a/b/c.txt': '' });
    fs.mkdirSync(path.join(dir, 'empty-dir'));
    assert.deepEqual(listTemplateFiles(dir), ['a/b/c.txt', 'b.liquid', 'sshd/phanes.conf.liquid']);
  });

  it('lists no templates when the directory does not exist', () => {
    assert.deepEqual(listTemplateFiles(path.join(tmp, 'nope')), []);
  });

  it('embeds every template under templates/<relative path> plus the manifest', () => {
    const dir = tree({ 'x.liquid': '', 'sub/y.liquid': '' });
    const templates = listTemplateFiles(dir);
    const config = seaConfig({ main: 'dist/phanes.cjs', core: 'dist/phanes-core.cjs', coreCache: 'core.cache', output: 'blob', templatesDir: dir, templates, manifestPath: 'm.json' });
    assert.deepEqual(config.assets, {
      [CORE_ASSET_KEY]: 'dist/phanes-core.cjs',
      [CORE_CACHE_ASSET_KEY]: 'core.cache',
      [TEMPLATE_MANIFEST_KEY]: 'm.json',
      'templates/sub/y.liquid': path.join(dir, 'sub/y.liquid'),
      'templates/x.liquid': path.join(dir, 'x.liquid'),
    });
    assert.equal(config.main, 'dist/phanes.cjs');
    assert.equal(config.useCodeCache, true);
    assert.equal(config.disableExperimentalSEAWarning, true);
  });

  it('uses the same manifest key as src/assets.ts', () => {
    assert.equal(TEMPLATE_MANIFEST_KEY, ASSETS_MANIFEST_KEY);
  });

  it('embeds the core under the keys src/core-loader.ts reads', () => {
    assert.equal(CORE_ASSET_KEY, CORE_ASSET);
    assert.equal(CORE_CACHE_ASSET_KEY, CORE_CACHE_ASSET);
  });

  it('makes the code cache for exactly the wrapper the loader compiles, and V8 accepts it', () => {
    const code = 'exports.answer = (function deep() { return 42; })();';
    assert.equal(buildWrapCore(code), wrapCore(code));
    const file = path.join(tmp, 'core.cjs');
    fs.writeFileSync(file, code);
    const cache = coreCodeCache(file);
    assert.ok(cache.length > 0);
    const script = new Script(wrapCore(code), { filename: file, cachedData: cache });
    assert.equal(script.cachedDataRejected, false);
    // A different text must not reuse it: the loader would run stale code otherwise.
    const other = new Script(wrapCore(`${code} `), { filename: file, cachedData: cache });
    assert.equal(other.cachedDataRejected, true);
  });

  it('embeds exactly the templates that readTemplate can read in development', () => {
    assert.deepEqual(listTemplateFiles(path.join(repo, 'templates')), listTemplates());
  });
});

describe('readTemplate in development', () => {
  const saved = process.env['PHANES_TEMPLATES_DIR'];
  afterEach(() => {
    if (saved === undefined) delete process.env['PHANES_TEMPLATES_DIR'];
    else process.env['PHANES_TEMPLATES_DIR'] = saved;
  });

  it('reads templates from the templates directory of the repo by default', () => {
    delete process.env['PHANES_TEMPLATES_DIR'];
    assert.equal(templatesDir(), path.join(repo, 'templates') + path.sep);
  });

  it('reads a nested template by its relative name', () => {
    process.env['PHANES_TEMPLATES_DIR'] = tree({ 'sshd/phanes.conf.liquid': 'Port {{ port }}\n' });
    assert.equal(readTemplate('sshd/phanes.conf.liquid'), 'Port {{ port }}\n');
    assert.equal(readTemplate('templates/sshd/phanes.conf.liquid'), 'Port {{ port }}\n');
    assert.deepEqual(listTemplates(), ['sshd/phanes.conf.liquid']);
  });

  it('names a missing template in its error and lists the ones available', () => {
    process.env['PHANES_TEMPLATES_DIR'] = tree({ 'a.liquid': '' });
    assert.throws(
      () => readTemplate('redis/redis.conf.liquid'),
      (error: unknown) =>
        error instanceof PhanesError &&
        /Template 'redis\/redis.conf.liquid' not found/.test(error.message) &&
        error.suggestion === 'Available: a.liquid',
    );
  });

  it('refuses a name that climbs out of the templates directory', () => {
    process.env['PHANES_TEMPLATES_DIR'] = tree({ 'a.liquid': '' });
    assert.throws(() => readTemplate('../package.json'), /Invalid template name '\.\.\/package\.json'/);
    assert.throws(() => readTemplate(''), /Invalid template name/);
  });
});

describe('version', () => {
  it('takes the version from package.json in development', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
  });

  it('prints the version line as phanes, version and commit', () => {
    assert.equal(versionLine(), `phanes ${VERSION} (${COMMIT})`);
    assert.match(COMMIT, /^(?:[0-9a-f]{7,}(?:-dirty)?|dev)$/);
  });

  it('falls back to dev outside a git work tree', () => {
    assert.equal(gitCommit(fs.mkdtempSync(path.join(tmp, 'nogit-'))), 'dev');
  });
});
