import { randomUUID } from 'node:crypto';
import type { ChangeReason, ModuleResult, PhanesEvent, ResourceRef, Snapshot, Summary } from '../../state/events.js';
import type { ManagedResource, ProjectedState } from '../../state/projector.js';
import { PhanesError, StepFailedError } from '../errors.js';
import type { Host } from '../host/host.js';
import type { Reporter } from '../report/reporter.js';
import { kindOf } from '../resources/index.js';
import { jsonEqual, keyOf, type Decl, type KindContext } from '../resources/types.js';
import { redactText } from '../../state/redact.js';
import { kindContext, readAll } from './context.js';
import { earlyPackages, type Step } from './hoist.js';
import type { Module } from './module.js';
import { declOf } from './rebuild.js';
import { keepContents, type Recorder } from './recorder.js';
import { revertResource, type RevertRun } from './revert.js';

export interface ApplyInput {
  host: Host;
  /** Modules in run order, each with the resources it declared. */
  plan: { module: Module; decls: Decl[]; notes?: string[] }[];
  dryRun: boolean;
  recorder: Recorder;
  projection: ProjectedState;
  reporter: Reporter;
  secrets: readonly string[];
  run: { profile?: string; version: string; hostname: string; configSha256?: string };
  /** Keys pruning must never revert, with the reason (the rule that allows the current ssh port). */
  keep?: ReadonlyMap<string, string>;
  /** Modules switched off in the config, with the reason: released, never reverted. */
  released?: ReadonlyMap<string, string>;
  /** The confirm guard (remote sessions): armed once, before the first change to a resource it covers. */
  guard?: { covers(ref: { kind: string; id: string }): boolean; arm(runId: string): Promise<void> };
}

export interface ApplyResult {
  summary: Summary;
  /** Services this run starts, stops, reloads or restarts (or would), as `unit (action)`: the disruption. */
  disruptions: string[];
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
  const all = input.plan.flatMap((p) => p.decls);
  const declared = new Set(all.map(keyOf));
  const stale = new Map(input.plan.filter(({ module }) => !input.released?.has(module.name))
    .map(({ module }) => [module.name, staleResources(input.projection, module.name, declared)]));
  const ctx = kindContext(host, recorder, input.secrets, false, new Set([...stale.values()].flat().filter((r) => r.changedByPhanes).map((r) => r.key)));
  const cache = await readAll(ctx, all);
  // A daemon this run installs and then configures starts once, at its own step, with its config,
  // instead of starting with the package's defaults and then restarting or reloading.
  const notifiedUnits = new Set(all.flatMap((d) => d.notify ?? []));
  const held = new Set(all.filter((d) => d.kind === 'service' && !d.skip && d.desired.active === true
    && notifiedUnits.has(keyOf(d)) && cache.get(keyOf(d))?.exists === false).map((d) => d.id));
  ctx.holdStarts = held;
  ctx.startsHeld = new Set();
  const total = empty();
  let dirty = false; // a change happened since the batch read: re-read before the next change
  let failure: unknown;
  let seq = 0;
  const disruptions: string[] = [];
  const early = new Map<string, Step>(); // later steps' packages installed in an earlier apt transaction
  /** A service step that changed or would change is a disruption an operator should see before saying yes. */
  const noteDisruption = (decl: Decl, changes: readonly string[]): void => {
    if (decl.kind !== 'service') return;
    const acts = changes.filter((c) => ['start', 'stop', 'reload', 'restart'].includes(c));
    if (acts.length) disruptions.push(`${decl.id} (${acts.join(', ')})`);
  };
  const emit = (e: PhanesEvent): Promise<void> => (dryRun ? Promise.resolve() : recorder.append(e));
  let guarded = false;
  /** Arms the guard before the first sshd or ufw change; false (and `failure` set) when that failed. */
  const armBefore = async (refs: readonly { kind: string; id: string }[]): Promise<boolean> => {
    if (guarded || !input.guard || !refs.some((r) => input.guard!.covers(r))) return true;
    guarded = true;
    return input.guard.arm(runId).then(() => true, (error: unknown) => { failure = error; return false; });
  };

  /** Forget what a switched-off module managed, without touching the host, and say so. */
  const release = async (name: string, reason: string): Promise<void> => {
    const keys = (input.projection.modules[name]?.keys ?? []).filter((k) => input.projection.resources[k]?.module === name);
    if (keys.length) {
      reporter.record('released', { module: name, keys, reason },
        `  ${name}: ${dryRun ? 'would release' : 'released'} ${keys.length} resource${keys.length === 1 ? '' : 's'} (${reason}): Phanes forgets them and changes nothing on the host; \`phanes rollback ${name}\` undoes a module`);
      await emit({ type: 'Released', data: { runId, at: now(), module: name, keys, reason } });
    }
    reporter.moduleEnd(name, 'unchanged', empty(), 0, reason);
    await emit({ type: 'ModuleFinished', data: { runId, at: now(), module: name, result: 'unchanged', ...empty(), durationMs: 0, note: reason } });
  };

