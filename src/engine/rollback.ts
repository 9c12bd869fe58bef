import { randomUUID } from 'node:crypto';
import type { PhanesEvent, Snapshot, Summary } from '../../state/events.js';
import type { ProjectedState } from '../../state/projector.js';
import type { Host } from '../host/host.js';
import type { Reporter } from '../report/reporter.js';
import { kindOf } from '../resources/index.js';
import { jsonEqual } from '../resources/types.js';
import { redactText } from '../../state/redact.js';
import { kindContext, readAll } from './context.js';
import { keepContents, type Recorder } from './recorder.js';
import { declOf, notifyMap } from './rebuild.js';

export interface RollbackInput {
  host: Host;
  module: string;
  projection: ProjectedState;
  events: readonly PhanesEvent[];
  recorder: Recorder;
  reporter: Reporter;
  secrets: readonly string[];
  dryRun: boolean;
  force: boolean;
  run: { version: string; hostname: string };
}

const now = (): string => new Date().toISOString();

/**
 * Walk a module's resources newest first and bring each back to the state recorded before Phanes
 * first changed it. What drifted since is shown and left alone unless forced; what Phanes never
 * changed is only released from watching.
 */
export async function rollbackModule(input: RollbackInput): Promise<{ summary: Summary; ok: boolean; durationMs: number }> {
  const { host, recorder, reporter, projection, dryRun } = input;
  const started = Date.now();
  const runId = randomUUID();
  const keys = [...(projection.modules[input.module]?.keys ?? [])].reverse();
  const resources = keys.map((k) => projection.resources[k]).filter((r) => r !== undefined);
  const ctx = kindContext(host, recorder, input.secrets, input.force, new Set(resources.filter((r) => r.changedByPhanes).map((r) => r.key)));
  const cache = await readAll(ctx, resources.map(declOf));
  const notify = notifyMap(input.events);
  const toReload = new Set<string>();
  const summary: Summary = { changed: 0, unchanged: 0, skipped: 0, failed: 0 };
  const emit = (e: PhanesEvent): Promise<void> => (dryRun ? Promise.resolve() : recorder.append(e));
  let seq = 0;
  let ok = true;
  let halted: string | undefined; // a step refused to go back (a database holding data): nothing after it runs

  await emit({ type: 'RunStarted', data: { runId, at: now(), command: 'rollback', modules: [input.module], ...input.run } });
  reporter.moduleStart(input.module, 'rollback');
  for (const r of resources) {
    const kind = kindOf(r.kind);
    const decl = declOf(r);
    const ref = { module: r.module, key: r.key, kind: r.kind, id: r.id, label: r.label };
    if (halted) {
      summary.skipped++;
      reporter.step({ module: r.module, key: r.key, label: r.label, status: 'skipped', changes: [], reason: `left as it is: ${halted} was refused` });
      continue;
    }
    const current = (seq > 0 && !dryRun ? (await readAll(ctx, [decl])).get(r.key) : cache.get(r.key)) ?? {};
    if (!r.changedByPhanes) {
      summary.unchanged++;
      reporter.step({ module: r.module, key: r.key, label: r.label, status: 'unchanged', changes: [], reason: 'Phanes did not change it; no longer watched' });
      await emit({ type: 'ChangeReverted', data: { ...ref, runId, seq: ++seq, at: now(), result: 'left', after: current, note: 'not changed by Phanes; no longer watched' } });
      continue;
    }
    const changes = kind.diff(current, { ...decl, desired: pick(r.original, decl.desired) }, ctx);
    if (!kind.volatile && Object.keys(decl.desired).every((k) => jsonEqual(current[k], r.original[k]))) {
      // Already as it was before Phanes (e.g. apt removed it along with another package): nothing to undo.
      summary.changed++;
      reporter.step({ module: r.module, key: r.key, label: r.label, status: 'changed', changes: ['already as before'] });
      if (!dryRun) await emit({ type: 'ChangeReverted', data: { ...ref, runId, seq: ++seq, at: now(), result: 'restored', after: current, note: 'already as before' } });
      continue;
    }
    const drift = r.after && !kind.volatile ? kind.diff(current, decl, ctx) : [];
    if (drift.length && !input.force) {
      const shown = kind.show && r.after ? await kind.show(ctx, r.after, current, decl).catch(() => undefined) : undefined;
      summary.skipped++;
      ok = false;
      reporter.step({ module: r.module, key: r.key, label: r.label, status: 'skipped', changes: drift, reason: 'changed by someone else since Phanes applied it; re-run with --force to restore it anyway', ...(shown ? { diff: redactText(shown, input.secrets) } : {}) });
      await emit({ type: 'ChangeReverted', data: { ...ref, runId, seq: ++seq, at: now(), result: 'refused', after: current, note: 'drifted since apply; not forced' } });
      continue;
    }
    if (dryRun) {
      summary.changed++;
      reporter.step({ module: r.module, key: r.key, label: r.label, status: 'planned', changes: changes.length ? changes.map((c) => `restore: ${c}`) : ['release'] });
      continue;
    }
    const s = ++seq;
    await keepContents(recorder, ctx.contents, current, decl);
    await emit({ type: 'RevertIntended', data: { ...ref, runId, seq: s, at: now(), target: r.original, current } });
    try {
      const outcome = await kind.revert(ctx, decl, current, r.original);
      const after = (await readAll(ctx, [decl])).get(r.key) ?? {};
      await emit({ type: 'ChangeReverted', data: { ...ref, runId, seq: s, at: now(), result: outcome.result, after, ...(outcome.note ? { note: outcome.note } : {}) } });
      if (outcome.result === 'refused') {
        halted = r.label;
        ok = false;
        summary.skipped++;
        reporter.step({ module: r.module, key: r.key, label: r.label, status: 'skipped', changes, reason: outcome.note ?? 'refused' });
        continue;
      }
      summary.changed++;
      for (const n of notify.get(r.key) ?? []) toReload.add(n);
      reporter.step({ module: r.module, key: r.key, label: r.label, status: 'changed', changes: changes.length ? changes.map((c) => `restore: ${c}`) : ['restored'], ...(outcome.note ? { reason: outcome.note } : {}) });
    } catch (error) {
      ok = false;
      summary.failed++;
      const message = redactText(error instanceof Error ? error.message : String(error), input.secrets);
      await emit({ type: 'ChangeReverted', data: { ...ref, runId, seq: s, at: now(), result: 'failed', after: current, note: message } });
      reporter.step({ module: r.module, key: r.key, label: r.label, status: 'failed', changes, error: message });
    }
  }
  // A later step can take away what an earlier restore put back (purging locales removes the
  // /etc/default/locale link on trixie): kinds that know such leftovers settle them last.
  if (!dryRun) {
    const settling = resources.filter((r) => r.changedByPhanes && kindOf(r.kind).settle);
    const again = await readAll(ctx, settling.map(declOf));
    for (const r of settling) await kindOf(r.kind).settle!(ctx, declOf(r), again.get(r.key) ?? {}, r.original);
  }
  // Services keep running the old config until told: reload the ones the reverted files fed.
  for (const key of toReload) {
    const unit = key.startsWith('service:') ? key.slice('service:'.length) : undefined;
    if (!unit || dryRun) continue;
    const state = (await readAll(ctx, [{ kind: 'service', id: unit, desired: {} }])).get(key);
    if (state?.active === true) await host.run(['systemctl', 'reload-or-restart', '--', unit]);
  }
  const durationMs = Date.now() - started;
  reporter.moduleEnd(input.module, ok ? (summary.changed ? 'changed' : 'unchanged') : 'failed', summary, durationMs);
  await emit({ type: 'RunFinished', data: { runId, at: now(), summary, durationMs, ok } });
  return { summary, ok, durationMs };
}

/** The fields of `from` that `like` names: the before-state restricted to what Phanes manages. */
function pick(from: Snapshot, like: Snapshot): Snapshot {
  return Object.fromEntries(Object.keys(like).filter((k) => k in from).map((k) => [k, from[k]!]));
}
