// Each host's nspawn runs in its own cgroup, in both the v1 name=systemd and the cgroup2 hierarchy.
// Why: nspawn on a host without systemd creates payload/ and supervisor/ beside itself; two hosts in the
// same cgroup (the root one) would share them.
import { mkdirSync, readdirSync, rmdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { config } from './config.js';

const HIERARCHIES = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'];

export function cgroupDirs(name: string): string[] {
  return HIERARCHIES.filter((h) => existsSync(h)).map((h) => path.join(h, config.cgroupName, name));
}

export function createCgroups(name: string): string[] {
  const dirs = cgroupDirs(name);
  for (const d of dirs) mkdirSync(d, { recursive: true });
  return dirs;
}

/** Removes a cgroup tree depth-first; a cgroup can only go once its processes are gone. */
export function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeCgroupTree(path.join(dir, entry.name));
  }
  rmdirSync(dir);
}
