import { createTwoFilesPatch } from 'diff';
import * as path from 'node:path';
import { sha256 } from '../../state/blobs.js';
import type { Snapshot } from '../../state/events.js';
import type { Host } from '../host/host.js';
import { HostError } from '../errors.js';
import { fieldDiff, fmt, isSecret, octal, type Decl, type Kind, type KindContext } from './types.js';

export interface FileOptions {
  content?: string | Buffer;
  /** Run on a temp copy before installing (`{}` is the temp path), e.g. `visudo -cf {}`. */
  validate?: string[];
  /** Run after installing; on failure the previous content is put back, e.g. `sshd -t`. */
  check?: string[];
  /** An apt.conf.d file that changes nothing `apt-get install` does (APT::Periodic): no barrier for batching. */
  aptNeutral?: boolean;
}

export interface FileSpec {
  content: string | Buffer;
  mode?: number;
  owner?: string;
  group?: string;
  validate?: string[];
  check?: string[];
  notify?: string[];
  secret?: boolean;
  aptNeutral?: boolean;
}


/** Declare a file with exact content, mode and owner. */
export function file(filePath: string, spec: FileSpec): Decl<FileOptions> {
  const content = spec.content;
  return {
    kind: 'file',
    id: filePath,
    desired: {
      exists: true, sha256: sha256(content), mode: spec.mode ?? 0o644, owner: spec.owner ?? 'root', group: spec.group ?? spec.owner ?? 'root',
      ...(spec.secret ? { secret: true } : {}),
    },
    options: {
      content, ...(spec.validate ? { validate: spec.validate } : {}), ...(spec.check ? { check: spec.check } : {}),
      ...(spec.aptNeutral ? { aptNeutral: true } : {}),
    },
    ...(spec.notify ? { notify: spec.notify } : {}),
    ...(spec.secret ? { secret: true } : {}),
  };
}

/** Declare that a file must not exist. */
export function absentFile(filePath: string, notify?: string[]): Decl<FileOptions> {
  return { kind: 'file', id: filePath, desired: { exists: false }, ...(notify ? { notify } : {}) };
}

async function read(ctx: KindContext, decls: readonly Decl<FileOptions>[]): Promise<Map<string, Snapshot>> {
  const paths = [...new Set(decls.map((d) => d.id))];
  const [links, contents] = await Promise.all([ctx.host.statFiles(paths), ctx.host.readFiles(paths)]);
  // A managed path that is a symlink (trixie's /etc/default/locale → locale.conf) is managed through
  // to its target, as package tools do: its mode and owner are the target's, and writes go there.
  const targets = new Map(paths.flatMap((p) => {
    const l = links.get(p);
    return l?.isSymlink && l.linkTarget ? [[p, path.resolve(path.dirname(p), l.linkTarget)] as const] : [];
  }));
  const targetStats = targets.size ? await ctx.host.statFiles([...targets.values()]) : new Map();
  const out = new Map<string, Snapshot>();
  for (const p of paths) {
    const st = targets.has(p) ? targetStats.get(targets.get(p)!) : links.get(p);
    const data = contents.get(p);
    // The link itself is recorded too, so rollback can put back a link that something removed.
    const link: Snapshot = links.get(p)?.isSymlink ? { link: links.get(p)?.linkTarget ?? '' } : {};
    if (!st || !data || st.isDirectory) {
      out.set(p, { exists: false, ...link });
      continue;
    }
    const hash = sha256(data);
    ctx.contents.set(hash, data);
    out.set(p, { exists: true, sha256: hash, mode: st.mode, owner: st.owner, group: st.group, ...link });
  }
  return out;
}

async function contentOf(ctx: KindContext, s: Snapshot, decl: Decl<FileOptions>): Promise<string> {
  if (s.exists !== true || typeof s.sha256 !== 'string') return '';
  const own = decl.options?.content;
  if (own !== undefined && s.sha256 === decl.desired.sha256) return own.toString();
  const data = ctx.contents.get(s.sha256) ?? (await ctx.blob(s.sha256));
  return data.toString('utf8');
}

