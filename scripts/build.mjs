#!/usr/bin/env node
// Build Phanes.
//   node scripts/build.mjs                 dist/phanes.cjs (esbuild bundle) + dist/phanes (Node SEA)
//   node scripts/build.mjs --bundle-only   dist/phanes.cjs only (fast path for CLI tests)
//   dist/phanes-core.cjs beside the bundle: the core it loads when a command runs (src/core-loader.ts)
// Options for experiments: --templates DIR (default templates/), --outdir DIR (default dist/). Exits 1 with a message on any failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { coreCodeCache, injectSea, listTemplateFiles, seaConfig } from './lib/sea.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = process.hrtime.bigint();
const ms = (from) => `${(Number(process.hrtime.bigint() - from) / 1e6).toFixed(0)} ms`;
const mb = (file) => `${(statSync(file).size / 1024 / 1024).toFixed(2)} MB`;
const rel = (p) => relative(process.cwd(), p) || '.';

class BuildError extends Error {}

/** The identifier import.meta.url becomes in the CJS bundles; the banner defines it. */
const IMPORT_META_URL = '__phanes_import_meta_url';
// In the bundles __filename is the .cjs file; inside the SEA it is the binary's own path.
const META_URL = `var ${IMPORT_META_URL} = require("node:url").pathToFileURL(__filename).href;`;

/**
 * Two bundles: the CLI (commands, options, help) and the core it loads when a command runs
 * (src/core-loader.ts), so `--help` compiles none of the engine. The core has no shebang: in the
 * single binary it is compiled as a function body, where `#!` is a syntax error.
 */
const BUNDLES = {
  cli: { entry: 'src/main.ts', file: 'phanes.cjs', banner: `#!/usr/bin/env node\n${META_URL}` },
  core: { entry: 'src/core.ts', file: 'phanes-core.cjs', banner: META_URL },
};

/**
 * Source files both bundles may carry: constants and stateless functions only. Anything else in
 * both would exist twice at runtime (two PhanesError classes, two caches), so the build fails.
 */
const SHARED_OK = new Set(['src/version.ts', 'src/sea.ts', 'src/report/color.ts']);

function gitCommit() {
  const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const sha = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain') === '' ? sha : `${sha}-dirty`;
  } catch {
    return 'dev';
  }
}

/** esbuild → one CJS file with every dependency inlined; returns its path. */
async function bundle({ entry, outfile, banner }) {
  const t = process.hrtime.bigint();
  if (!existsSync(entry)) {
    throw new BuildError(`Entry ${rel(entry)} does not exist.`);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const commit = gitCommit();
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    banner: { js: banner },
    define: {
      'import.meta.url': IMPORT_META_URL,
      __PHANES_BUNDLE__: 'true',
      __PHANES_VERSION__: JSON.stringify(pkg.version),
      __PHANES_COMMIT__: JSON.stringify(commit),
    },
    // Prefer the ESM builds of dual packages: smaller, and they tree-shake.
    mainFields: ['module', 'main'],
    // clipanion ships an ESM build but points `main` at the CommonJS one; the ESM build loads
    // typanion only for commands that declare a schema (none do), ~4 ms off every start.
    alias: { clipanion: join(root, 'node_modules/clipanion/lib/advanced/index.mjs') },
    // Full minification starts ~8 ms faster (less source to load). keepNames keeps class and
    // function names (error.name = new.target.name, stack traces); the linked map maps
    // stacks back to src/ with `node --enable-source-maps dist/phanes.cjs`.
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'silent',
    absWorkingDir: root,
  }).catch((error) => {
    throw new BuildError(`esbuild failed:\n${(error.errors ?? []).map(formatMessage).join('\n') || error.message}`);
  });

  // Warnings that mean the bundle would misbehave at runtime fail the build; others are shown.
  const fatal = new Set(['empty-import-meta', 'unsupported-require-call', 'unsupported-dynamic-import']);
  const bad = result.warnings.filter((w) => fatal.has(w.id));
  for (const w of result.warnings.filter((w) => !fatal.has(w.id))) console.warn(`warning: ${formatMessage(w)}`);
  if (bad.length > 0) throw new BuildError(`The bundle would break at runtime:\n${bad.map(formatMessage).join('\n')}`);

  // Everything must be inlined: the only imports left may be Node built-ins.
  // (node:sea and node:test exist only with the prefix and are missing from builtinModules.)
  const builtins = new Set([...builtinModules.flatMap((m) => [m, `node:${m}`]), 'node:sea', 'node:test']);
  const external = Object.values(result.metafile.outputs)
    .flatMap((o) => o.imports)
    .filter((i) => i.external && !builtins.has(i.path));
  if (external.length > 0) {
    throw new BuildError(`The bundle still requires packages at runtime: ${external.map((i) => `${i.path} (${i.kind})`).join(', ')}`);
  }
  // Write beside and rename: CLI tests may be running the previous bundle while we build.
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents, { mode: file.path === outfile ? 0o755 : 0o644 });
    renameSync(tmp, file.path);
  }
  console.log(`bundle  ${rel(outfile)}  ${mb(outfile)}  ${pkg.version} (${commit})  ${ms(t)}`);
  return { path: outfile, inputs: Object.keys(Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.inputs ?? {}) };
}

