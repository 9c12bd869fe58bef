/**
 * The journal's event union. Every change Phanes makes to a host is recorded as an intent
 * (with the before-state) and then an outcome (with the after-state), so a crash between the two
 * leaves a visible pending change and rollback always knows what was there before.
 */
import type { ManagedResource } from './projector.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A resource's state as read from the host, e.g. `{ installed: true, version: "7.88" }`. */
export type Snapshot = Readonly<Record<string, Json>>;

/** Which resource an event is about. `key` is `${kind}:${id}` and unique per host. */
export interface ResourceRef {
  module: string;
  key: string;
  kind: string;
  id: string;
  /** Human label, e.g. `file /etc/ssh/sshd_config.d/00-phanes.conf`. */
  label: string;
}

export type RunCommand = 'apply' | 'rollback' | 'guard';
export type ModuleResult = 'changed' | 'unchanged' | 'skipped' | 'failed';
export type ChangeReason = 'create' | 'update' | 'repair' | 'notify';
export type RevertResult = 'restored' | 'left' | 'refused' | 'failed';

export interface Summary {
  changed: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

type Ev<T extends string, D> = Readonly<{ type: T; data: Readonly<D> }>;

export type RunStarted = Ev<'RunStarted', {
  runId: string;
  at: string;
  command: RunCommand;
  modules: string[];
  profile?: string;
  version: string;
  hostname: string;
  /** sha256 of the resolved config with secrets redacted; absent for rollback. */
  configSha256?: string;
}>;

export type ModuleStarted = Ev<'ModuleStarted', { runId: string; at: string; module: string }>;

/** Written (and fsynced) before a change is made. */
export type ChangeIntended = Ev<'ChangeIntended', ResourceRef & {
  runId: string;
  seq: number;
  at: string;
  reason: ChangeReason;
  /** One-line description of what will change, e.g. `install curl` or `mode 0644 → 0600`. */
  summary: string;
  before: Snapshot;
  /** The fields Phanes manages on this resource; drift compares only these. */
  desired: Snapshot;
  /** Resource keys this change tells to act (a service reload); rollback repeats that after reverting. */
  notify?: string[];
}>;

/** Written after the change succeeded, with the state read back from the host. */
export type ChangeApplied = Ev<'ChangeApplied', ResourceRef & {
  runId: string;
  seq: number;
  at: string;
  after: Snapshot;
}>;

export type ChangeFailed = Ev<'ChangeFailed', ResourceRef & {
  runId: string;
  seq: number;
  at: string;
  error: string;
}>;

/**
 * A resource that was already as desired when Phanes first declared it (or whose recorded state moved
 * on without drift). It becomes watched for drift, but rollback never touches it: Phanes did not change it.
 */
export type ResourceObserved = Ev<'ResourceObserved', ResourceRef & {
  runId: string;
  at: string;
  state: Snapshot;
  desired: Snapshot;
}>;

export type StepSkipped = Ev<'StepSkipped', ResourceRef & { runId: string; at: string; reason: string }>;

/** Rollback's intent: about to bring the resource back to `target` (its recorded before-state). */
export type RevertIntended = Ev<'RevertIntended', ResourceRef & {
  runId: string;
  seq: number;
  at: string;
  target: Snapshot;
  current: Snapshot;
}>;

/**
 * Rollback's outcome. `restored` and `left` end Phanes' management of the resource (`left` means it
 * deliberately kept something, such as a home directory, and `note` says what); `refused` and `failed` keep it.
 */
export type ChangeReverted = Ev<'ChangeReverted', ResourceRef & {
  runId: string;
  seq: number;
  at: string;
  result: RevertResult;
  after: Snapshot;
  note?: string;
  /** `prune`: apply reverted it because the config no longer declares it; absent for rollback. */
  cause?: 'prune';
}>;

/**
 * A module switched off (`<module>.enabled: false`): Phanes forgets what it managed and changes
 * nothing on the host. `rollback <module>` before switching it off is how a module is undone.
 */
export type Released = Ev<'Released', {
  runId: string;
  at: string;
  module: string;
  keys: string[];
  reason: string;
}>;

export type ModuleFinished = Ev<'ModuleFinished', Summary & {
  runId: string;
  at: string;
  module: string;
  result: ModuleResult;
  durationMs: number;
  note?: string;
}>;

export type RunFinished = Ev<'RunFinished', {
  runId: string;
  at: string;
  summary: Summary;
  durationMs: number;
  ok: boolean;
}>;

/** A file the confirm guard puts back: its content (a blob) and mode and owner, or null when it was absent. */
export interface GuardFile {
  path: string;
  sha256: string | null;
  mode?: number;
  owner?: string;
  group?: string;
}

/**
 * Apply under SSH is about to change sshd or ufw: the previous state of both is kept and a systemd
 * timer (`unit`) will put it back `timeoutS` seconds after the run finishes, unless `phanes confirm`
 * comes from another SSH connection than `connection` (the client's `ip port`).
 */
export type GuardArmed = Ev<'GuardArmed', {
  runId: string;
  at: string;
  guardId: string;
  unit: string;
  timeoutS: number;
  connection: string | null;
  files: GuardFile[];
  /** ufw was enabled (ufw.conf ENABLED=yes) before the run. */
  ufwEnabled: boolean;
}>;

export type GuardConfirmed = Ev<'GuardConfirmed', { runId: string; at: string; guardId: string; connection: string | null }>;

/** The timer fired with nobody having confirmed by `deadline`: the revert starts. */
export type GuardExpired = Ev<'GuardExpired', { runId: string; at: string; guardId: string; deadline: string }>;

/**
 * The guard put sshd and ufw back. `resources` are what the journal knew of each sshd and ufw resource the
 * guarded run touched, as it was before that run (null: it did not know the resource), so status matches the host again.
 */
export type GuardReverted = Ev<'GuardReverted', {
  runId: string;
  at: string;
  guardId: string;
  ok: boolean;
  restored: string[];
  error?: string;
  resources: Record<string, ManagedResource | null>;
}>;

export type PhanesEvent =
  | RunStarted
  | ModuleStarted
  | ChangeIntended
  | ChangeApplied
  | ChangeFailed
  | ResourceObserved
  | StepSkipped
  | RevertIntended
  | ChangeReverted
  | Released
  | ModuleFinished
  | RunFinished
  | GuardArmed
  | GuardConfirmed
  | GuardExpired
  | GuardReverted;

export type EventType = PhanesEvent['type'];
