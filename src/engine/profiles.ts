import { ALL_MODULE_NAMES, MODULES } from '../../modules/index.js';
import { PhanesError } from '../errors.js';
import type { Module } from './module.js';

export const PROFILES: Readonly<Record<string, readonly string[]>> = {
  minimal: ['baseline', 'user', 'security', 'swap', 'updates'],
  dev: ['baseline', 'user', 'security', 'swap', 'updates', 'docker', 'monitoring', 'devtools'],
  web: ['baseline', 'user', 'security', 'swap', 'updates', 'docker', 'monitoring', 'caddy'],
  database: ['baseline', 'user', 'security', 'swap', 'updates', 'docker', 'monitoring', 'postgres', 'redis'],
  coolify: ['baseline', 'user', 'security', 'swap', 'updates', 'docker', 'coolify'],
};

const byName = new Map(MODULES.map((m) => [m.name, m]));

export const moduleNamed = (name: string): Module | undefined => byName.get(name);

/** Modules of a profile that this build does not have yet. */
export const missingModules = (profile: string): string[] => (PROFILES[profile] ?? []).filter((m) => !byName.has(m));

/** Turn `--profile` or `--modules` into modules in run order, or say exactly what is wrong. */
export function resolveModules(selection: { profile?: string | undefined; modules?: string | undefined }): { modules: Module[]; profile?: string } {
  if (selection.profile && selection.modules) {
    throw new PhanesError('give either --profile or --modules, not both', { suggestion: 'e.g. `phanes plan --profile minimal` or `phanes plan --modules baseline,user`' });
  }
  if (selection.profile) {
    const names = PROFILES[selection.profile];
    if (!names) {
      throw new PhanesError(`unknown profile "${selection.profile}"`, { suggestion: `use one of ${Object.keys(PROFILES).join(', ')} (see \`phanes list\`)` });
    }
    const missing = missingModules(selection.profile);
    if (missing.length) {
      throw new PhanesError(`profile "${selection.profile}" needs module${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which this build of Phanes does not have yet`, {
        suggestion: `run the modules that exist with --modules ${names.filter((n) => byName.has(n)).join(',')}`,
      });
    }
    return { modules: names.map((n) => byName.get(n)!), profile: selection.profile };
  }
  if (selection.modules) {
    const names = selection.modules.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !byName.has(n));
    if (unknown.length) {
      const planned = unknown.filter((n) => (ALL_MODULE_NAMES as readonly string[]).includes(n));
      throw new PhanesError(planned.length === unknown.length ? `module ${unknown.join(', ')} is not in this build of Phanes yet` : `unknown module ${unknown.join(', ')}`, {
        suggestion: `available: ${MODULES.map((m) => m.name).join(', ')}`,
      });
    }
    // Run order is the product's order, whatever order they were typed in.
    const order = (n: string): number => (ALL_MODULE_NAMES as readonly string[]).indexOf(n);
    return { modules: [...new Set(names)].sort((a, b) => order(a) - order(b)).map((n) => byName.get(n)!) };
  }
  throw new PhanesError('choose what to run: --profile NAME or --modules a,b,c', { suggestion: 'see `phanes list` for profiles and modules' });
}
