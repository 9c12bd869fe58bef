import { randomUUID } from 'node:crypto';
import type { ChangeReason, ModuleResult, PhanesEvent, ResourceRef, Snapshot, Summary } from '../../state/events.js';
import type { ManagedResource, ProjectedState } from '../../state/projector.js';
import { PhanesError } from '../errors.js';
import type { Host } from '../host/host.js';
import type { Reporter } from '../report/reporter.js';
import { kindOf } from '../resources/index.js';
import { jsonEqual, keyOf, type Decl, type KindContext } from '../resources/types.js';
import { redactText } from '../../state/redact.js';
import { kindContext, readAll } from './context.js';
import type { Module } from './module.js';
import { keepContents, type Recorder } from './recorder.js';

export interface ApplyInput {
  host: Host;
  /** Modules in run order, each with the resources it declared. */
  plan: { module: Module; decls: Decl[] }[];
  dryRun: boolean;
  recorder: Recorder;
  projection: ProjectedState;
  reporter: Reporter;
  secrets: readonly string[];
  run: { profile?: string; version: string; hostname: string; configSha256?: string };
}

export interface ApplyResult {
  summary: Summary;
  durationMs: number;
  ok: boolean;
  failure?: unknown;
}

const now = (): string => new Date().toISOString();
const empty = (): Summary => ({ changed: 0, unchanged: 0, skipped: 0, failed: 0 });

/**
 * Apply and plan are one loop. Plan runs it on a host that refuses writes, with `dryRun` making
 * each step predict its outcome instead of converging, so later steps plan against the predicted state.
 */
