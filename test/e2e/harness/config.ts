// Paths and lab constants, read from ../config.sh so the shell scripts and the harness agree.
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(E2E_DIR, '..', '..');

function parseShellVars(file: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=("?)(.*)\2$/.exec(line.trim());
    if (m) vars.set(m[1]!, m[3]!);
  }
  return vars;
}

const vars = parseShellVars(path.join(E2E_DIR, 'config.sh'));
function get(key: string): string {
  const v = vars.get(key);
  if (v === undefined) throw new Error(`test/e2e/config.sh lacks ${key}`);
  return v;
}

export const config = {
  bridge: get('BRIDGE'),
  subnetPrefix: get('SUBNET_PREFIX'),
  bridgeAddr: get('BRIDGE_ADDR'),
  bridgeMac: get('BRIDGE_MAC'),
  acngPort: get('ACNG_PORT'),
  cacheDir: get('CACHE_DIR'),
  runDir: get('RUN_DIR'),
  stateDir: get('STATE_DIR'),
  cgroupName: get('CGROUP_NAME'),
  sshKey: get('SSH_KEY'),
  logDir: `${get('RUN_DIR')}-logs`,
} as const;

export type Suite = 'bookworm' | 'trixie';
export const baseLink = (suite: Suite): string => path.join(config.cacheDir, `base-${suite}`);
/** The current base version (setup.sh swaps the link on a rebuild; mounted overlays keep theirs). */
export const baseDir = (suite: Suite): string => realpathSync(baseLink(suite));
