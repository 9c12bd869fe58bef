import * as path from 'node:path';
import type { Snapshot } from '../../state/events.js';
import { HostError, PhanesError, RefusedError } from '../errors.js';
import type { Host } from '../host/host.js';
import { containerOf, refuseInContainer } from '../facts/container.js';
import { fieldDiff, fmt, octal, type Decl, type Kind, type KindContext } from './types.js';

const MiB = 1024 ** 2;
/** Left free beside a new swap file, so creating one never fills the filesystem to the last byte. */
const RESERVE = 64 * MiB;
const NOT_NAMESPACED = "swap is not namespaced: it would change the machine's swap, not this host's";

/** `2147483648` → `2G`, `536870912` → `512M` (the units swap.size is written in). */
export function sizeText(bytes: number): string {
  if (bytes % (1024 * MiB) === 0) return `${bytes / (1024 * MiB)}G`;
  return bytes % MiB === 0 ? `${bytes / MiB}M` : `${bytes}B`;
}

/** A swap file of `bytes`, mode 0600 root:root, with a swap signature. Activation is `swapon()`. */
export function swapfile(filePath: string, bytes: number): Decl {
  return { kind: 'swapfile', id: filePath, desired: { exists: true, size: bytes, mode: 0o600, owner: 'root', group: 'root', swap: true } };
}

/** The swap file in use (`swapon`); a module marks it `skip` inside a container. */
export function swapon(filePath: string): Decl {
  return { kind: 'swapon', id: filePath, desired: { active: true } };
}

/** Paths in /proc/swaps (the kernel writes a space in a name as \040). */
export function activeSwaps(procSwaps: string): Set<string> {
  const names = procSwaps.split('\n').slice(1).map((l) => l.split(/\s+/)[0] ?? '').filter(Boolean);
  return new Set(names.map((n) => n.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))));
}

/**
 * Which paths are active swap. /proc/swaps is the machine's, not the container's: inside one a path
 * there may be another root's file of the same name, so nothing counts as active.
 */
async function readActive(host: Host): Promise<{ active: Set<string>; container: string | null }> {
  const [container, files] = await Promise.all([containerOf(host), host.readFiles(['/proc/swaps'])]);
  const active = container === null ? activeSwaps(files.get('/proc/swaps')?.toString('utf8') ?? '') : new Set<string>();
  return { active, container };
}

/** Page sizes a swap area may have been made for; its signature ends the first page. */
const PAGE_SIZES = [4096, 8192, 16384, 32768, 65536];

/** Whether a file's first bytes hold a swap signature (`SWAPSPACE2`, or the old `SWAP-SPACE`), as blkid -p finds it. */
export function hasSwapSignature(head: Buffer): boolean {
  return PAGE_SIZES.some((size) => {
    const magic = head.toString('latin1', size - 10, size);
    return magic === 'SWAPSPACE2' || magic === 'SWAP-SPACE';
  });
}

/** Paths that carry a swap signature: the first 64 KiB of each, read in one batch (no blkid process). */
async function swapSignatures(host: Host, paths: readonly string[]): Promise<Set<string>> {
  if (!paths.length) return new Set();
  const heads = await host.readFiles(paths, { maxBytes: PAGE_SIZES.at(-1)! });
  return new Set(paths.filter((p) => { const h = heads.get(p); return h ? hasSwapSignature(h) : false; }));
}

async function readFiles(ctx: KindContext, decls: readonly Decl[]): Promise<Map<string, Snapshot>> {
  const paths = [...new Set(decls.map((d) => d.id))];
  const stats = await ctx.host.statFiles(paths);
  const regular = paths.filter((p) => { const st = stats.get(p); return st && !st.isDirectory && !st.isSymlink; });
  const [signed, { active }] = await Promise.all([swapSignatures(ctx.host, regular), readActive(ctx.host)]);
  return new Map(paths.map((p): [string, Snapshot] => {
    const st = stats.get(p);
    if (!st) return [p, { exists: false }];
    if (st.isDirectory || st.isSymlink) return [p, { exists: true, regular: false, swap: false, active: false }];
    return [p, { exists: true, size: st.size, mode: st.mode, owner: st.owner, group: st.group, swap: signed.has(p), active: active.has(p) }];
  }));
}

