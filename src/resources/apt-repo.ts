import { aptUpdateFor } from './apt-update.js';
import { command, nonEmptyFile } from './command.js';
import { file } from './file.js';
import type { Decl } from './types.js';

/** A vendor's apt repository, added the modern way (deb822 `.sources` with `Signed-By`). */
export interface AptRepoSpec {
  /** Short name: the key and sources files are named after it (`docker` → /etc/apt/keyrings/docker.asc). */
  name: string;
  /** Where the vendor publishes its signing key (ASCII-armoured or binary; apt reads both). */
  keyUrl: string;
  /** The repository's base URI, e.g. https://download.docker.com/linux/debian. */
  uri: string;
  suites: string[];
  /** Empty for a flat repository, whose suite is a path ending in `/`. */
  components: string[];
  /** Limit apt to these architectures (vendors often publish only some). */
  architectures?: string[];
}

export const keyringPath = (name: string): string => `/etc/apt/keyrings/${name}.asc`;
export const sourcesPath = (name: string): string => `/etc/apt/sources.list.d/${name}.sources`;

/** The `.sources` file apt reads for this repository. */
export function sourcesFile(spec: AptRepoSpec): string {
  return [
    `# Managed by Phanes: the ${spec.name} repository.`,
    'Types: deb',
    `URIs: ${spec.uri}`,
    `Suites: ${spec.suites.join(' ')}`,
    // A flat repository (a suite ending in `/`, as Netdata's) takes no components.
    ...(spec.components.length ? [`Components: ${spec.components.join(' ')}`] : []),
    ...(spec.architectures?.length ? [`Architectures: ${spec.architectures.join(' ')}`] : []),
    `Signed-By: ${keyringPath(spec.name)}`,
    '',
  ].join('\n');
}

/** `https://download.docker.com/linux/debian` → `download.docker.com_linux_debian_`, how apt names its list files. */
export function listPrefix(uri: string): string {
  return `${uri.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '').replace(/\//g, '_')}_`;
}

/**
 * The steps that add a vendor repository: fetch its key into /etc/apt/keyrings (a command with a
 * check and an undo, since the key comes from the network), write the `.sources` file, and refresh
 * apt's lists for it when that file changes or its lists are missing. Packages from it come after.
 */
export function aptRepo(spec: AptRepoSpec): Decl[] {
  const keyring = keyringPath(spec.name);
  const update = aptUpdateFor(spec.name, listPrefix(spec.uri));
  return [
    command(`fetch ${spec.name} signing key`, {
      check: nonEmptyFile(keyring),
      run: ['curl', '-fsSL', '--proto', '=https', '--retry', '3', '--create-dirs', '-o', keyring, spec.keyUrl],
      undo: ['rm', '-f', '--', keyring],
    }),
    file(sourcesPath(spec.name), { content: sourcesFile(spec), notify: [`apt-update:${spec.name}`] }),
    update,
  ];
}
