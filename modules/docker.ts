import type { Config } from '../src/config/index.js';
import type { Module, ModuleContext } from '../src/engine/module.js';
import type { Host } from '../src/host/host.js';
import { aptRepo } from '../src/resources/apt-repo.js';
import { command } from '../src/resources/command.js';
import { directory } from '../src/resources/directory.js';
import { file } from '../src/resources/file.js';
import { groupMember } from '../src/resources/group-member.js';
import { pkg } from '../src/resources/package.js';
import { service } from '../src/resources/service.js';
import type { Decl } from '../src/resources/types.js';
import { dockerFirewall, guardsPorts } from './docker/firewall.js';
import { dockerFlavour, flavourNote } from './docker/packages.js';

export const DAEMON_JSON = '/etc/docker/daemon.json';
/** Debian's and Ubuntu's docker.io run this script on purge, and it deletes /var/lib/docker: images, containers, volumes. */
export const NUKE_SCRIPT = '/usr/share/docker.io/contrib/nuke-graph-directory.sh';
const STATOVERRIDE = '/var/lib/dpkg/statoverride';

/** `dpkg-statoverride --list PATH` without the process: dpkg keeps the overrides as `user group mode path` lines. */
export async function hasStatOverride(host: Host, file: string): Promise<boolean> {
  const text = (await host.readFiles([STATOVERRIDE])).get(STATOVERRIDE)?.toString('utf8') ?? '';
  return text.split('\n').some((l) => l.trim().split(/\s+/).slice(3).join(' ') === file);
}

/**
 * Keeps /var/lib/docker when rollback purges docker.io: its prerm saves the nuke script only when it is
 * executable, so a dpkg stat override (mode 0644, applied when the package unpacks) stops the purge from
 * deleting the user's images and volumes. Declared before the package, so rollback lifts it after the purge.
 */
export function keepDockerData(): Decl {
  return command('keep /var/lib/docker when docker.io is purged', {
    check: (host) => hasStatOverride(host, NUKE_SCRIPT),
    run: ['dpkg-statoverride', '--update', '--add', 'root', 'root', '0644', NUKE_SCRIPT],
    undo: ['dpkg-statoverride', '--remove', NUKE_SCRIPT],
    beforeItsPackages: true,
  });
}
const SUPPORTED = ['debian', 'ubuntu'];

/** daemon.json: json-file logs rotated at log_max_size, log_max_file kept (docker wants both as strings). */
export function daemonJson(docker: Config['docker']): string {
  const config = { 'log-driver': 'json-file', 'log-opts': { 'max-size': docker.log_max_size, 'max-file': String(docker.log_max_file) } };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Who joins the docker group: the login user (docker.login_user) and docker.users, each once. */
export function dockerUsers(config: Config): string[] {
  return [...new Set([...(config.docker.login_user ? [config.username] : []), ...config.docker.users])];
}

export const docker: Module = {
  name: 'docker',
  description: 'Docker Engine, Compose, log rotation and the docker group',
  resources(ctx) {
    const { config, system } = ctx;
    const d = config.docker;
    if (!d.enabled) return [];
    const flavour = dockerFlavour(d, system);
    const decls: Decl[] = [
      ...(flavour.repo ? aptRepo(flavour.repo) : []),
      ...(flavour.packages.includes('docker.io') ? [keepDockerData()] : []),
      ...flavour.packages.map((p) => pkg(p)),
      // docker.io ships /etc/docker; docker-ce may leave it to dockerd's first start.
      ...(flavour.repo ? [directory('/etc/docker')] : []),
      // The packages start dockerd with its defaults; a new daemon.json restarts it. dockerd 23+ checks
      // the file before it is installed; bookworm's 20.10 has no --validate (the JSON is ours, so it parses).
      file(DAEMON_JSON, {
        content: daemonJson(d),
        ...(flavour.validates ? { validate: ['dockerd', '--validate', '--config-file', '{}'] } : {}),
        notify: ['service:docker.service'],
      }),
      service('docker.service', { onChange: 'restart' }),
      ...dockerUsers(config).map((u) => groupMember('docker', u)),
      ...dockerFirewall(ctx),
    ];
    return decls;
  },
  notes(ctx) {
    const d = ctx.config.docker;
    if (!d.enabled || !SUPPORTED.includes(ctx.system.distro)) return [];
    const flavour = dockerFlavour(d, ctx.system);
    return [
      flavourNote(flavour, d, ctx.system),
      ...(flavour.validates ? [] : ['this dockerd has no --validate: daemon.json is rendered as JSON by Phanes and not checked by dockerd before the restart']),
      firewallNote(ctx),
      'rollback purges the packages Phanes installed; images, containers and volumes under /var/lib/docker are left in place (remove them by hand if unwanted)',
      // dockerd itself turns forwarding on when it starts; no file of Phanes' holds it, so rollback has nothing to put back.
      'dockerd turns on IP forwarding (net.ipv4.ip_forward = 1) when it starts; after rollback it stays on until a reboot, or the next apply of security with sysctl_hardening and without docker turns it off',
    ];
  },
  preflight({ config, system }) {
    if (!config.docker.enabled) return [];
    if (!SUPPORTED.includes(system.distro)) {
      return [`docker: Phanes knows Docker's packages for Debian and Ubuntu only, not ${system.distro}. Set docker.enabled: false, or leave docker out of the run.`];
    }
    if (config.docker.source === 'upstream' && !system.codename) {
      return ["docker.source is upstream, but this host's os-release names no codename for Docker's repository. Set docker.source: distro."];
    }
    return [];
  },
};

function firewallNote(ctx: ModuleContext): string {
  if (guardsPorts(ctx)) {
    return 'published container ports stay behind ufw (DOCKER-USER rules in /etc/ufw/after.rules, the ufw-docker approach): a published port answers from outside only once security.ufw.allow lists it';
  }
  return ctx.config.docker.ufw
    ? 'ufw is not managed in this run (security not in it, or security.ufw.enabled off): published container ports bypass any host firewall'
    : 'docker.ufw is off: published container ports bypass ufw';
}
