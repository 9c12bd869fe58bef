import { randomUUID } from 'node:crypto';
import type { PhanesEvent, Snapshot, Summary } from '../../state/events.js';
import type { ProjectedState } from '../../state/projector.js';
import type { Host } from '../host/host.js';
import type { Reporter } from '../report/reporter.js';
import { kindOf } from '../resources/index.js';
import { jsonEqual } from '../resources/types.js';
import { redactText } from '../../state/redact.js';
import { kindContext, readAll } from './context.js';
import type { Recorder } from './recorder.js';
import { driftSinceApply, revertResource, type RevertRun } from './revert.js';
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
  const putBack = new Set<string>(); // what this rollback restored: only these are settled
  const summary: Summary = { changed: 0, unchanged: 0, skipped: 0, failed: 0 };
  const emit = (e: PhanesEvent): Promise<void> => (dryRun ? Promise.resolve() : recorder.append(e));
  let seq = 0;
  let ok = true;
  let halted: string | undefined; // a step refused to go back (drifted, or a database holding data): nothing after it runs

  await emit({ type: 'RunStarted', data: { runId, at: now(), command: 'rollback', modules: [input.module], ...input.run } });
  reporter.moduleStart(input.module, 'rollback');
  const run: RevertRun = {
    ctx, recorder, reporter, emit, runId, dryRun, force: input.force, secrets: input.secrets, summary, why: 'restore',
    nextSeq: () => ++seq,
  };
  // Something changed by hand since apply is never clobbered without --force, and nothing else of the
  // module moves either: a half-rolled-back module (its firewall rule gone, its service stopped) helps nobody.
  const drifted = input.force ? [] : resources.filter((r) => driftSinceApply(ctx, r, cache.get(r.key) ?? {}).length);
  for (const r of resources) {
    if (drifted.length && !drifted.includes(r)) {
      summary.skipped++;
      reporter.step({ module: r.module, key: r.key, label: r.label, status: 'skipped', changes: [], reason: `left as it is: ${drifted[0]!.label} drifted since apply, so nothing is rolled back without --force` });
      continue;
    }
    if (halted && !drifted.includes(r)) {
      summary.skipped++;
      reporter.step({ module: r.module, key: r.key, label: r.label, status: 'skipped', changes: [], reason: `left as it is: ${halted} was refused` });
      continue;
    }
    const current = (seq > 0 && !dryRun ? (await readAll(ctx, [declOf(r)])).get(r.key) : cache.get(r.key)) ?? {};
    const status = await revertResource(run, r, current);
    if (status === 'refused' || status === 'failed' || status === 'halted') ok = false;
    // A drifted file left alone stops the walk too: a later purge would take it anyway.
    if (status === 'halted' || status === 'refused') halted = r.label;
    if (status === 'restored' || status === 'as-before') putBack.add(r.key);
    if (status === 'restored' && !dryRun) for (const n of notify.get(r.key) ?? []) toReload.add(n);
  }
  // Services keep running the old config until told: reload the ones the reverted files fed.
  for (const key of toReload) {
    const unit = key.startsWith('service:') ? key.slice('service:'.length) : undefined;
    if (!unit || dryRun) continue;
    const state = (await readAll(ctx, [{ kind: 'service', id: unit, desired: {} }])).get(key);
    if (state?.active === true) await host.run(['systemctl', 'reload-or-restart', '--', unit]);
  }
  // A later step or a reload can take away what an earlier restore put back (purging locales removes the
  // /etc/default/locale link on trixie): kinds that know such leftovers settle them last.
  if (!dryRun) {
    const settling = resources.filter((r) => putBack.has(r.key) && kindOf(r.kind).settle);
    const again = await readAll(ctx, settling.map(declOf));
    for (const r of settling) await kindOf(r.kind).settle!(ctx, declOf(r), again.get(r.key) ?? {}, r.original);
  }
  const durationMs = Date.now() - started;
  reporter.moduleEnd(input.module, ok ? (summary.changed ? 'changed' : 'unchanged') : 'failed', summary, durationMs);
  await emit({ type: 'RunFinished', data: { runId, at: now(), summary, durationMs, ok } });
  return { summary, ok, durationMs };
}
