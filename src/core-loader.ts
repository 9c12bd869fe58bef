// Loads the core (src/core.ts) on a command's first use. Under tsx it is a plain dynamic import.
// The build defines __PHANES_BUNDLE__, which drops that import from the CLI bundle, and the core
// comes from the second bundle instead: dist/phanes-core.cjs beside dist/phanes.cjs, or the asset
// embedded in the single binary, compiled the way Node compiles a CommonJS file, with a V8 code
// cache the build made for it (so the 0.6 MB is not parsed again on every run).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import type * as CoreModule from './core.js';
import { packagedSea } from './sea.js';

export type Core = typeof CoreModule;

declare const __PHANES_BUNDLE__: boolean | undefined;

/** The core beside the CLI bundle, and its keys among the single binary's assets (scripts/lib/sea.mjs). */
export const CORE_FILE = 'phanes-core.cjs';
export const CORE_ASSET = 'phanes/core.cjs';
export const CORE_CACHE_ASSET = 'phanes/core.cache';

/** The function the core is compiled as: a CommonJS wrapper. The build's code cache is for exactly this text. */
export function wrapCore(code: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${code}\n})`;
}

let loading: Promise<Core> | undefined;

export function loadCore(): Promise<Core> {
  loading ??= typeof __PHANES_BUNDLE__ === 'boolean' ? new Promise<Core>((resolve) => resolve(loadBundledCore())) : import('./core.js');
  return loading;
}

function loadBundledCore(): Core {
  // In the bundle `__filename` is dist/phanes.cjs; in the single binary it is the binary itself.
  const self = __filename;
  const sea = packagedSea();
  if (!sea) {
    const file = join(dirname(self), CORE_FILE);
    try {
      return createRequire(self)(file) as Core;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      throw new Error(`${file} is missing: it ships beside ${self}; reinstall Phanes, or use the single binary`, { cause: error });
    }
  }
  // A cache V8 rejects (another Node build) only costs the parse it would have saved.
  const script = new Script(wrapCore(sea.getAsset(CORE_ASSET, 'utf8')), { filename: self, cachedData: Buffer.from(sea.getRawAsset(CORE_CACHE_ASSET)) });
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, createRequire(self), module, self, dirname(self));
  return module.exports as Core;
}
