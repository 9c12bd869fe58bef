import type { Config } from '../src/config/index.js';
import type { Module, ModuleContext } from '../src/engine/module.js';
import type { Host } from '../src/host/host.js';
import { sha256 } from '../state/blobs.js';
import { command } from '../src/resources/command.js';
import { file } from '../src/resources/file.js';
import { pkg } from '../src/resources/package.js';
import type { Decl } from '../src/resources/types.js';

/** The installer writes this file last-but-one; its presence means Coolify is installed here. */
export const INSTALLED_MARK = '/data/coolify/source/.env';
/** Where the installer is downloaded to, checked, and run from: named after its URL, so a new URL downloads anew. */
export const installerCopy = (url: string): string => `/var/cache/phanes/coolify-install-${sha256(url).slice(0, 12)}.sh`;
/** The `sha256sum --check` line for the copy, kept beside it. */
export const checksumFile = (url: string): string => `${installerCopy(url)}.sha256`;
/** Coolify's dashboard, its realtime server and its terminal. */
export const COOLIFY_PORTS = [8000, 6001, 6002];

/** What rollback prints instead of undoing: the installer's changes are Coolify's own. */
export const MANUAL_STEPS = 'Coolify was installed by its own installer, which Phanes cannot take back. To remove it by hand: '
  + '`docker stop -t 0 coolify coolify-realtime coolify-db coolify-redis coolify-proxy`, '
  + '`docker rm coolify coolify-realtime coolify-db coolify-redis coolify-proxy`, '
  + '`docker volume rm coolify-db coolify-redis`, `docker network rm coolify`, then `rm -rf /data/coolify` '
  + '(see https://coolify.io/docs/get-started/uninstallation)';

/** The installer's documented environment: the first user, and whether Coolify updates itself. */
export function installerEnv(conf: Config['coolify']): Record<string, string> {
  return {
    ...(conf.root_username ? { ROOT_USERNAME: conf.root_username } : {}),
    ...(conf.root_user_email ? { ROOT_USER_EMAIL: conf.root_user_email } : {}),
    ...(conf.root_user_password ? { ROOT_USER_PASSWORD: conf.root_user_password } : {}),
    AUTOUPDATE: conf.autoupdate ? 'true' : 'false',
  };
}

/** `test -e INSTALLED_MARK || CMD…`: a step counts as done once Coolify is installed, or when its own work is. */
const doneOr = (cmd: string): string[] => ['sh', '-c', `test -e "$1" || ${cmd}`, 'sh', INSTALLED_MARK];

/**
 * Download, verify and run. Each step is done once Coolify is installed, so an existing install is
 * left alone. Config values only ever travel as argv entries, environment or file content; the `sh -c`
 * scripts are constants that take paths as positional arguments.
 */
function installSteps(conf: Config['coolify']): Decl[] {
  const copy = installerCopy(conf.installer_url);
  const sums = checksumFile(conf.installer_url);
  return [
    command('download the Coolify installer', {
      check: [...doneOr('test -s "$2"'), copy],
      run: ['curl', '-fsSL', '--proto', '=https,http', '--retry', '3', '--create-dirs', '-o', copy, '--', conf.installer_url],
      undo: ['rm', '-f', '--', copy],
    }),
    ...(conf.installer_sha256 ? [file(sums, { content: `${conf.installer_sha256}  ${copy}\n`, mode: 0o600 })] : []),
    command('run the Coolify installer', {
      check: ['test', '-e', INSTALLED_MARK],
      // With a sha256, the copy is checked in the same step, right before it runs: a mismatch fails the
      // step with sha256sum's message and nothing runs. (A separate check step could not be planned:
      // it would pass or fail on a checksum file this same run rewrites.)
      run: conf.installer_sha256 ? ['sh', '-c', 'sha256sum --check --strict "$1" && exec bash "$2"', 'sh', sums, copy] : ['bash', copy],
      env: installerEnv(conf),
      undo: { irreversible: MANUAL_STEPS },
    }),
  ];
}

/** Listening TCP ports from /proc/net/tcp and tcp6 (state 0A), without a process. */
export function listeningPorts(tables: readonly string[]): Set<number> {
  const ports = new Set<number>();
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && f[1]) ports.add(parseInt(f[1].slice(f[1].lastIndexOf(':') + 1), 16));
    }
  }
  return ports;
}

/** What the host must offer before Coolify's installer may run; empty once Coolify is installed. */
export function coolifyProblems(ctx: ModuleContext, facts: { installed: boolean; dockerActive: boolean; listening: Set<number>; freeGb: number | null }): string[] {
  const conf = ctx.config.coolify;
  if (!conf.enabled || facts.installed) return [];
  const problems: string[] = [];
  if (!ctx.modules.includes('docker') && !facts.dockerActive) {
    problems.push('coolify needs Docker, and docker is not in this run nor is docker.service active; add docker to --modules (before coolify) or use --profile coolify');
  }
  for (const port of COOLIFY_PORTS.filter((p) => facts.listening.has(p))) {
    problems.push(`coolify needs port ${port}, and something already listens on it; stop it first (\`ss -tlnp 'sport = :${port}'\` shows what)`);
  }
  if (facts.freeGb !== null && facts.freeGb < conf.min_disk_gb) {
    problems.push(`coolify needs ${conf.min_disk_gb} GB free on / (coolify.min_disk_gb), and only ${facts.freeGb} GB are free; free some space or lower coolify.min_disk_gb`);
  }
  return problems;
}

async function readHostFacts(host: Host): Promise<Parameters<typeof coolifyProblems>[1]> {
  const [stats, tables, docker, df] = await Promise.all([
    host.statFiles([INSTALLED_MARK]),
    host.readFiles(['/proc/net/tcp', '/proc/net/tcp6']),
    host.query(['systemctl', 'is-active', '--quiet', 'docker.service'], { allowFailure: true }),
    host.query(['df', '--output=avail', '-B1G', '/'], { allowFailure: true }),
  ]);
  const free = /(\d+)\s*$/.exec(df.stdout.trim());
  return {
    installed: Boolean(stats.get(INSTALLED_MARK)),
    dockerActive: docker.exitCode === 0,
    listening: listeningPorts([...tables.values()].map((b) => b?.toString('utf8') ?? '')),
    freeGb: df.exitCode === 0 && free ? Number(free[1]) : null,
  };
}

export const coolify: Module = {
  name: 'coolify',
  description: 'Coolify self-hosted PaaS',
  resources({ config }) {
    if (!config.coolify.enabled) return [];
    return [pkg('curl'), ...installSteps(config.coolify)];
  },
  async hostPreflight(ctx, host) {
    if (!ctx.config.coolify.enabled) return [];
    return coolifyProblems(ctx, await readHostFacts(host));
  },
};
