// Version and commit of this build. scripts/build.mjs replaces the two __PHANES_*__
// identifiers with string literals (esbuild `define`), so the bundle and the binary
// never touch package.json or git. Under tsx they are undeclared, and we fall back to
// reading package.json and asking git (about 8 ms, development only).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

declare const __PHANES_VERSION__: string | undefined;
declare const __PHANES_COMMIT__: string | undefined;

// src/ (tsx) and dist/ (bundle) are both one level below the repo root.
const repoRoot = (): string => fileURLToPath(new URL('..', import.meta.url));

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(`${repoRoot()}package.json`, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'dev';
  } catch {
    return 'dev';
  }
}

/** Short sha of HEAD, plus `-dirty` when the tree has changes or new files (not ignored ones); 'dev' without git. */
export function gitCommit(cwd: string = repoRoot()): string {
  // Loaded here, not at the top: child_process costs ~4 ms, and the bundle never calls this.
  const { execFileSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const sha = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain') === '' ? sha : `${sha}-dirty`;
  } catch {
    return 'dev';
  }
}

/** The package version, e.g. `0.1.0`. */
export const VERSION: string = typeof __PHANES_VERSION__ === 'string' ? __PHANES_VERSION__ : packageVersion();

/** Short git sha of the build: `abc1234`, `abc1234-dirty`, or `dev`. */
export const COMMIT: string = typeof __PHANES_COMMIT__ === 'string' ? __PHANES_COMMIT__ : gitCommit();

/** Exactly what `phanes --version` prints: `phanes <VERSION> (<COMMIT>)`. */
export function versionLine(): string {
  return `phanes ${VERSION} (${COMMIT})`;
}
