import type { ProjectedState } from '../../state/projector.js';
import { dpkgCause, readPackageHistory } from '../facts/package-history.js';
import type { FileStat, Host } from '../host/host.js';
import type { DriftItem } from '../report/reporter.js';
import { kindOf } from '../resources/index.js';
import { redactText } from '../../state/redact.js';
import { kindContext, readAll } from './context.js';
import type { Recorder } from './recorder.js';
import { declOf } from './rebuild.js';

export interface DriftResult {
  items: DriftItem[];
  checked: number;
}

/**
 * Drift is what Phanes recorded against what the host says now. Every managed resource is read in
 * one batch per kind, and a file's drift comes with the diff from the recorded content to the disk.
 */
export async function detectDrift(host: Host, recorder: Recorder, projection: ProjectedState, secrets: readonly string[], module?: string): Promise<DriftResult> {
  const ctx = kindContext(host, recorder, secrets);
  const managed = Object.values(projection.resources).filter((r) => (!module || r.module === module) && !kindOf(r.kind).volatile);
  const now = await readAll(ctx, managed.map(declOf));
  const items: DriftItem[] = [];
  for (const r of managed) {
    const kind = kindOf(r.kind);
    const decl = declOf(r);
    if (r.pending) {
      items.push({ module: r.module, key: r.key, label: r.label, state: 'pending', changes: ['a change was started but never recorded as finished (interrupted run); re-run apply'] });
      continue;
    }
    const current = now.get(r.key) ?? {};
    const changes = kind.diff(current, decl, ctx);
    if (!changes.length && !r.failed) continue;
    const shown = kind.show && r.after ? await kind.show(ctx, r.after, current, decl).catch(() => undefined) : undefined;
    items.push({
      module: r.module, key: r.key, label: r.label, state: changes.length ? 'drifted' : 'failed',
      changes: changes.length ? changes.map((c) => `apply would ${c}`) : ['the last change failed; re-run apply'],
      ...(shown ? { diff: redactText(shown, secrets) } : {}),
    });
  }
  await attributeCauses(host, projection, items);
  return { items, checked: managed.length };
}

/** Kinds whose id is a path on the host, so dpkg may own it. */
const PATH_KINDS = new Set(['file', 'line', 'unit-dropin', 'directory']);

/**
 * Say what most likely caused each drift: dpkg's log for a managed file's owning package (or the
 * package itself) since Phanes last wrote or saw it, else a change outside Phanes with the mtime.
 * Runs only when something drifted: one dpkg-query, one log read and one stat batch.
 */
async function attributeCauses(host: Host, projection: ProjectedState, items: DriftItem[]): Promise<void> {
  const drifted = items.filter((i) => i.state === 'drifted');
  if (!drifted.length) return;
  const paths = drifted.map((i) => projection.resources[i.key]).filter((r) => r && PATH_KINDS.has(r.kind)).map((r) => r!.id);
  const [history, stats] = await Promise.all([
    readPackageHistory(host, paths).catch(() => ({ owners: new Map<string, string>(), actions: [] })),
    host.statFiles(paths).catch(() => new Map<string, FileStat | null>()),
  ]);
  for (const item of drifted) {
    const r = projection.resources[item.key];
    if (!r) continue;
    const isPath = PATH_KINDS.has(r.kind);
    const pkg = r.kind === 'package' ? r.id : isPath ? history.owners.get(r.id) : undefined;
    const mtime = isPath ? stats.get(r.id)?.mtimeMs : undefined;
    item.cause = dpkgCause(history, pkg, r.changedAt, mtime)
      ?? `changed outside Phanes${mtime !== undefined ? ` (modified ${new Date(mtime).toISOString()})` : isPath ? ' (removed)' : ''}`;
  }
}
