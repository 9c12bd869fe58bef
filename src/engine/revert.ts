import type { PhanesEvent, Snapshot, Summary } from '../../state/events.js';
import type { ManagedResource } from '../../state/projector.js';
import { redactText } from '../../state/redact.js';
import type { Reporter } from '../report/reporter.js';
import { kindOf } from '../resources/index.js';
import { jsonEqual, type KindContext } from '../resources/types.js';
import { declOf } from './rebuild.js';
import { keepContents, type Recorder } from './recorder.js';

/** What reverting one resource needs from the run around it (rollback, or apply pruning). */
export interface RevertRun {
  ctx: KindContext;
  recorder: Recorder;
  reporter: Reporter;
  emit(e: PhanesEvent): Promise<void>;
  nextSeq(): number;
  runId: string;
  dryRun: boolean;
  force: boolean;
  secrets: readonly string[];
  summary: Summary;
  /** Shown before each change line, e.g. `revert (no longer in the config)`. */
  why: string;
  /** Recorded on each outcome: `prune` when apply reverts what the config no longer declares. */
  cause?: 'prune';
}

/** `halted`: the kind refused to go back (a database holding data): nothing after it in the module runs. */
export type RevertStatus = 'restored' | 'as-before' | 'released' | 'refused' | 'halted' | 'failed';

const now = (): string => new Date().toISOString();

/**
 * Bring one managed resource back to the state recorded before Phanes first changed it. What drifted
 * since is shown and left alone unless forced; what Phanes never changed is only released.
 */
export async function revertResource(run: RevertRun, r: ManagedResource, current: Snapshot): Promise<RevertStatus> {
  const { ctx, reporter, summary, dryRun } = run;
  const kind = kindOf(r.kind);
  const decl = declOf(r);
  const ref = { module: r.module, key: r.key, kind: r.kind, id: r.id, label: r.label };
  const step = (status: 'changed' | 'unchanged' | 'skipped' | 'planned' | 'failed', changes: string[], extra: { reason?: string; diff?: string; error?: string } = {}): void =>
    reporter.step({ module: r.module, key: r.key, label: r.label, status, changes, ...extra });
  const at = now();
  const cause = run.cause ? { cause: run.cause } : {};

  if (!r.changedByPhanes) {
    summary.unchanged++;
    step('unchanged', [], { reason: 'Phanes did not change it; no longer watched' });
    if (!dryRun) await run.emit({ type: 'ChangeReverted', data: { ...ref, ...cause, runId: run.runId, seq: run.nextSeq(), at, result: 'left', after: current, note: 'not changed by Phanes; no longer watched' } });
    return 'released';
  }
  const changes = kind.diff(current, { ...decl, desired: pick(r.original, decl.desired) }, ctx).map((c) => `${run.why}: ${c}`);
  if (!kind.volatile && Object.keys(decl.desired).every((k) => jsonEqual(current[k], r.original[k]))) {
    // Already as it was before Phanes (e.g. apt removed it along with another package): nothing to undo.
    summary.changed++;
    step('changed', ['already as before']);
    if (!dryRun) await run.emit({ type: 'ChangeReverted', data: { ...ref, ...cause, runId: run.runId, seq: run.nextSeq(), at, result: 'restored', after: current, note: 'already as before' } });
    return 'as-before';
  }
  const drift = driftSinceApply(ctx, r, current);
  if (drift.length && !run.force) {
    const shown = kind.show && r.after ? await kind.show(ctx, r.after, current, decl).catch(() => undefined) : undefined;
    summary.skipped++;
    step('skipped', drift, { reason: 'changed by someone else since Phanes applied it; re-run with --force to restore it anyway', ...(shown ? { diff: redactText(shown, run.secrets) } : {}) });
    if (!dryRun) await run.emit({ type: 'ChangeReverted', data: { ...ref, ...cause, runId: run.runId, seq: run.nextSeq(), at, result: 'refused', after: current, note: 'drifted since apply; not forced' } });
    return 'refused';
  }
  if (dryRun) {
    summary.changed++;
    step('planned', changes.length ? changes : ['release']);
    return 'restored';
  }
  const seq = run.nextSeq();
  await keepContents(run.recorder, ctx.contents, current, decl);
  await run.emit({ type: 'RevertIntended', data: { ...ref, runId: run.runId, seq, at, target: r.original, current } });
  try {
    const outcome = await kind.revert(ctx, decl, current, r.original);
    const after = (await readOne(ctx, r)) ?? {};
    await run.emit({ type: 'ChangeReverted', data: { ...ref, ...cause, runId: run.runId, seq, at: now(), result: outcome.result, after, ...(outcome.note ? { note: outcome.note } : {}) } });
    if (outcome.result === 'refused') {
      summary.skipped++;
      step('skipped', changes, { reason: outcome.note ?? 'refused' });
      return 'halted';
    }
    summary.changed++;
    step('changed', changes.length ? changes : ['restored'], outcome.note ? { reason: outcome.note } : {});
    return 'restored';
  } catch (error) {
    summary.failed++;
    const message = redactText(error instanceof Error ? error.message : String(error), run.secrets);
    await run.emit({ type: 'ChangeReverted', data: { ...ref, ...cause, runId: run.runId, seq, at: now(), result: 'failed', after: current, note: message } });
    step('failed', changes, { error: message });
    return 'failed';
  }
}

/**
 * What changed in a resource since Phanes last applied or saw it, which a revert without --force leaves
 * alone; empty when it may go back (Phanes never changed it, or it is already as it was before).
 */
export function driftSinceApply(ctx: KindContext, r: ManagedResource, current: Snapshot): string[] {
  const kind = kindOf(r.kind);
  const decl = declOf(r);
  if (!r.changedByPhanes || kind.volatile || !r.after) return [];
  if (Object.keys(decl.desired).every((k) => jsonEqual(current[k], r.original[k]))) return [];
  return kind.diff(current, decl, ctx);
}

async function readOne(ctx: KindContext, r: ManagedResource): Promise<Snapshot | undefined> {
  return (await kindOf(r.kind).read(ctx, [declOf(r)])).get(r.id);
}

/** The fields of `from` that `like` names: the before-state restricted to what Phanes manages. */
function pick(from: Snapshot, like: Snapshot): Snapshot {
  return Object.fromEntries(Object.keys(like).filter((k) => k in from).map((k) => [k, from[k]!]));
}
