import type { Runtime } from '../src/config/schema.js';
import type { Module } from '../src/engine/module.js';
import { pkg } from '../src/resources/package.js';

/** What every developer machine gets. */
export const DEV_BASE = ['git', 'build-essential', 'curl'];

/** The distribution's packages of each runtime (the same names on bookworm, trixie and Ubuntu). */
export const RUNTIME_PACKAGES: Record<Runtime, string[]> = {
  node: ['nodejs', 'npm'],
  python: ['python3', 'python3-venv', 'python3-pip'],
  go: ['golang-go'],
  rust: ['rustc', 'cargo'],
  ruby: ['ruby-full'],
  java: ['default-jdk-headless'],
};

/** Every package devtools asks for, each once, in order: the base, the runtimes, then the extras. */
export function devPackages(devtools: { runtimes: readonly Runtime[]; packages: readonly string[] }): string[] {
  return [...new Set([...DEV_BASE, ...devtools.runtimes.flatMap((r) => RUNTIME_PACKAGES[r]), ...devtools.packages])];
}

export const devtools: Module = {
  name: 'devtools',
  description: 'git, build tools and language runtimes',
  // Consecutive packages go to apt in one transaction; the journal still records each one.
  resources: ({ config }) => (config.devtools.enabled ? devPackages(config.devtools).map((p) => pkg(p)) : []),
};
