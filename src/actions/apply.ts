import { openStore } from '../../state/store.js';
import { StateError } from '../../state/errors.js';
import { initialState } from '../../state/projector.js';
import { configSha256, loadConfig } from '../config/index.js';
import { ConfigError, PhanesError, RefusedError, ReportedFailure } from '../errors.js';
import { AptLockHost, DEFAULT_LOCK_TIMEOUT, parseDuration } from '../host/apt-lock.js';
import { applyModules } from '../engine/apply.js';
import type { ModuleContext } from '../engine/module.js';
import { resolveModules } from '../engine/profiles.js';
import { nullRecorder, storeRecorder } from '../engine/recorder.js';
import { readSystemFacts } from '../facts/system.js';
import type { Host } from '../host/host.js';
import { LocalHost } from '../host/local.js';
import { ReadOnlyHost } from '../host/readonly.js';
import { VERSION } from '../version.js';
import { guardDecision } from '../engine/guard.js';
import { sshConnection } from '../facts/ssh-session.js';
import { guardFor, reportArmed, type ArmedGuard } from './guard.js';
import type { CommandIO } from './io.js';

/** What apply, plan and the seed's form are asked: the command's own options. */
export interface ApplyRequest {
  profile?: string | undefined;
  modules?: string | undefined;
  configFile?: string | undefined;
  dryRun: boolean;
  /** plan: exit 2 when changes are pending (Terraform's -detailed-exitcode), 0 when none. */
  detailedExitcode?: boolean;
  /** Skip the confirm-or-revert guard that a run over SSH arms before changing sshd or ufw. */
  noConfirm?: boolean;
  /** `--confirm-timeout` as typed: seconds to confirm after the run, 120 by default. */
  confirmTimeout?: string | undefined;
  /** How long to wait for a dpkg/apt lock another process holds (`10m`, `90s`); default 10 minutes. */
  lockTimeout?: string | undefined;
}

/** `--lock-timeout` in milliseconds, or a usage error naming the forms it takes. */
function lockTimeoutMs(text: string | undefined): number {
  const ms = parseDuration(text ?? DEFAULT_LOCK_TIMEOUT);
  if (ms === undefined) throw new PhanesError(`--lock-timeout ${text}: not a duration`, { suggestion: 'write seconds or a unit, e.g. 90s, 10m or 1h' });
  return ms;
}

/** `<module>.enabled: false` in the config: the module is released rather than applied. */
function switchedOff(config: object, module: string): boolean {
  const section = (config as Record<string, unknown>)[module];
  return typeof section === 'object' && section !== null && (section as { enabled?: unknown }).enabled === false;
}

/**
 * apply, plan and the seed's legacy form share this: load and validate the config, resolve the
 * modules, refuse unsafe runs before anything changes, then run the engine (dry on a read-only host).
 */
