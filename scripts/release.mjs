#!/usr/bin/env node
// Release artefacts: dist/phanes-<os>-<arch>.gz (gzip -9 of dist/phanes) and its .sha256 in
// sha256sum format. Verify with: cd dist && sha256sum -c phanes-linux-x64.gz.sha256
// Runs the full build first when dist/phanes is missing or older than any source; --rebuild forces
// it, --no-build packages dist/phanes as it is.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { constants, createGzip } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { rebuild: { type: 'boolean', default: false }, 'no-build': { type: 'boolean', default: false } },
});
const binary = join(root, 'dist', 'phanes');
const platform = { linux: 'linux', darwin: 'macos', win32: 'windows' }[process.platform] ?? process.platform;
const artefact = join(root, 'dist', `phanes-${platform}-${process.arch}.gz`);

/** Newest mtime of any file under the inputs of the build. */
function newestSource() {
  let newest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'modules', 'state', 'templates', 'scripts/build.mjs', 'scripts/lib', 'package.json', 'package-lock.json']) {
    visit(join(root, p));
  }
  return newest;
}

async function main() {
  const stale = !existsSync(binary) || statSync(binary).mtimeMs < newestSource();
  if (values['no-build'] && !existsSync(binary)) throw new Error('dist/phanes does not exist (drop --no-build)');
  if (values.rebuild || (stale && !values['no-build'])) {
    console.log(values.rebuild ? 'release: building (--rebuild)' : 'release: dist/phanes is missing or older than the sources, building');
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('build failed');
  }
  const t = process.hrtime.bigint();
  // gzip(1) -9 packs ~1 MB tighter than zlib level 9; -n leaves out name and mtime (reproducible).
  const out = openSync(artefact, 'w');
  const gz = spawnSync('gzip', ['-9', '-n', '-c', binary], { stdio: ['ignore', out, 'inherit'] });
  closeSync(out);
  if (gz.error || gz.status !== 0) {
    console.warn(`warning: gzip(1) unavailable (${gz.error?.code ?? `exit ${gz.status}`}), using zlib level 9`);
    await pipeline(createReadStream(binary), createGzip({ level: constants.Z_BEST_COMPRESSION }), createWriteStream(artefact));
  }
  const sha = createHash('sha256').update(readFileSync(artefact)).digest('hex');
  // sha256sum format: "<hex>  <name>" (two spaces = text mode), name relative to dist/.
  writeFileSync(`${artefact}.sha256`, `${sha}  ${basename(artefact)}\n`);
  const mb = (f) => `${(statSync(f).size / 1024 / 1024).toFixed(2)} MB`;
  const took = `${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(0)} ms`;
  console.log(`release dist/${basename(artefact)}  ${mb(artefact)} (from ${mb(binary)})  ${took}`);
  console.log(`        dist/${basename(artefact)}.sha256  ${sha}`);
  console.log(`verify: cd dist && sha256sum -c ${basename(artefact)}.sha256`);
}

main().catch((error) => {
  console.error(`release: ${error.message}`);
  process.exitCode = 1;
});