/** Write `content` with its metadata, validating first and checking after; on a failed check the old state is put back. */
async function install(ctx: KindContext, decl: Decl<FileOptions>, current: Snapshot, content: Buffer | string, meta: Snapshot): Promise<void> {
  const { host } = ctx;
  const mode = typeof meta.mode === 'number' ? meta.mode : 0o644;
  const owner = typeof meta.owner === 'string' ? meta.owner : 'root';
  const group = typeof meta.group === 'string' ? meta.group : owner;
  const validate = decl.options?.validate;
  if (validate) {
    const tmp = path.join(path.dirname(decl.id), `.${path.basename(decl.id)}.phanes-validate`);
    await host.writeFile(tmp, content, { mode: 0o600 });
    try {
      await host.run(validate.map((a) => (a === '{}' ? tmp : a)), { secrets: ctx.secrets });
    } finally {
      await host.removeFile(tmp);
    }
  }
  await host.writeFile(await realPath(host, decl.id), content, { mode, owner, group });
  const check = decl.options?.check;
  if (!check) return;
  const res = await host.run(check, { allowFailure: true, secrets: ctx.secrets });
  if (res.exitCode === 0) return;
  await putBack(ctx, decl.id, current);
  throw new HostError(check.join(' '), res.exitCode, res.stderr, {
    suggestion: `the new ${decl.id} was rejected, so the previous version was put back; fix the config and re-run`,
  });
}

/** Follow symlinks (a few hops) to the file that really holds the content. */
async function realPath(host: Host, filePath: string): Promise<string> {
  let current = filePath;
  for (let hop = 0; hop < 8; hop++) {
    const st = (await host.statFiles([current])).get(current);
    if (!st?.isSymlink || !st.linkTarget) return current;
    current = path.resolve(path.dirname(current), st.linkTarget);
  }
  return current;
}

async function putBack(ctx: KindContext, filePath: string, s: Snapshot): Promise<void> {
  if (typeof s.link === 'string') {
    const now = (await ctx.host.statFiles([filePath])).get(filePath);
    if (!now?.isSymlink || now.linkTarget !== s.link) await ctx.host.symlink(s.link, filePath);
  }
  if (s.exists !== true || typeof s.sha256 !== 'string') {
    // Through a symlink, the file it points at is what Phanes created; the link itself was there before.
    await ctx.host.removeFile(await realPath(ctx.host, filePath));
    return;
  }
  const data = ctx.contents.get(s.sha256) ?? (await ctx.blob(s.sha256));
  await ctx.host.writeFile(await realPath(ctx.host, filePath), data, { mode: Number(s.mode), owner: String(s.owner), group: String(s.group) });
}

export const fileKind: Kind<FileOptions> = {
  name: 'file',
  label: (d) => `file ${d.id}`,
  read,
  diff(current, decl) {
    if (decl.desired.exists === false) return current.exists === true ? ['remove'] : [];
    if (current.exists !== true) return [`create (${octal(Number(decl.desired.mode))} ${decl.desired.owner}:${decl.desired.group})`];
    const lines = fieldDiff(current, decl.desired, fmt).filter((l) => !/^(?:sha256|exists|secret):/.test(l));
    return current.sha256 !== decl.desired.sha256 ? ['content', ...lines] : lines;
  },
  predict: (_current, decl) => ({ ...decl.desired }),
  async converge(ctx, decl, current) {
    if (decl.desired.exists === false) {
      await ctx.host.removeFile(decl.id);
      return;
    }
    const content = decl.options?.content;
    if (content === undefined) throw new Error(`file ${decl.id} has no content`);
    if (current.exists === true && current.sha256 === decl.desired.sha256) {
      // Only metadata differs: fix it in place without rewriting.
      const real = await realPath(ctx.host, decl.id);
      await ctx.host.chmod(real, Number(decl.desired.mode));
      await ctx.host.chown(real, String(decl.desired.owner), String(decl.desired.group));
      return;
    }
    await install(ctx, decl, current, content, decl.desired);
  },
  async revert(ctx, decl, _current, target) {
    await putBack(ctx, decl.id, target);
    if (decl.options?.check) await ctx.host.run(decl.options.check, { secrets: ctx.secrets });
    return { result: 'restored' };
  },
  async settle(ctx, decl, current, target) {
    if (typeof target.link === 'string' && current.link !== target.link) await ctx.host.symlink(target.link, decl.id);
  },
  async show(ctx, from, to, decl) {
    if (isSecret(decl)) return `--- ${decl.id}\n+++ ${decl.id}\n<redacted: secret content differs>\n`;
    const [a, b] = await Promise.all([contentOf(ctx, from, decl), contentOf(ctx, to, decl)]);
    if (a === b) return undefined;
    return createTwoFilesPatch(decl.id, decl.id, a, b, from.exists === true ? '' : '(absent)', to.exists === true ? '' : '(absent)');
  },
};
