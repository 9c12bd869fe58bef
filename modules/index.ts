import type { Module } from '../src/engine/module.js';
import { baseline } from './baseline.js';
import { caddy } from './caddy.js';
import { coolify } from './coolify.js';
import { devtools } from './devtools.js';
import { docker } from './docker.js';
import { monitoring } from './monitoring.js';
import { nginx } from './nginx.js';
import { postgres } from './postgres.js';
import { redis } from './redis.js';
import { security } from './security.js';
import { swap } from './swap.js';
import { updates } from './updates.js';
import { user } from './user.js';

/** Every module this build has, in the order profiles run them. */
export const MODULES: readonly Module[] = [baseline, user, security, swap, updates, docker, monitoring, nginx, caddy, postgres, redis, devtools, coolify];

export { ALL_MODULE_NAMES } from '../src/engine/module-names.js';
