import type { Snapshot } from '../../state/events.js';
import type { Host } from '../host/host.js';
import { kindOf } from '../resources/index.js';
import { keyOf, type Decl, type KindContext } from '../resources/types.js';
import type { Recorder } from './recorder.js';

/** The KindContext for one run, over a host and a recorder. */
export function kindContext(host: Host, recorder: Recorder, secrets: readonly string[], force = false, releasing: ReadonlySet<string> = new Set()): KindContext & { notified: Set<string> } {
  const contents = new Map<string, Buffer>();
  return {
    host,
    contents,
    secrets,
    force,
    notified: new Set<string>(),
    releasing,
    keepBlob: (content) => recorder.putBlob(content),
    blob: async (sha) => contents.get(sha) ?? recorder.getBlob(sha),
  };
}

/** Read every declaration with one batched read per kind; the result is keyed by `kind:id`. */
export async function readAll(ctx: KindContext, decls: readonly Decl[]): Promise<Map<string, Snapshot>> {
  const byKind = new Map<string, Decl[]>();
  for (const d of decls) byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d]);
  const out = new Map<string, Snapshot>();
  await Promise.all([...byKind].map(async ([kind, list]) => {
    const states = await kindOf(kind).read(ctx, list);
    for (const d of list) {
      const s = states.get(d.id);
      if (s) out.set(keyOf(d), s);
    }
  }));
  return out;
}
