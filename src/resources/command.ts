import type { Json, Snapshot } from '../../state/events.js';
import type { Host } from '../host/host.js';
import type { Decl, Kind, KindContext } from './types.js';

export interface CommandOptions {
  /**
   * Exits 0 when the work is already done (a read-only command), or the same question answered from
   * the host's files without a process (the no-change path spawns nothing per resource).
   */
  check: string[] | ((host: Host) => Promise<boolean>);
  run: string[];
  /** How to take it back, or `irreversible` with the reason rollback prints. */
  undo: string[] | { irreversible: string };
  env?: Record<string, string>;
  /** It neither reads nor changes what apt installs, so later packages may be installed before it (src/engine/hoist.ts). */
  aptNeutral?: boolean;
  /**
   * It prepares dpkg for the packages declared after it (a stat override their unpack must see) and
   * needs nothing the steps ahead of it do: when those packages join an earlier apt transaction, it
   * runs just before that transaction instead of splitting it (src/engine/hoist.ts).
   */
  beforeItsPackages?: boolean;
}

/**
 * A command the journal sees, for work no other kind models (locale-gen, mkswap). It always has a
 * check, so a second run does nothing, and an undo or an explicit reason why there is none.
 */
export function command(id: string, options: CommandOptions): Decl<CommandOptions> {
  // The undo is recorded with the change (in `desired`), so rollback has it without the config.
  return { kind: 'command', id, desired: { done: true, undo: options.undo as Json }, options };
}

/** `test -s PATH` answered by one stat instead of a process: the path exists and is not empty. */
export function nonEmptyFile(path: string): (host: Host) => Promise<boolean> {
  return async (host) => ((await host.statFiles([path])).get(path)?.size ?? 0) > 0;
}

async function read(ctx: KindContext, decls: readonly Decl<CommandOptions>[]): Promise<Map<string, Snapshot>> {
  const results = await Promise.all(decls.map(async (d) => {
    const check = d.options?.check;
    // Rebuilt from the journal (status), a command has no check to run: it reports as recorded.
    if (!check) return [d.id, { done: true }] as const;
    if (typeof check === 'function') return [d.id, { done: await check(ctx.host) }] as const;
    const res = await ctx.host.query(check, { allowFailure: true });
    return [d.id, { done: res.exitCode === 0 }] as const;
  }));
  return new Map(results);
}

export const commandKind: Kind<CommandOptions> = {
  name: 'command',
  label: (d) => `command ${d.id}`,
  read,
  diff: (current, decl) => (decl.desired.done === false ? (current.done === true ? ['undo'] : []) : current.done === true ? [] : [`run ${(decl.options?.run ?? []).join(' ')}`]),
  predict: (current) => ({ ...current, done: true }),
  async converge(ctx, decl) {
    if (!decl.options) throw new Error(`command ${decl.id} has no options`);
    await ctx.host.run(decl.options.run, { env: decl.options.env ?? {}, secrets: ctx.secrets, timeoutMs: 30 * 60_000 });
  },
  async revert(ctx, decl, _current, target) {
    if (target.done === true) return { result: 'restored' };
    const undo = decl.options?.undo ?? (decl.desired.undo as CommandOptions['undo'] | undefined);
    if (!undo || !Array.isArray(undo)) {
      return { result: 'left', note: undo ? `not undone: ${undo.irreversible}` : 'not undone: no undo was recorded' };
    }
    await ctx.host.run(undo, { secrets: ctx.secrets });
    return { result: 'restored' };
  },
  volatile: true,
};