export async function apply(io: CommandIO, opts: ApplyRequest, host: Host = new LocalHost()): Promise<number> {
  const { reporter, stateDir } = io;
  const decision = guardDecision({ connection: sshConnection(io.env), noConfirm: opts.noConfirm ?? false, timeout: opts.confirmTimeout });
  const { modules, profile } = resolveModules({ profile: opts.profile, modules: opts.modules });
  // ${ENV} references and required passwords are checked only for the modules this run has.
  const loaded = await loadConfig({ file: opts.configFile ?? 'config.yaml', explicit: Boolean(opts.configFile), env: io.env, modules: modules.map((m) => m.name) });
  // Waits for a dpkg lock another process holds, and finishes a dpkg a crash interrupted, before apt work.
  const timeoutMs = lockTimeoutMs(opts.lockTimeout);
  const target = opts.dryRun ? new ReadOnlyHost(host) : new AptLockHost(host, { timeoutMs, say: (m) => reporter.warn(m) });
  const system = await readSystemFacts(target);
  const ctx: ModuleContext = { config: loaded.config, system, modules: modules.map((m) => m.name) };

  if (!opts.dryRun && !system.root) {
    throw new RefusedError('apply changes the system, so it must run as root; nothing was changed', {
      suggestion: `run it with sudo, or preview with \`phanes plan ${profile ? `--profile ${profile}` : `--modules ${ctx.modules.join(',')}`}\` as any user`,
    });
  }
  if (decision.arm && !opts.dryRun && !(await host.statFiles(['/run/systemd/system'])).get('/run/systemd/system')) {
    throw new RefusedError('this run comes over SSH, but systemd is not running here, so no confirm guard can be armed to undo a lockout; nothing was changed', {
      suggestion: 'add --no-confirm to apply without the guard (for automation, or with console access)',
    });
  }
  const active = modules.filter((m) => !switchedOff(loaded.config, m.name));
  const probed = await Promise.all(active.map((m) => m.hostPreflight?.(ctx, target) ?? []));
  const refusals = [...active.flatMap((m) => m.preflight?.(ctx) ?? []), ...probed.flat()].map(loaded.place);
  if (refusals.length && !opts.dryRun) {
    throw new RefusedError(`refusing to apply; nothing was changed:\n  - ${refusals.join('\n  - ')}`, { suggestion: 'fix the config as described, then re-run' });
  }
  const plan = modules.map((module) => ({ module, decls: module.resources(ctx), notes: module.notes?.(ctx) ?? [] }));

  reporter.runStart({
    command: opts.dryRun ? "plan" : "apply", modules: [...ctx.modules], dryRun: opts.dryRun, host: target.name,
    ...(profile ? { profile } : {}), ...(loaded.file && !loaded.fromDefaults ? { configFile: loaded.file } : {}),
  });
  for (const w of loaded.warnings) reporter.warn(ConfigError.render([w], loaded.file));
  for (const r of refusals) reporter.warn(`apply would refuse: ${r}`);

  const store = openStore(stateDir, { create: !opts.dryRun, secrets: [...loaded.secrets] });
  const lock = opts.dryRun ? undefined : store.lock('apply');
  try {
    for (const w of lock?.warnings ?? []) reporter.warn(w);
    // A corrupt journal must stop apply (it would record wrong before-states); plan as a normal user
    // may simply be unable to read /var/lib/phanes, and then plans as if nothing were recorded.
    const projection = await store.loadState().then((s) => s.state).catch((error: unknown) => {
      if (!opts.dryRun || error instanceof StateError) throw error;
      reporter.warn(`could not read the state in ${stateDir} (${error instanceof Error ? error.message : String(error)}); planning as if nothing were recorded`);
      return initialState();
    });
    if (!opts.dryRun && projection.guard) {
      throw new RefusedError(`confirm guard ${projection.guard.guardId} from the last run is still pending (${projection.guard.status}); nothing was changed`, {
        suggestion: 'run `sudo phanes confirm` from a new SSH connection to keep that run\'s sshd and ufw changes, or wait for the guard to put them back',
      });
    }
    const armed: ArmedGuard[] = [];
    const recorder = opts.dryRun ? nullRecorder(async (sha) => store.blobs.get(sha)) : storeRecorder(store);
    const result = await applyModules({
      host: target, plan, dryRun: opts.dryRun, recorder, projection, reporter, secrets: loaded.secrets,
      run: { version: VERSION, hostname: system.hostname, configSha256: configSha256(loaded.config), ...(profile ? { profile } : {}) },
      keep: new Map(modules.flatMap((m) => Object.entries(m.keeps?.(ctx) ?? {}))),
      released: new Map(modules.filter((m) => switchedOff(loaded.config, m.name)).map((m) => [m.name, `${m.name}.enabled is false`])),
      ...(decision.arm ? { guard: guardFor({ host: target, store, reporter, dryRun: opts.dryRun, timeoutS: decision.timeoutS, connection: decision.connection, armed }) } : {}),
    });
    if (result.failure) reporter.error(result.failure);
    if (result.disruptions.length) {
      reporter.record('disruption', { services: result.disruptions },
        `${opts.dryRun ? 'Services this run would touch' : 'Services this run touched'}: ${result.disruptions.join(', ')}`);
    }
    for (const g of armed) reportArmed(reporter, g, loaded.config.security.ssh_port);
    reporter.summary(result.summary, result.durationMs, opts.dryRun);
    if (!result.ok) throw new ReportedFailure(1);
    if (!opts.dryRun) await store.loadState(); // refresh the snapshot cache while we hold the lock
    return opts.dryRun && opts.detailedExitcode && result.summary.changed > 0 ? 2 : 0;
  } finally {
    lock?.release();
  }
}
