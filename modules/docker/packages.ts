import type { Config } from '../../src/config/index.js';
import type { SystemFacts } from '../../src/facts/system.js';
import type { AptRepoSpec } from '../../src/resources/apt-repo.js';

/** What a host gets for `docker.source` on its suite: the packages, which Compose, and whether dockerd can check its config. */
export interface DockerFlavour {
  /** Engine packages, then Compose's (one apt transaction). */
  packages: string[];
  /** Compose as the host gets it, or null when install_compose is off. */
  compose: { version: 'v1' | 'v2'; command: string; package: string } | null;
  /** `dockerd --validate` exists (docker 23 and later); bookworm's 20.10 lacks it. */
  validates: boolean;
  /** The vendor repository, for `source: upstream`. */
  repo?: AptRepoSpec;
}

/** Debian suites whose docker.io is older than 23 and whose docker-compose is Compose v1 (1.x, Python). */
const V1_SUITES = new Set(['bullseye', 'bookworm']);
const UPSTREAM_URI = 'https://download.docker.com/linux';

/** Docker's own repository for this distro and codename (deb822, key in /etc/apt/keyrings). */
export function dockerRepo(system: Pick<SystemFacts, 'distro' | 'codename'>): AptRepoSpec {
  return {
    name: 'docker',
    keyUrl: `${UPSTREAM_URI}/${system.distro}/gpg`,
    uri: `${UPSTREAM_URI}/${system.distro}`,
    suites: [system.codename],
    components: ['stable'],
  };
}

export function dockerFlavour(docker: Config['docker'], system: Pick<SystemFacts, 'distro' | 'codename'>): DockerFlavour {
  const compose = (version: 'v1' | 'v2', pkg: string): DockerFlavour['compose'] =>
    docker.install_compose ? { version, package: pkg, command: version === 'v1' ? 'docker-compose' : 'docker compose' } : null;
  const withCompose = (engine: string[], c: DockerFlavour['compose']): string[] => [...engine, ...(c ? [c.package] : [])];
  if (docker.source === 'upstream') {
    const c = compose('v2', 'docker-compose-plugin');
    return {
      packages: withCompose(['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin'], c),
      compose: c, validates: true, repo: dockerRepo(system),
    };
  }
  if (system.distro === 'ubuntu') {
    // Ubuntu's docker.io carries the CLI; Compose v2 is docker-compose-v2 (a CLI plugin).
    const c = compose('v2', 'docker-compose-v2');
    return { packages: withCompose(['docker.io', 'docker-buildx'], c), compose: c, validates: true };
  }
  if (V1_SUITES.has(system.codename)) {
    const c = compose('v1', 'docker-compose');
    return { packages: withCompose(['docker.io'], c), compose: c, validates: false };
  }
  // trixie and later: the CLI is its own package (docker.io only recommends it), and docker-compose is
  // Compose v2, installed both as the `docker compose` plugin and as /usr/bin/docker-compose.
  const c = compose('v2', 'docker-compose');
  return { packages: withCompose(['docker.io', 'docker-cli', 'docker-buildx'], c), compose: c, validates: true };
}

/** The plan's note on what this host gets. */
export function flavourNote(f: DockerFlavour, docker: Config['docker'], system: Pick<SystemFacts, 'distro' | 'codename'>): string {
  const from = docker.source === 'upstream' ? "Docker's repository" : `${system.distro} ${system.codename}'s packages`;
  const engine = `Docker Engine from ${from} (${f.packages.filter((p) => p !== f.compose?.package).join(', ')})`;
  if (!f.compose) return `${engine}; no Compose (install_compose is off)`;
  const extra = f.compose.version === 'v1' ? "; for Compose v2 on this suite use source: upstream" : '';
  return `${engine}; Compose ${f.compose.version} as \`${f.compose.command}\` (${f.compose.package})${extra}`;
}
