import { createTwoFilesPatch } from 'diff';
import { sha256 } from '../../state/blobs.js';
import type { Snapshot } from '../../state/events.js';
import { edit } from './line.js';
import type { Decl, Kind, KindContext } from './types.js';

export interface BlockOptions {
  /** The lines between the markers, without a final newline. */
  text: string;
}

/**
 * A marked block of lines in a file Phanes does not own (/etc/ufw/after.rules): `# BEGIN <marker>`
 * … `# END <marker>`, appended at the end, replaced in place when it changes. The block's previous
 * text is kept as a blob, so rollback puts back exactly what was there (or removes the block).
 * `reload` runs after every change and revert (its reader has no unit a notify could reload: restarting
 * ufw.service loads nothing while ufw's rules are in place, and the unit is not even active everywhere).
 */
export function block(filePath: string, marker: string, text: string, reload?: string[]): Decl<BlockOptions> {
  const body = text.replace(/\n+$/, '');
  return {
    kind: 'block',
    id: `${filePath}#${marker}`,
    // The reload is recorded with the change (like a command's undo), so rollback runs it without the config.
    desired: { present: true, sha256: sha256(body), ...(reload ? { reload } : {}) },
    options: { text: body },
  };
}

/** The command that makes the block's reader load the file again (`ufw reload`), if any. */
const reloadOf = (d: Decl): string[] | undefined =>
  Array.isArray(d.desired.reload) ? d.desired.reload.filter((a): a is string => typeof a === 'string') : undefined;

const pathOf = (d: { id: string }): string => d.id.slice(0, d.id.indexOf('#'));
const markerOf = (d: { id: string }): string => d.id.slice(d.id.indexOf('#') + 1);
const begin = (m: string): string => `# BEGIN ${m}`;
const end = (m: string): string => `# END ${m}`;

/** Where the block sits in `lines`: the indexes of its BEGIN and END lines, or null. */
function locate(lines: readonly string[], marker: string): { from: number; to: number } | null {
  const from = lines.indexOf(begin(marker));
  const to = from < 0 ? -1 : lines.indexOf(end(marker), from + 1);
  return from < 0 || to < 0 ? null : { from, to };
}

/** The lines with the block set to `body` (appended when absent), or taken out when `body` is null. */
export function withBlock(lines: readonly string[], marker: string, body: string | null): string[] {
  const at = locate(lines, marker);
  const wrapped = body === null ? [] : [begin(marker), ...body.split('\n'), end(marker)];
  if (!at) return body === null ? [...lines] : [...lines, ...wrapped];
  return [...lines.slice(0, at.from), ...wrapped, ...lines.slice(at.to + 1)];
}

async function read(ctx: KindContext, decls: readonly Decl<BlockOptions>[]): Promise<Map<string, Snapshot>> {
  const files = await ctx.host.readFiles([...new Set(decls.map(pathOf))]);
  return new Map(decls.map((d): [string, Snapshot] => {
    const lines = files.get(pathOf(d))?.toString('utf8').split('\n') ?? [];
    const at = locate(lines, markerOf(d));
    if (!at) return [d.id, { present: false }];
    const body = Buffer.from(lines.slice(at.from + 1, at.to).join('\n'));
    const hash = sha256(body);
    ctx.contents.set(hash, body);
    return [d.id, { present: true, sha256: hash }];
  }));
}

async function bodyOf(ctx: KindContext, s: Snapshot): Promise<string> {
  if (s.present !== true || typeof s.sha256 !== 'string') return '';
  return (ctx.contents.get(s.sha256) ?? (await ctx.blob(s.sha256))).toString('utf8');
}

export const blockKind: Kind<BlockOptions> = {
  name: 'block',
  label: (d) => `block "${markerOf(d)}" in ${pathOf(d)}`,
  read,
  diff(current, decl) {
    const then = reloadOf(decl) ? [`then ${reloadOf(decl)!.join(' ')}`] : [];
    if (decl.desired.present === false) return current.present === true ? ['remove', ...then] : [];
    if (current.present !== true) return ['append', ...then];
    return current.sha256 === decl.desired.sha256 ? [] : ['replace', ...then];
  },
  predict: (_current, decl) => ({ ...decl.desired }),
  async converge(ctx, decl) {
    const body = decl.desired.present === false ? null : decl.options?.text;
    if (body === undefined) throw new Error(`block ${decl.id} has no text`);
    await edit(ctx, pathOf(decl), (lines) => withBlock(lines, markerOf(decl), body));
    const reload = reloadOf(decl);
    if (reload) await ctx.host.run(reload);
  },
  async revert(ctx, decl, _current, target) {
    const body = target.present === true ? await bodyOf(ctx, target) : null;
    await edit(ctx, pathOf(decl), (lines) => withBlock(lines, markerOf(decl), body));
    const reload = reloadOf(decl);
    if (!reload) return { result: 'restored' };
    const res = await ctx.host.run(reload, { allowFailure: true });
    return res.exitCode === 0 ? { result: 'restored' } : { result: 'restored', note: `${reload.join(' ')} failed (exit ${res.exitCode}); the file is restored and loads at the next start` };
  },
  async show(ctx, from, to, decl) {
    const own = decl.options?.text;
    const [a, b] = await Promise.all([bodyOf(ctx, from), to.sha256 === decl.desired.sha256 && own !== undefined ? own : bodyOf(ctx, to)]);
    if (a === b) return undefined;
    const name = `${pathOf(decl)} (${markerOf(decl)})`;
    return createTwoFilesPatch(name, name, a ? `${a}\n` : '', b ? `${b}\n` : '');
  },
};
