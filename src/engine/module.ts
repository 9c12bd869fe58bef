import type { Config } from '../config/index.js';
import type { SystemFacts } from '../facts/system.js';
import type { Host } from '../host/host.js';
import type { Decl } from '../resources/types.js';

export interface ModuleContext {
  config: Config;
  system: SystemFacts;
  /** Every module in this run, so one can adapt to another (security leaves ip_forward to docker). */
  modules: readonly string[];
}

/**
 * A module is a declaration: the resources its part of the config asks for, in order. It never
 * touches the host itself; the engine reads, diffs, applies and records every resource.
 */
export interface Module {
  readonly name: string;
  readonly description: string;
  resources(ctx: ModuleContext): Decl[];
  /** Facts about this run a user should read in plan and apply (which Compose a host gets), printed under the module's name. */
  notes?(ctx: ModuleContext): string[];
  /** Reasons to refuse the whole run before anything changes (lockout safety). */
  preflight?(ctx: ModuleContext): string[];
  /** Resource keys that must never be reverted as "no longer in the config", with the reason. */
  keeps?(ctx: ModuleContext): Record<string, string>;
  /** Reasons to refuse read from the host itself (ports in use, free disk), with read-only queries. */
  hostPreflight?(ctx: ModuleContext, host: Host): Promise<string[]>;
}
