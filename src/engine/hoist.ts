// Cross-module apt batching: when apply installs packages, the packages later steps of the run will
// install go into the same apt transaction, as far as the order allows. Each apt-get install pays for
// reading the cache, dpkg's database and its triggers again; one transaction for a profile instead
// of ten saves seconds. Each package is still recorded (intent before, outcome after) under its own
// module, and reported at its own step; plan predicts step by step and needs none of this.
import type { Snapshot } from '../../state/events.js';
import type { ResourceRef } from '../../state/events.js';
import { kindOf } from '../resources/index.js';
import { keyOf, type Decl, type KindContext } from '../resources/types.js';
import { readAll } from './context.js';
import type { Module } from './module.js';

/** Paths whose change may change what apt installs or how: sources, apt and dpkg settings, policy-rc.d. */
const APT_PATHS = /^\/(etc\/apt|etc\/dpkg|var\/lib\/dpkg|usr\/sbin\/policy-rc\.d)(\/|$|#)/;
const PATH_KINDS = new Set(['file', 'line', 'block', 'directory', 'unit-dropin']);

/**
 * A step no later package may be installed before: a list refresh, a removal, an apt or dpkg setting,
 * or a command (it may be anything, e.g. a dpkg stat override the package's unpack must see) unless
 * it says it has nothing to do with packages.
 */
export function aptBarrier(decl: Decl): boolean {
  if (decl.skip) return false;
  if (decl.kind === 'apt-update') return true;
  if (decl.kind === 'package') return decl.desired.installed !== true;
  const options = decl.options as { aptNeutral?: boolean } | undefined;
  if (decl.kind === 'command') return options?.aptNeutral !== true;
  return PATH_KINDS.has(decl.kind) && APT_PATHS.test(decl.id) && options?.aptNeutral !== true;
}

/** A barrier that goes along instead: a command that prepares dpkg for the packages after it. */
const goesAlong = (decl: Decl): boolean =>
  decl.kind === 'command' && (decl.options as { beforeItsPackages?: boolean } | undefined)?.beforeItsPackages === true;

export interface Step {
  decl: Decl;
  ref: ResourceRef;
  current: Snapshot;
  changes: string[];
  /** A later step's package, installed early in this transaction and reported at its own step. */
  early?: boolean;
}

/**
 * The packages that steps after step `index` of `module` install, up to the first barrier or the
 * first module that is released or has something to prune, and that still need installing now
 * (read again: an earlier package may have brought one as a dependency).
 */
export async function earlyPackages(
  ctx: KindContext, plan: readonly { module: Module; decls: Decl[] }[], module: Module, index: number,
  blocked: (module: string) => boolean, taken: ReadonlySet<string>,
): Promise<Step[]> {
  const at = plan.findIndex((p) => p.module === module);
  const found: { decl: Decl; module: string }[] = [];
  scan: for (let m = at; m < plan.length; m++) {
    const { module: mod, decls } = plan[m]!;
    if (blocked(mod.name)) break;
    for (let i = m === at ? index + 1 : 0; i < decls.length; i++) {
      const d = decls[i]!;
      if (aptBarrier(d) && !goesAlong(d)) break scan;
      if ((d.kind === 'package' || goesAlong(d)) && !d.skip && !taken.has(keyOf(d)) && !found.some((f) => keyOf(f.decl) === keyOf(d))) found.push({ decl: d, module: mod.name });
    }
  }
  // A preparing command with no package after it to go along with stays at its own step.
  while (found.length && found.at(-1)!.decl.kind !== 'package') found.pop();
  if (!found.length) return [];
  const now = await readAll(ctx, found.map((f) => f.decl));
  return found.flatMap(({ decl, module: name }) => {
    const kind = kindOf(decl.kind);
    const current = now.get(keyOf(decl)) ?? {};
    const changes = kind.diff(current, decl, ctx);
    const ref = { module: name, key: keyOf(decl), kind: decl.kind, id: decl.id, label: kind.label(decl) };
    return changes.length ? [{ decl, ref, current, changes, early: true }] : [];
  });
}
