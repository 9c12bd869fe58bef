import type { Snapshot } from '../../state/events.js';
import { withStartsHeld } from '../host/start-hold.js';
import { type Decl, type Kind, type KindContext } from './types.js';

export interface PackageOptions {
  /** Install recommended packages too (default: no, the smaller footprint). */
  recommends?: boolean;
}

const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', APT_LISTCHANGES_FRONTEND: 'none', NEEDRESTART_MODE: 'a' };
// Keep the admin's edited conffiles on upgrades and never prompt.
const DPKG_OPTS = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];

/** Declare an apt package that must be installed. */
export function pkg(name: string, options: PackageOptions = {}): Decl<PackageOptions> {
  return { kind: 'package', id: name, desired: { installed: true }, options };
}

/** One dpkg-query for every package in the run. */
async function read(ctx: KindContext, decls: readonly Decl<PackageOptions>[]): Promise<Map<string, Snapshot>> {
  const names = [...new Set(decls.map((d) => d.id))];
  const out = new Map<string, Snapshot>(names.map((n) => [n, { installed: false, version: null }]));
  if (names.length === 0) return out;
  const res = await ctx.host.query(['dpkg-query', '-W', '-f=${Package}\t${db:Status-Abbrev}\t${Version}\n', '--', ...names], {
    allowFailure: true, // exit 1 when some package is unknown to dpkg: those are simply not installed
  });
  for (const line of res.stdout.split('\n')) {
    const [name, status, version] = line.split('\t');
    if (!name || !out.has(name)) continue;
    const installed = (status ?? '').startsWith('ii');
    out.set(name, { installed, version: installed ? (version ?? null) : null });
  }
  return out;
}

/**
 * Of the units whose start was held, those that exist now and are not running: a maintainer script
 * that started its daemon some other way (not through invoke-rc.d) leaves it out, so it is restarted.
 */
async function heldBack(ctx: KindContext, units: readonly string[]): Promise<string[]> {
  if (!units.length) return [];
  const res = await ctx.host.query(['systemctl', 'show', '--property=LoadState,ActiveState', '--', ...units], { allowFailure: true });
  const blocks = res.stdout.split(/\n\s*\n/).filter((b) => b.trim());
  return units.filter((_, i) => /^LoadState=loaded$/m.test(blocks[i] ?? '') && /^ActiveState=(inactive|failed)$/m.test(blocks[i] ?? ''));
}

async function install(ctx: KindContext, items: readonly { decl: Decl<PackageOptions> }[]): Promise<void> {
  const groups = new Map<boolean, string[]>();
  for (const { decl } of items) {
    const rec = decl.options?.recommends === true;
    groups.set(rec, [...(groups.get(rec) ?? []), decl.id]);
  }
  for (const [recommends, names] of groups) {
    const held = [...(ctx.holdStarts ?? [])];
    const hooked = await withStartsHeld(ctx.host, held, () => ctx.host.run(
      ['apt-get', 'install', '-y', '-q', recommends ? '--install-recommends' : '--no-install-recommends', ...DPKG_OPTS, ...names],
      { env: APT_ENV, timeoutMs: 30 * 60_000 },
    ));
    if (hooked) for (const unit of await heldBack(ctx, held)) ctx.startsHeld?.add(unit);
  }
}

// Only Depends keep a package: what was installed as a dependency and is now only recommended or
// suggested counts as unneeded (Phanes installs without recommends; both reads below use the same rule).
const STRICT_AUTOREMOVE = ['-o', 'APT::AutoRemove::RecommendsImportant=false', '-o', 'APT::AutoRemove::SuggestsImportant=false'];

/** Packages apt would autoremove now: installed as dependencies, and nothing installed depends on them any more. */
async function autoremovable(ctx: KindContext): Promise<string[]> {
  const sim = await ctx.host.query(['apt-get', '-s', ...STRICT_AUTOREMOVE, 'autoremove'], { env: APT_ENV, allowFailure: true });
  return [...sim.stdout.matchAll(/^Remv (\S+)/gm)].map((m) => m[1]!);
}

/** Packages apt installed as dependencies (not asked for by name). */
async function autoInstalled(ctx: KindContext): Promise<Set<string>> {
  const res = await ctx.host.query(['apt-mark', 'showauto'], { allowFailure: true });
  return new Set(res.stdout.split('\n').map((l) => l.trim()).filter(Boolean));
}

export const packageKind: Kind<PackageOptions> = {
  name: 'package',
  label: (d) => `package ${d.id}`,
  read,
  diff: (current, decl) =>
    current.installed === decl.desired.installed ? [] : [decl.desired.installed ? `install ${decl.id}` : `remove ${decl.id}`],
  predict: (current, decl) => ({ ...current, ...decl.desired, version: decl.desired.installed ? (current.version ?? 'new') : null }),
  async converge(ctx, decl, current) {
    await packageKind.convergeMany!(ctx, [{ decl, current }]);
  },
  async convergeMany(ctx, items) {
    const toInstall = items.filter((i) => i.decl.desired.installed === true);
    const toRemove = items.filter((i) => i.decl.desired.installed === false).map((i) => i.decl.id);
    if (toInstall.length) await install(ctx, toInstall);
    if (toRemove.length) await ctx.host.run(['apt-get', 'purge', '-y', '-q', ...toRemove], { env: APT_ENV });
  },
  async revert(ctx, decl, current, target) {
    if (target.installed === true || current.installed !== true) return { result: 'restored' };
    // apt removes whatever depends on the package too; never take away what Phanes did not install.
    // Dependencies that depend back on it (nodejs and its node-* helpers) go with it; a package someone
    // asked for by name keeps it installed.
    const sim = await ctx.host.query(['apt-get', '-s', 'purge', decl.id], { env: APT_ENV, allowFailure: true });
    const removed = [...sim.stdout.matchAll(/^Purg (\S+)/gm)].map((m) => m[1]!).filter((n) => n !== decl.id && !ctx.releasing.has(`package:${n}`));
    const auto = removed.length ? await autoInstalled(ctx) : new Set<string>();
    const collateral = removed.filter((n) => !auto.has(n));
    if (collateral.length) {
      return { result: 'left', note: `not purged: apt would also remove ${collateral.join(', ')}, which Phanes did not install` };
    }
    // Purge, so the conffiles the package brought go too: the host returns to how it was.
    const orphansBefore = await autoremovable(ctx);
    await ctx.host.run(['apt-get', 'purge', '-y', '-q', decl.id], { env: APT_ENV, timeoutMs: 30 * 60_000 });
    // What only this package kept installed goes with it; what apt could already autoremove stays.
    const freed = (await autoremovable(ctx)).filter((n) => !orphansBefore.includes(n));
    if (!freed.length) return { result: 'restored' };
    await ctx.host.run(['apt-get', 'purge', '-y', '-q', ...freed], { env: APT_ENV, timeoutMs: 30 * 60_000 });
    return { result: 'restored', note: `also purged what it alone pulled in: ${freed.join(', ')}` };
  },
};