export async function applyModules(input: ApplyInput): Promise<ApplyResult> {
  const { host, recorder, reporter, dryRun } = input;
  const started = Date.now();
  const runId = randomUUID();
  const ctx = kindContext(host, recorder, input.secrets);
  const all = input.plan.flatMap((p) => p.decls);
  const cache = await readAll(ctx, all);
  const total = empty();
  let dirty = false; // a change happened since the batch read: re-read before the next change
  let failure: unknown;
  let seq = 0;
  const emit = (e: PhanesEvent): Promise<void> => (dryRun ? Promise.resolve() : recorder.append(e));

  await emit({ type: 'RunStarted', data: { runId, at: now(), command: 'apply', modules: input.plan.map((p) => p.module.name), ...input.run } });

  for (const { module, decls } of input.plan) {
    const mStart = Date.now();
    const counts = empty();
    reporter.moduleStart(module.name, module.description);
    if (failure) {
      counts.skipped = decls.length;
      reporter.moduleEnd(module.name, 'skipped', counts, 0, 'an earlier module failed');
      await emit({ type: 'ModuleFinished', data: { runId, at: now(), module: module.name, result: 'skipped', ...counts, durationMs: 0, note: 'an earlier module failed' } });
      add(total, counts);
      continue;
    }
    await emit({ type: 'ModuleStarted', data: { runId, at: now(), module: module.name } });
    for (let i = 0; i < decls.length && !failure; i++) {
      const decl = decls[i]!;
      const kind = kindOf(decl.kind);
      const key = keyOf(decl);
      const ref: ResourceRef = { module: module.name, key, kind: decl.kind, id: decl.id, label: kind.label(decl) };
      if (decl.skip) {
        counts.skipped++;
        reporter.step({ module: module.name, key, label: ref.label, status: 'skipped', changes: [], reason: decl.skip });
        await emit({ type: 'StepSkipped', data: { ...ref, runId, at: now(), reason: decl.skip } });
        continue;
      }
      if (dirty && !dryRun) {
        const fresh = await readAll(ctx, [decl]);
        for (const [k, v] of fresh) cache.set(k, v);
      }
      const current = cache.get(key) ?? {};
      const changes = kind.diff(current, decl, ctx).map((c) => redactText(c, input.secrets));
      if (changes.length === 0) {
        counts.unchanged++;
        reporter.step({ module: module.name, key, label: ref.label, status: 'unchanged', changes: [] });
        if (!dryRun && !kind.volatile && needsObserving(input.projection.resources[key], current, decl)) {
          await keepContents(recorder, ctx.contents, current, decl);
          await emit({ type: 'ResourceObserved', data: { ...ref, runId, at: now(), state: current, desired: decl.desired } });
        }
        continue;
      }
      // Consecutive steps of a batching kind (packages) that also need a change go in one call.
      const batch = [{ decl, ref, current, changes }];
      while (kind.convergeMany && i + 1 < decls.length) {
        const next = decls[i + 1]!;
        if (next.kind !== decl.kind || next.skip || batch.some((b) => b.ref.key === keyOf(next))) break;
        const nextCurrent = cache.get(keyOf(next)) ?? {};
        const nextChanges = kind.diff(nextCurrent, next, ctx).map((c) => redactText(c, input.secrets));
        if (!nextChanges.length) break;
        batch.push({ decl: next, ref: { ...ref, key: keyOf(next), id: next.id, label: kind.label(next) }, current: nextCurrent, changes: nextChanges });
        i++;
      }
      const diffs = await Promise.all(batch.map(async (b) => {
        const shown = kind.show ? await kind.show(ctx, b.current, kind.predict(b.current, b.decl), b.decl).catch(() => undefined) : undefined;
        return shown === undefined ? undefined : redactText(shown, input.secrets);
      }));
      if (dryRun) {
        batch.forEach((b, j) => {
          cache.set(b.ref.key, kind.predict(b.current, b.decl));
          counts.changed++;
          for (const n of b.decl.notify ?? []) ctx.notified.add(n);
          reporter.step({ module: module.name, key: b.ref.key, label: b.ref.label, status: 'planned', changes: b.changes, ...(diffs[j] ? { diff: diffs[j] } : {}) });
        });
        continue;
      }
      const seqs: number[] = [];
      for (const b of batch) {
        const s = ++seq;
        seqs.push(s);
        await keepContents(recorder, ctx.contents, b.current, b.decl);
        await emit({ type: 'ChangeIntended', data: {
          ...b.ref, runId, seq: s, at: now(), reason: reasonFor(input.projection.resources[b.ref.key], b.current, b.decl, ctx),
          summary: b.changes.join('; '), before: b.current, desired: b.decl.desired, ...(b.decl.notify ? { notify: b.decl.notify } : {}),
        } });
      }
      try {
        dirty = true;
        if (batch.length > 1 && kind.convergeMany) await kind.convergeMany(ctx, batch);
        else await kind.converge(ctx, decl, current);
        const after = await readAll(ctx, batch.map((b) => b.decl));
        for (const [j, b] of batch.entries()) {
          const state = after.get(b.ref.key) ?? {};
          cache.set(b.ref.key, state);
          const left = kind.diff(state, b.decl, { ...ctx, notified: new Set() });
          if (left.length) throw new PhanesError(`${b.ref.label} still differs after the change: ${left.join('; ')}`);
          await keepContents(recorder, ctx.contents, state, b.decl);
          await emit({ type: 'ChangeApplied', data: { ...b.ref, runId, seq: seqs[j]!, at: now(), after: state } });
          counts.changed++;
          for (const n of b.decl.notify ?? []) ctx.notified.add(n);
          reporter.step({ module: module.name, key: b.ref.key, label: b.ref.label, status: 'changed', changes: b.changes, ...(diffs[j] ? { diff: diffs[j] } : {}) });
        }
      } catch (error) {
        failure = error;
        const message = redactText(error instanceof Error ? error.message : String(error), input.secrets);
        for (const [j, b] of batch.entries()) {
          await emit({ type: 'ChangeFailed', data: { ...b.ref, runId, seq: seqs[j]!, at: now(), error: message } });
        }
        counts.failed++;
        reporter.step({ module: module.name, key, label: ref.label, status: 'failed', changes, error: message });
      }
      if (!failure) ctx.notified.delete(key);
    }
    if (failure) counts.skipped += decls.length - counts.changed - counts.unchanged - counts.skipped - counts.failed;
    const result: ModuleResult = failure ? 'failed' : counts.changed ? 'changed' : 'unchanged';
    const durationMs = Date.now() - mStart;
    reporter.moduleEnd(module.name, result, counts, durationMs);
    await emit({ type: 'ModuleFinished', data: { runId, at: now(), module: module.name, result, ...counts, durationMs } });
    add(total, counts);
  }
  const durationMs = Date.now() - started;
  await emit({ type: 'RunFinished', data: { runId, at: now(), summary: total, durationMs, ok: !failure } });
  return { summary: total, durationMs, ok: !failure, ...(failure ? { failure } : {}) };
}

function add(total: Summary, c: Summary): void {
  total.changed += c.changed;
  total.unchanged += c.unchanged;
  total.skipped += c.skipped;
  total.failed += c.failed;
}

/** Record an in-sync resource once, and again only when what Phanes would compare has moved on. */
function needsObserving(known: ManagedResource | undefined, current: Snapshot, decl: Decl): boolean {
  if (!known) return true;
  return !jsonEqual(known.desired, decl.desired) || !jsonEqual(known.after, current);
}

function reasonFor(known: ManagedResource | undefined, current: Snapshot, decl: Decl, ctx: KindContext): ChangeReason {
  if (known?.after && jsonEqual(known.desired, decl.desired)) {
    return kindOf(decl.kind).diff(current, decl, { ...ctx, notified: new Set() }).length ? 'repair' : 'notify';
  }
  return current.exists === false || current.installed === false ? 'create' : 'update';
}
