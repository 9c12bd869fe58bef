// The e2e harness: boot lab hosts, run things in them, always take them down.
import { LabHost, type BootOptions } from './host.js';

export { LabHost } from './host.js';
export type { BootOptions, ExecOptions, ExecResult, SshOptions } from './host.js';
export { installPhanes, phanes, type PhanesArtifact, type PhanesOptions } from './phanes.js';
export { machineState, machineClock, firewallRules, type MachineState } from './machine.js';
export { config, REPO_ROOT, type Suite } from './config.js';

/** Boots a fresh host; the caller owns it and must call down() (withHost does). */
export function bootHost(opts: BootOptions): Promise<LabHost> {
  return LabHost.boot(opts);
}

/** Boots a host, runs fn with it and always takes it down, even when fn throws. */
export async function withHost<T>(opts: BootOptions, fn: (host: LabHost) => Promise<T>): Promise<T> {
  const host = await bootHost(opts);
  try {
    return await fn(host);
  } finally {
    await host.down();
  }
}