/** Fail when the CLI and the core both carry a module that has state or classes (see SHARED_OK). */
function checkShared(cli, core) {
  const inCore = new Set(core.inputs);
  const twice = cli.inputs.filter((i) => inCore.has(i) && !SHARED_OK.has(i));
  if (twice.length > 0) {
    throw new BuildError(`The CLI and the core bundles both contain ${twice.join(', ')}: load it through the core (src/core.ts), or, if it is constants only, add it to SHARED_OK in scripts/build.mjs.`);
  }
}

function formatMessage(m) {
  const at = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '';
  return `  ${at}${m.text}${m.id ? ` [${m.id}]` : ''}`;
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', ...options });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit ${r.status}\n${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim()}`;
    throw new BuildError(`${command} ${args.join(' ')} failed: ${why}`);
  }
  return r;
}

/** Node single-executable application: the bundle plus every template, injected into a copy of node. */
function sea({ bundlePath, corePath, templatesDir, outdir }) {
  const t = process.hrtime.bigint();
  const work = mkdtempSync(join(tmpdir(), 'phanes-sea-'));
  const binary = join(outdir, 'phanes');
  // Built under another name, then renamed: a running dist/phanes is never overwritten (ETXTBSY).
  const building = join(outdir, `.phanes.${process.pid}.tmp`);
  try {
    const templates = listTemplateFiles(templatesDir);
    if (templates.length === 0) console.warn(`warning: no templates under ${rel(templatesDir)}; the binary embeds none`);
    const manifestPath = join(work, 'templates.json');
    writeFileSync(manifestPath, `${JSON.stringify(templates)}\n`);
    const blob = join(work, 'sea-prep.blob');
    const configPath = join(work, 'sea-config.json');
    const coreCache = join(work, 'core.cache');
    writeFileSync(coreCache, coreCodeCache(corePath));
    const config = seaConfig({ main: bundlePath, core: corePath, coreCache, output: blob, templatesDir, templates, manifestPath });
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
    // The blob must come from the node we copy: its code cache is bound to that V8 version.
    run(process.execPath, ['--experimental-sea-config', configPath]);

    let warning;
    try {
      warning = injectSea(blob, building);
    } catch (error) {
      throw new BuildError(error.message);
    }
    if (warning) console.warn(`warning: ${warning}`);
    renameSync(building, binary);
    console.log(`binary  ${rel(binary)}  ${mb(binary)}  ${templates.length} templates  ${ms(t)}`);
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(building, { force: true });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      'bundle-only': { type: 'boolean', default: false },
      templates: { type: 'string', default: 'templates' },
      outdir: { type: 'string', default: 'dist' },
    },
  });
  const outdir = resolve(root, values.outdir);
  mkdirSync(outdir, { recursive: true });
  const [cli, core] = await Promise.all(
    [BUNDLES.cli, BUNDLES.core].map(({ entry, file, banner }) => bundle({ entry: resolve(root, entry), outfile: join(outdir, file), banner })),
  );
  checkShared(cli, core);
  if (!values['bundle-only']) sea({ bundlePath: cli.path, corePath: core.path, templatesDir: resolve(root, values.templates), outdir });
  console.log(`built in ${ms(started)}`);
}

main().catch((error) => {
  console.error(error instanceof BuildError ? `build: ${error.message}` : error);
  process.exitCode = 1;
});
