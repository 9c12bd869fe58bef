import type { Snapshot } from '../../state/events.js';
import type { Decl, Kind, KindContext } from './types.js';

/**
 * One line in a file Phanes does not own (fstab, locale.gen). `match` finds the line to replace;
 * the replaced text is recorded so rollback can put it back.
 */
export function line(filePath: string, text: string, match?: RegExp, notify?: string[]): Decl {
  return {
    kind: 'line',
    id: `${filePath}#${match ? match.source : text}`,
    desired: { present: true, line: text, ...(match ? { match: match.source } : {}) },
    ...(notify ? { notify } : {}),
  };
}

const pathOf = (d: Decl): string => d.id.slice(0, d.id.indexOf('#'));
const matcher = (d: Decl): RegExp | undefined => (typeof d.desired.match === 'string' ? new RegExp(d.desired.match) : undefined);

async function read(ctx: KindContext, decls: readonly Decl[]): Promise<Map<string, Snapshot>> {
  const files = await ctx.host.readFiles([...new Set(decls.map(pathOf))]);
  return new Map(decls.map((d): [string, Snapshot] => {
    const data = files.get(pathOf(d));
    if (!data) return [d.id, { present: false, fileExists: false, line: null, matched: null, ...(typeof d.desired.match === 'string' ? { match: d.desired.match } : {}) }];
    const lines = data.toString('utf8').split('\n');
    const want = String(d.desired.line);
    const re = matcher(d);
    const matched = re ? (lines.find((l) => l !== want && re.test(l)) ?? null) : null;
    const echo: Snapshot = typeof d.desired.match === 'string' ? { match: d.desired.match } : {}; // the pattern is part of the identity, not the state
    return [d.id, { present: lines.includes(want), fileExists: true, line: lines.includes(want) ? want : null, matched, ...echo }];
  }));
}

/** Rewrite a text file line by line, keeping its mode and owner (an absent file reads as empty). */
export async function edit(ctx: KindContext, filePath: string, change: (lines: string[]) => string[]): Promise<void> {
  const [data] = (await ctx.host.readFiles([filePath])).values();
  const st = (await ctx.host.statFiles([filePath])).get(filePath);
  const text = data ? data.toString('utf8') : '';
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const next = change(lines);
  await ctx.host.writeFile(filePath, next.length ? `${next.join('\n')}\n` : '', {
    mode: st?.mode ?? 0o644, owner: st?.owner ?? 'root', group: st?.group ?? 'root',
  });
}

export const lineKind: Kind = {
  name: 'line',
  label: (d) => `line in ${pathOf(d)}: ${String(d.desired.line)}`,
  read,
  diff: (current, decl) => {
    if (decl.desired.present === false) return current.present === true ? [`remove "${String(decl.desired.line ?? current.line)}"`] : [];
    if (current.present === true) return [];
    return [current.matched ? `replace "${String(current.matched)}"` : `append "${String(decl.desired.line)}"`];
  },
  predict: (current, decl) => ({ ...current, present: true, fileExists: true, line: decl.desired.line ?? null, matched: null }),
  async converge(ctx, decl) {
    const want = String(decl.desired.line);
    const re = matcher(decl);
    await edit(ctx, pathOf(decl), (lines) => {
      const at = re ? lines.findIndex((l) => re.test(l)) : -1;
      if (at < 0) return [...lines, want];
      return lines.map((l, i) => (i === at ? want : l)).filter((l, i) => i === at || !(re && re.test(l) && l === want));
    });
  },
  async revert(ctx, decl, current, target) {
    if (current.present !== true || target.present === true) return { result: 'restored' };
    const want = String(decl.desired.line);
    const back = typeof target.matched === 'string' ? target.matched : null;
    await edit(ctx, pathOf(decl), (lines) => (back === null ? lines.filter((l) => l !== want) : lines.map((l) => (l === want ? back : l))));
    return { result: 'restored' };
  },
};