async function freeBytes(host: Host, dir: string): Promise<number> {
  const res = await host.query(['df', '--output=avail', '-B1', '--', dir], { allowFailure: true });
  const free = Number(res.stdout.trim().split('\n').pop());
  if (res.exitCode !== 0 || !Number.isFinite(free)) throw new HostError(`df --output=avail -B1 -- ${dir}`, res.exitCode, res.stderr, { suggestion: `make sure ${dir} exists` });
  return free;
}

async function checkSpace(host: Host, filePath: string, bytes: number, reclaimed: number): Promise<void> {
  const dir = path.dirname(filePath);
  const free = await freeBytes(host, dir);
  if (free + reclaimed >= bytes + RESERVE) return;
  throw new PhanesError(
    `not enough free disk space for the swap file ${filePath}: it needs ${sizeText(bytes)} (plus ${sizeText(RESERVE)} kept free), and the filesystem holding ${dir} has ${sizeText(Math.floor((free + reclaimed) / MiB) * MiB)} available for it`,
    { suggestion: `free space on that filesystem, set swap.size smaller (e.g. ${sizeText(Math.max(MiB * 256, Math.floor((free + reclaimed - RESERVE) / 2 / MiB) * MiB))}), or point swap.path at a larger filesystem` },
  );
}

/**
 * Replace whatever is at `filePath` with a fresh swap area of `bytes`. It is built beside the target
 * and moved into place, so a crash leaves either no file or a complete one, never a half-made swap.
 */
async function recreate(ctx: KindContext, filePath: string, bytes: number, meta: { mode: number; owner: string; group: string }, current: Snapshot): Promise<void> {
  const { host } = ctx;
  const reclaimed = current.exists === true && typeof current.size === 'number' ? current.size : 0;
  await checkSpace(host, filePath, bytes, reclaimed);
  const container = await containerOf(host);
  const wasActive = current.active === true && container === null;
  if (wasActive) await swapoff(host, filePath);
  if (current.exists === true) await host.removeFile(filePath);
  const tmp = path.join(path.dirname(filePath), `.${path.basename(filePath)}.phanes-new`);
  await host.removeFile(tmp);
  await host.writeFile(tmp, '', meta); // 0600 before a single byte of swap exists
  // btrfs swaps only to a file without copy-on-write, set while it is empty; elsewhere this fails harmlessly.
  await host.run(['chattr', '+C', '--', tmp], { allowFailure: true });
  const fast = await host.run(['fallocate', '-l', String(bytes), '--', tmp], { allowFailure: true });
  if (fast.exitCode !== 0) {
    // Some filesystems (or swapon on them) refuse preallocated extents: write real zeroes instead.
    await host.run(['dd', 'if=/dev/zero', `of=${tmp}`, 'bs=1M', `count=${Math.ceil(bytes / MiB)}`, 'status=none'], { timeoutMs: 30 * 60_000 });
  }
  await host.run(['mkswap', '--', tmp]);
  await host.run(['mv', '-f', '--', tmp, filePath]);
  if (wasActive) await host.run(['swapon', '--', filePath]);
}

async function swapoff(host: Host, filePath: string): Promise<void> {
  await refuseInContainer(host, `swapoff ${filePath}`, NOT_NAMESPACED);
  const res = await host.run(['swapoff', '--', filePath], { allowFailure: true });
  if (res.exitCode !== 0) {
    throw new HostError(`swapoff -- ${filePath}`, res.exitCode, res.stderr, {
      suggestion: 'the pages in that swap file did not fit in free memory; stop some services or add memory, then re-run',
    });
  }
}

async function remove(host: Host, filePath: string, current: Snapshot): Promise<void> {
  if (current.exists !== true) return;
  if (current.active === true) await swapoff(host, filePath);
  await host.removeFile(filePath);
}

