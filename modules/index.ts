import type { Module } from '../src/engine/module.js';
import { baseline } from './baseline.js';
import { security } from './security.js';
import { swap } from './swap.js';
import { updates } from './updates.js';
import { user } from './user.js';

/** Every module this build has, in the order profiles run them. */
export const MODULES: readonly Module[] = [baseline, user, security, swap, updates];

/** The 13 modules of the product, in run order; those not in MODULES are not built yet. */
export const ALL_MODULE_NAMES = [
  'baseline', 'user', 'security', 'swap', 'updates', 'docker', 'monitoring', 'nginx', 'caddy', 'postgres', 'redis', 'devtools', 'coolify',
] as const;
