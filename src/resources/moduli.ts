import type { Snapshot } from '../../state/events.js';
import { sha256 } from '../../state/blobs.js';
import type { Decl, Kind, KindContext } from './types.js';

/**
 * The Diffie-Hellman groups in /etc/ssh/moduli, with the small ones removed. The content is the
 * host's own file minus those lines, so it is computed when converging, not declared: the kind
 * records the original (blob store, by sha256) and rollback writes it back byte for byte.
 */
export function moduli(filePath = '/etc/ssh/moduli', minBits = 3072): Decl {
  return { kind: 'moduli', id: filePath, desired: { minBits, weak: 0 } };
}

/** Entry lines are `time type tests tries size generator modulus`; size counts bits − 1 (3071 for a 3072-bit group). */
const entryBits = (line: string): number | undefined => {
  const f = line.trim().split(/\s+/);
  if (line.trimStart().startsWith('#') || f.length < 7) return undefined;
  const size = Number(f[4]);
  return Number.isInteger(size) ? size + 1 : undefined;
};

/** The file without groups smaller than `minBits`; comments and every other line stay as they are. */
export function filterModuli(content: string, minBits: number): { content: string; removed: number } {
  let removed = 0;
  const kept = content.split('\n').filter((line) => {
    const bits = entryBits(line);
    if (bits === undefined || bits >= minBits) return true;
    removed++;
    return false;
  });
  return { content: kept.join('\n'), removed };
}

const minBitsOf = (decl: Decl): number => (typeof decl.desired.minBits === 'number' ? decl.desired.minBits : 3072);

async function read(ctx: KindContext, decls: readonly Decl[]): Promise<Map<string, Snapshot>> {
  const paths = [...new Set(decls.map((d) => d.id))];
  const [stats, contents] = await Promise.all([ctx.host.statFiles(paths), ctx.host.readFiles(paths)]);
  const out = new Map<string, Snapshot>();
  for (const d of decls) {
    const st = stats.get(d.id);
    const data = contents.get(d.id);
    if (!st || !data || st.isDirectory) {
      out.set(d.id, { exists: false });
      continue;
    }
    const hash = sha256(data);
    ctx.contents.set(hash, data); // the engine keeps it as a blob before changing the file
    out.set(d.id, { exists: true, sha256: hash, mode: st.mode, owner: st.owner, group: st.group, weak: filterModuli(data.toString('utf8'), minBitsOf(d)).removed });
  }
  return out;
}

export const moduliKind: Kind = {
  name: 'moduli',
  label: (d) => `moduli ${d.id}`,
  read,
  diff(current, decl) {
    const want = decl.desired.weak;
    // No file: sshd falls back to its built-in groups, and there is nothing to filter.
    if (current.exists !== true || typeof want !== 'number' || current.weak === want) return [];
    return want === 0
      ? [`remove ${String(current.weak)} moduli under ${minBitsOf(decl)} bits`]
      : [`restore ${want} moduli under ${minBitsOf(decl)} bits`];
  },
  predict: (current, decl) => {
    const { sha256: _unknownUntilWritten, ...rest } = current;
    return { ...rest, weak: decl.desired.weak ?? 0 };
  },
  async converge(ctx, decl, current) {
    const data = typeof current.sha256 === 'string' ? await ctx.blob(current.sha256) : undefined;
    if (!data) throw new Error(`moduli ${decl.id}: the file vanished while Phanes was reading it`);
    const { content } = filterModuli(data.toString('utf8'), minBitsOf(decl));
    await ctx.host.writeFile(decl.id, content, { mode: Number(current.mode), owner: String(current.owner), group: String(current.group) });
  },
  async revert(ctx, decl, _current, target) {
    if (target.exists !== true || typeof target.sha256 !== 'string') return { result: 'restored', note: 'there was no file to restore' };
    const data = await ctx.blob(target.sha256);
    await ctx.host.writeFile(decl.id, data, { mode: Number(target.mode), owner: String(target.owner), group: String(target.group) });
    return { result: 'restored' };
  },
};
