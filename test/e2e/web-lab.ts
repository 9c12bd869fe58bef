// Pieces the web and coolify scenarios share: what /etc and dpkg look like, for rollback comparisons.
import type { LabHost } from './harness/index.js';

/** Every path under /etc with its type and content hash (files) or target (links). */
export async function etcState(host: LabHost): Promise<Map<string, string>> {
  const { stdout } = await host.exec(['sh', '-c',
    'cd /etc && find . -xdev -printf "%y %p %l\\n" | while read -r t p l; do if [ "$t" = f ]; then echo "$p f $(sha256sum "$p" | cut -c1-16)"; else echo "$p $t $l"; fi; done']);
  return new Map(stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
}

/** `dpkg --get-selections`, as package → selection. */
export async function selections(host: LabHost): Promise<Map<string, string>> {
  const { stdout } = await host.exec(['dpkg', '--get-selections']);
  return new Map(stdout.trim().split('\n').map((l) => l.split(/\s+/) as [string, string]));
}

/** Keys whose values differ between two maps (added, removed or changed), sorted. */
export function changedKeys(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** Packages apt marked as installed automatically (dependencies): what `apt-get autoremove` would take. */
export async function autoInstalled(host: LabHost): Promise<Set<string>> {
  return new Set((await host.exec(['apt-mark', 'showauto'])).stdout.trim().split('\n').map((l) => l.replace(/:.*$/, '')));
}

/** The /etc paths dpkg lists for these packages. */
export async function etcPathsOf(host: LabHost, pkgs: string[]): Promise<Set<string>> {
  if (!pkgs.length) return new Set();
  const r = await host.exec(['dpkg', '-L', ...pkgs], { reject: false });
  return new Set(r.stdout.split('\n').filter((p) => p.startsWith('/etc/')).map((p) => `.${p.slice(4)}`));
}

/** Wall time of an async step, in seconds with one decimal. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, string]> {
  const t = Date.now();
  const value = await fn();
  return [value, ((Date.now() - t) / 1000).toFixed(1)];
}
