// Puts the Phanes artifact a user would get into a host, and runs it there.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from './config.js';
import type { ExecResult, LabHost } from './host.js';

const SEA = path.join(REPO_ROOT, 'dist', 'phanes');
const BUNDLE = path.join(REPO_ROOT, 'dist', 'phanes.cjs');
const CORE = path.join(REPO_ROOT, 'dist', 'phanes-core.cjs');
const LIB = '/usr/local/lib/phanes';

export type PhanesArtifact = 'sea' | 'node+bundle';

/**
 * Installs /usr/local/bin/phanes: the single-executable build if there is one, else this machine's node +
 * the bundle. `artifact` forces one of the two.
 */
export async function installPhanes(host: LabHost, artifact?: PhanesArtifact): Promise<PhanesArtifact> {
  if (artifact !== 'node+bundle' && existsSync(SEA)) {
    await host.copyIn(SEA, '/usr/local/bin/phanes', 0o755);
    console.log(`[e2e] ${host.name}: installed dist/phanes (single executable)`);
    return 'sea';
  }
  if (artifact === 'sea') throw new Error(`${SEA} does not exist: run npm run build`);
  if (!existsSync(BUNDLE) || !existsSync(CORE)) throw new Error(`neither ${SEA} nor ${BUNDLE} with ${CORE} exists: run npm run build`);
  // Laid out like the npm package (dist/, templates/), since the bundle may read files beside it.
  await host.copyIn(process.execPath, `${LIB}/node`, 0o755);
  await host.copyIn(BUNDLE, `${LIB}/dist/phanes.cjs`);
  await host.copyIn(CORE, `${LIB}/dist/phanes-core.cjs`);
  await host.copyIn(path.join(REPO_ROOT, 'package.json'), `${LIB}/package.json`);
  const templates = path.join(REPO_ROOT, 'templates');
  if (existsSync(templates)) {
    const tar = await execa('tar', ['-C', REPO_ROOT, '-cf', '-', 'templates'], { encoding: 'buffer' });
    await host.exec(['tar', '-C', LIB, '-xf', '-'], { input: Buffer.from(tar.stdout) });
  }
  await host.writeFile('/usr/local/bin/phanes', `#!/bin/sh\nexec ${LIB}/node ${LIB}/dist/phanes.cjs "$@"\n`, 0o755);
  console.log(`[e2e] ${host.name}: installed node ${process.version} + dist/phanes.cjs`);
  return 'node+bundle';
}

export interface PhanesOptions {
  input?: string;
  /** Pass false to get a non-zero exit back instead of an error. */
  reject?: boolean;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs `phanes ...args` inside the host, without colors. */
export function phanes(host: LabHost, args: string[], opts: PhanesOptions = {}): Promise<ExecResult> {
  return host.exec(['/usr/local/bin/phanes', ...args], { ...opts, env: { NO_COLOR: '1', ...opts.env } });
}
