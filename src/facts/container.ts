import { RefusedError } from '../errors.js';
import type { Host } from '../host/host.js';

/**
 * The container this host runs in, or null. `systemd-detect-virt -c` first; when that cannot tell
 * (no systemd), the marker files container managers leave. Kinds that touch non-namespaced kernel
 * state (swap, vm.* sysctls) ask this themselves, whatever the module declared.
 */
export function containerOf(host: Host): Promise<string | null> {
  // Asked by the system facts and again by each guard; a host does not change containers mid-run.
  let known = detected.get(host);
  if (!known) detected.set(host, (known = detectContainer(host)));
  return known;
}

const detected = new WeakMap<Host, Promise<string | null>>();

// systemd (PID 1) writes the container it detected into /run/systemd/container, and systemd-detect-virt
// answers from that file when it is there: read it, and spawn the command only when it is absent.
async function detectContainer(host: Host): Promise<string | null> {
  const markers = await host.readFiles(['/run/systemd/container', '/.dockerenv']);
  const named = markers.get('/run/systemd/container')?.toString('utf8').trim();
  if (named) return named;
  const virt = await host.query(['systemd-detect-virt', '--container'], { allowFailure: true }).catch(() => ({ stdout: 'none', exitCode: 1 }));
  const virtType = virt.stdout.trim();
  if (virt.exitCode === 0 && virtType && virtType !== 'none') return virtType;
  return markers.get('/.dockerenv') ? 'docker' : null;
}

/** Why a step is skipped in `container` (`why` it must not run there); undefined outside one. */
export function inContainer(container: string | null, why: string): string | undefined {
  return container ? `inside a container (${container}): ${why}` : undefined;
}

/** Throws unless the host is outside a container: the second guard behind a module's `skip`. */
export async function refuseInContainer(host: Host, action: string, why: string): Promise<void> {
  const container = await containerOf(host);
  if (container === null) return;
  throw new RefusedError(`refusing to ${action} inside a container (${container}): ${why}`, {
    suggestion: 'run Phanes on a VM or bare metal for this step; in a container the module reports it as skipped',
  });
}
