import type { ProjectedState } from '../../state/projector.js';
import type { Host } from '../host/host.js';
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
  return { items, checked: managed.length };
}
