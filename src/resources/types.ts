import type { Host } from '../host/host.js';
import type { Json, Snapshot } from '../../state/events.js';

/**
 * One thing a module wants true on the host. `desired` holds only the fields Phanes manages; drift
 * and diff compare those fields alone. `options` carries what converging needs but is never recorded
 * (file content lives in the blob store, secrets never reach the journal).
 */
export interface Decl<O = unknown> {
  kind: string;
  id: string;
  desired: Snapshot;
  options?: O;
  /** Resource keys (`kind:id`) told to act (e.g. reload) when this one changes. */
  notify?: string[];
  /** Why this step is skipped on this host (e.g. swap in a container); it is reported, not applied. */
  skip?: string;
  /** The content is secret: diffs show `<redacted>`. */
  secret?: boolean;
}

/** What a kind may use while reading or changing a host. */
export interface KindContext {
  host: Host;
  /** Content of files read this run, by sha256, so diffs and blobs need no second read. */
  contents: Map<string, Buffer>;
  /** Store a file's content in the blob store (no-op on a read-only run); returns its sha256. */
  keepBlob(content: Buffer): Promise<string>;
  /** Read back a blob recorded earlier. */
  blob(sha256: string): Promise<Buffer>;
  secrets: readonly string[];
  /** Keys notified by an earlier change in this run (the service kind reloads on them). */
  notified: ReadonlySet<string>;
  /** Keys a rollback is bringing back in this run (apt may remove them together). */
  releasing: ReadonlySet<string>;
  force: boolean;
  /**
   * Units whose first start apt-get holds back (policy-rc.d) while it installs: not present before the
   * run, configured by a later step that would otherwise restart them, and started at their own step.
   */
  holdStarts?: ReadonlySet<string>;
  /**
   * Held units an apt-get install brought in with its first start held back: when their step comes,
   * whatever started them since (their own step, or a unit that wants them) did so with the config
   * written, so a change that notified them needs no reload or restart (apply drops the notification).
   */
  startsHeld?: Set<string>;
}

export interface RevertOutcome {
  /** `refused`: not reverted, and the rollback stops there (what comes after would undo it anyway, e.g. a purge). */
  result: 'restored' | 'left' | 'refused';
  note?: string;
}

/**
 * A resource kind. It reads many declarations in one batch, says what differs, converges the host to
 * the desired fields, and reverts to a recorded before-state. `read` must work from `id` and `desired`
 * alone, because status and rollback rebuild declarations from the journal without the config.
 */
export interface Kind<O = unknown> {
  readonly name: string;
  label(decl: Decl<O>): string;
  read(ctx: KindContext, decls: readonly Decl<O>[]): Promise<Map<string, Snapshot>>;
  /** One-line descriptions of each difference; empty when in sync. */
  diff(current: Snapshot, decl: Decl<O>, ctx: KindContext): string[];
  /** The state plan assumes after converging, so later steps plan against it. */
  predict(current: Snapshot, decl: Decl<O>): Snapshot;
  converge(ctx: KindContext, decl: Decl<O>, current: Snapshot): Promise<void>;
  /** Converge several at once (one apt-get for many packages). */
  convergeMany?(ctx: KindContext, items: readonly { decl: Decl<O>; current: Snapshot }[]): Promise<void>;
  /** Bring the resource back to `target` (its before-state). */
  revert(ctx: KindContext, decl: Decl<O>, current: Snapshot, target: Snapshot): Promise<RevertOutcome>;
  /** After a whole rollback, put back what later steps took away from `target` (a symlink). */
  settle?(ctx: KindContext, decl: Decl<O>, current: Snapshot, target: Snapshot): Promise<void>;
  /** A unified diff for humans between two states (files), secrets redacted by the caller. */
  show?(ctx: KindContext, from: Snapshot, to: Snapshot, decl: Decl<O>): Promise<string | undefined>;
  /** Not watched for drift (e.g. apt list freshness changes on its own). */
  readonly volatile?: boolean;
}

/** `decl` marked as skipped for `reason`, or `decl` itself when there is no reason. */
export function skipIf<T extends Decl>(decl: T, reason: string | undefined): T {
  return reason ? { ...decl, skip: reason } : decl;
}

/** Secret content (a file holding a password): marked in `desired` too, so status and rollback know it from the journal. */
export const isSecret = (decl: Decl): boolean => decl.secret === true || decl.desired.secret === true;

export const keyOf = (d: { kind: string; id: string }): string => `${d.kind}:${d.id}`;

/** Deep equality over JSON values; key order does not matter. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** The managed fields of `state` that differ from `desired`, as `field: now → wanted` lines. */
export function fieldDiff(state: Snapshot, desired: Snapshot, show: (field: string, v: Json | undefined) => string = fmt): string[] {
  return Object.keys(desired)
    .filter((k) => !jsonEqual(state[k], desired[k]))
    .map((k) => `${k}: ${show(k, state[k])} → ${show(k, desired[k])}`);
}

export function fmt(_field: string, v: Json | undefined): string {
  if (v === undefined || v === null) return '(none)';
  if (typeof v === 'number' && _field === 'mode') return `0${v.toString(8)}`;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export const octal = (mode: number): string => `0${mode.toString(8).padStart(3, '0')}`;