  await emit({ type: 'RunStarted', data: { runId, at: now(), command: 'apply', modules: input.plan.map((p) => p.module.name), ...input.run } });

  for (const { module, decls, notes } of input.plan) {
    const mStart = Date.now();
    const counts = empty();
    reporter.moduleStart(module.name, module.description);
    const off = input.released?.get(module.name);
    if (off !== undefined) {
      await release(module.name, off);
      continue;
    }
    for (const note of notes ?? []) reporter.info(`  ${module.name}: ${note}`);
    if (failure) {
      counts.skipped = decls.length;
      reporter.moduleEnd(module.name, 'skipped', counts, 0, 'an earlier module failed');
      await emit({ type: 'ModuleFinished', data: { runId, at: now(), module: module.name, result: 'skipped', ...counts, durationMs: 0, note: 'an earlier module failed' } });
      add(total, counts);
      continue;
    }
    await emit({ type: 'ModuleStarted', data: { runId, at: now(), module: module.name } });
    // What this module managed in its last run and no longer declares goes back to its before-state.
    // One that notified a step the module still declares (a removed nginx site, its server's reload)
    // goes back just before that step, so the step acts on it; the rest go after the module's steps.
    const gone = stale.get(module.name) ?? [];
    const pruneAt = gone.map((r) => {
      const at = decls.findIndex((d) => r.notify?.includes(keyOf(d)));
      return at < 0 ? decls.length : at;
    });
    const pruneRun: RevertRun = {
      ctx, recorder, reporter, emit, runId, dryRun, force: false, secrets: input.secrets, summary: counts,
      why: 'revert (no longer in the config)', cause: 'prune', nextSeq: () => ++seq,
    };
    let pruneStates: Map<string, Snapshot> | undefined;
    let pruneHalted = false; // a revert refused to go back (a database holding data): later prunes wait
    /** Revert the stale resources due before step `upTo` that have not gone yet. */
    const prune = async (upTo: number): Promise<void> => {
      const due = gone.filter((_, j) => pruneAt[j]! <= upTo && pruneAt[j]! >= 0);
      if (!due.length || pruneHalted) return;
      for (const [j, r] of gone.entries()) if (due.includes(r)) pruneAt[j] = -1;
      pruneStates ??= await readAll(ctx, gone.map(declOf));
      for (const r of due) {
        if (failure) return;
        const kept = r.kind === 'user' ? 'a user is never deleted by apply; `phanes rollback user --force` removes it' : input.keep?.get(r.key);
        if (kept) {
          counts.unchanged++;
          reporter.step({ module: module.name, key: r.key, label: r.label, status: 'unchanged', changes: [], reason: `no longer managed (kept): ${kept}` });
          continue;
        }
        const current = dirty && !dryRun ? (await readAll(ctx, [declOf(r)])).get(r.key) ?? {} : pruneStates.get(r.key) ?? {};
        if (!(await armBefore([r]))) return;
        const status = await revertResource(pruneRun, r, current);
        if (status === 'failed') failure = new PhanesError(`${r.label}: reverting what the config no longer declares failed`);
        if (status === 'restored') for (const n of r.notify ?? []) ctx.notified.add(n);
        dirty = true;
        if (status === 'halted') return void (pruneHalted = true);
      }
    };
    for (let i = 0; i < decls.length && !failure; i++) {
      await prune(i);
      if (failure) break;
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
      if (decl.kind === 'service') {
        held.delete(decl.id); // from here on, its package's scripts may start it
        // Installed with its first start held back: it has not run, or it started after its config was written.
        if (ctx.startsHeld?.delete(decl.id)) ctx.notified.delete(key);
      }
      const done = early.get(key);
      if (done && early.delete(key)) {
        counts.changed++;
        for (const n of decl.notify ?? []) ctx.notified.add(n);
        reporter.step({ module: module.name, key, label: ref.label, status: 'changed', changes: done.changes, reason: decl.kind === 'package' ? 'installed with an earlier step' : 'run before its packages joined an earlier step' });
        continue;
      }
      if (dirty && !dryRun) {
        const fresh = await readAll(ctx, [decl]);
        for (const [k, v] of fresh) cache.set(k, v);
      }
      const current = cache.get(key) ?? {};
      const changes = kind.diff(current, decl, ctx).map((c) => redactText(c, input.secrets));
      const inSync = async (r: ResourceRef, d: Decl, state: Snapshot): Promise<void> => {
        counts.unchanged++;
        reporter.step({ module: module.name, key: r.key, label: r.label, status: 'unchanged', changes: [] });
        if (!dryRun && !kind.volatile && needsObserving(input.projection.resources[r.key], state, d)) {
          await keepContents(recorder, ctx.contents, state, d);
          await emit({ type: 'ResourceObserved', data: { ...r, runId, at: now(), state, desired: d.desired } });
        }
      };
      if (changes.length === 0) {
        await inSync(ref, decl, current);
        continue;
      }
      // Consecutive steps of a batching kind (packages) that also need a change go in one call;
      // one already in sync between them is reported as such and does not split the call.
      const batch: Step[] = [{ decl, ref, current, changes }];
      while (kind.convergeMany && i + 1 < decls.length) {
        const next = decls[i + 1]!;
        if (next.kind !== decl.kind || next.skip || batch.some((b) => b.ref.key === keyOf(next))) break;
        const nextRef = { ...ref, key: keyOf(next), id: next.id, label: kind.label(next) };
        const nextCurrent = cache.get(nextRef.key) ?? {};
        const nextChanges = kind.diff(nextCurrent, next, ctx).map((c) => redactText(c, input.secrets));
        i++;
        if (nextChanges.length) batch.push({ decl: next, ref: nextRef, current: nextCurrent, changes: nextChanges });
        else await inSync(nextRef, next, nextCurrent);
      }
      if (!dryRun && decl.kind === 'package') {
        const blocked = (name: string): boolean => Boolean(input.released?.has(name) || stale.get(name)?.length);
        batch.push(...await earlyPackages(ctx, input.plan, module, i, blocked, new Set([...batch.map((b) => b.ref.key), ...early.keys()])));
      }
      const diffs = await Promise.all(batch.map(async (b) => {
        const k = kindOf(b.decl.kind);
        const shown = k.show ? await k.show(ctx, b.current, k.predict(b.current, b.decl), b.decl).catch(() => undefined) : undefined;
        return shown === undefined ? undefined : redactText(shown, input.secrets);
      }));
      if (!(await armBefore(batch.map((b) => b.decl)))) break;
      if (dryRun) {
        batch.forEach((b, j) => {
          cache.set(b.ref.key, kind.predict(b.current, b.decl));
          counts.changed++;
          noteDisruption(b.decl, b.changes);
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
        // A later step's preparation for its packages (a dpkg stat override) runs before the apt transaction.
        for (const b of batch) if (b.decl.kind !== decl.kind) await kindOf(b.decl.kind).converge(ctx, b.decl, b.current);
        const own = batch.filter((b) => b.decl.kind === decl.kind);
        if (own.length > 1 && kind.convergeMany) await kind.convergeMany(ctx, own);
        else await kind.converge(ctx, decl, current);
        const after = await readAll(ctx, batch.map((b) => b.decl));
        for (const [j, b] of batch.entries()) {
          const state = after.get(b.ref.key) ?? {};
          cache.set(b.ref.key, state);
          const left = kindOf(b.decl.kind).diff(state, b.decl, { ...ctx, notified: new Set() });
          if (left.length) throw new PhanesError(`${b.ref.label} still differs after the change: ${left.join('; ')}`);
          await keepContents(recorder, ctx.contents, state, b.decl);
          await emit({ type: 'ChangeApplied', data: { ...b.ref, runId, seq: seqs[j]!, at: now(), after: state } });
          if (b.early) {
            early.set(b.ref.key, b);
            continue;
          }
          counts.changed++;
          noteDisruption(b.decl, b.changes);
          for (const n of b.decl.notify ?? []) ctx.notified.add(n);
          reporter.step({ module: module.name, key: b.ref.key, label: b.ref.label, status: 'changed', changes: b.changes, ...(diffs[j] ? { diff: diffs[j] } : {}) });
        }
      } catch (error) {
        const message = redactText(error instanceof Error ? error.message : String(error), input.secrets);
        const what = batch.length > 1 ? `${kind.name}s ${batch.map((b) => b.ref.id).join(', ')}` : ref.label;
        failure = new StepFailedError(module.name, what, message, error);
        for (const [j, b] of batch.entries()) {
          await emit({ type: 'ChangeFailed', data: { ...b.ref, runId, seq: seqs[j]!, at: now(), error: message } });
        }
        counts.failed++;
        reporter.step({ module: module.name, key, label: ref.label, status: 'failed', changes, error: message });
      }
      if (!failure) ctx.notified.delete(key);
    }
    if (!failure) await prune(decls.length);
    if (failure) counts.skipped = Math.max(0, decls.length - counts.changed - counts.unchanged - counts.failed);
    const result: ModuleResult = failure ? 'failed' : counts.changed ? 'changed' : 'unchanged';
    const durationMs = Date.now() - mStart;
    reporter.moduleEnd(module.name, result, counts, durationMs);
    await emit({ type: 'ModuleFinished', data: { runId, at: now(), module: module.name, result, ...counts, durationMs } });
    add(total, counts);
  }
  const durationMs = Date.now() - started;
  await emit({ type: 'RunFinished', data: { runId, at: now(), summary: total, durationMs, ok: !failure } });
  return { summary: total, disruptions, durationMs, ok: !failure, ...(failure ? { failure } : {}) };
}

/** Resources `module` managed in its last runs that no declaration of this run names, newest first. */
function staleResources(projection: ProjectedState, module: string, declared: ReadonlySet<string>): ManagedResource[] {
  return (projection.modules[module]?.keys ?? []).filter((k) => !declared.has(k)).reverse()
    .map((k) => projection.resources[k]).filter((r): r is ManagedResource => r !== undefined && r.module === module);
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