function metaOf(s: Snapshot): { mode: number; owner: string; group: string } {
  return { mode: typeof s.mode === 'number' ? s.mode : 0o600, owner: typeof s.owner === 'string' ? s.owner : 'root', group: typeof s.group === 'string' ? s.group : 'root' };
}

export const swapfileKind: Kind = {
  name: 'swapfile',
  label: (d) => `swap file ${d.id}`,
  read: readFiles,
  diff(current, decl) {
    if (decl.desired.exists === false) return current.exists === true ? [current.active === true ? 'swapoff, remove' : 'remove'] : [];
    const want = Number(decl.desired.size);
    if (current.exists !== true) return [`create ${sizeText(want)} (${octal(Number(decl.desired.mode))} ${String(decl.desired.owner)}:${String(decl.desired.group)}), mkswap`];
    if (current.regular === false || current.swap !== true) return ['exists and is not a swap file: apply refuses to overwrite it'];
    const meta = fieldDiff(current, decl.desired, fmt).filter((l) => /^(mode|owner|group):/.test(l));
    if (current.size !== want) return [`resize ${sizeText(Number(current.size))} → ${sizeText(want)}${current.active === true ? ' (swapoff, recreate, mkswap, swapon)' : ' (recreate, mkswap)'}`, ...meta];
    return meta;
  },
  predict: (current, decl) => ({ ...decl.desired, active: current.active === true }),
  async converge(ctx, decl, current) {
    if (decl.desired.exists === false) return remove(ctx.host, decl.id, current);
    if (current.exists === true && (current.regular === false || current.swap !== true)) {
      throw new RefusedError(`${decl.id} exists and is not a swap file; Phanes will not overwrite it`, {
        suggestion: `move ${decl.id} away if it is not needed, or set swap.path to another file`,
      });
    }
    const meta = metaOf(decl.desired);
    if (current.exists === true && current.size === decl.desired.size) {
      await ctx.host.chmod(decl.id, meta.mode);
      await ctx.host.chown(decl.id, meta.owner, meta.group);
      return;
    }
    await recreate(ctx, decl.id, Number(decl.desired.size), meta, current);
  },
  async revert(ctx, decl, current, target) {
    if (target.exists !== true) {
      await remove(ctx.host, decl.id, current);
      return { result: 'restored' };
    }
    // A swap file that was there before: back to its size and owner. Its pages are not kept, and need not be.
    const meta = metaOf(target);
    if (current.exists !== true || current.size !== target.size) {
      await recreate(ctx, decl.id, Number(target.size), meta, current);
      return { result: 'restored', note: `recreated at its original ${sizeText(Number(target.size))}` };
    }
    await ctx.host.chmod(decl.id, meta.mode);
    await ctx.host.chown(decl.id, meta.owner, meta.group);
    return { result: 'restored' };
  },
};

async function readSwapon(ctx: KindContext, decls: readonly Decl[]): Promise<Map<string, Snapshot>> {
  const { active } = await readActive(ctx.host);
  return new Map(decls.map((d) => [d.id, { active: active.has(d.id) }]));
}

export const swaponKind: Kind = {
  name: 'swapon',
  label: (d) => `swapon ${d.id}`,
  read: readSwapon,
  diff: (current, decl) => (current.active === decl.desired.active ? [] : [decl.desired.active === true ? 'activate' : 'deactivate']),
  predict: (current, decl) => ({ ...current, active: decl.desired.active === true }),
  async converge(ctx, decl) {
    if (decl.desired.active !== true) {
      await swapoff(ctx.host, decl.id);
      return;
    }
    await refuseInContainer(ctx.host, `swapon ${decl.id}`, NOT_NAMESPACED);
    await ctx.host.run(['swapon', '--', decl.id]);
  },
  async revert(ctx, decl, current, target) {
    if (current.active === true && target.active !== true) await swapoff(ctx.host, decl.id);
    return { result: 'restored' };
  },
};
