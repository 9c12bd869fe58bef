import type { Host } from './host.js';
import { hostError } from './local.js';
import { dropHalfMadeClusters } from './pg-half-made.js';

type Runner = Pick<Host, 'query' | 'run'>;

const UPDATES = '/var/lib/dpkg/updates';
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', APT_LISTCHANGES_FRONTEND: 'none', NEEDRESTART_MODE: 'a' };
// Keep the admin's conffiles, never prompt, and never pull Recommends (Phanes installs without them).
const CONFFILES = ['--force-confdef', '--force-confold'];
const APT_OPTS = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '-o', 'APT::Install-Recommends=false'];

/** What dpkg left half-done, in its own words (`dpkg --audit`), plus pending journal entries; empty when clean. */
export async function interruptedDpkg(host: Runner): Promise<string[]> {
  const [audit, updates] = await Promise.all([
    host.query(['dpkg', '--audit'], { allowFailure: true }),
    host.query(['find', UPDATES, '-mindepth', '1', '-maxdepth', '1', '-name', '[0-9]*'], { allowFailure: true }),
  ]);
  const problems = [...audit.stdout.matchAll(/^ (\S+)\s/gm)].map((m) => m[1]!);
  const pending = updates.stdout.split('\n').filter(Boolean).length;
  return [...new Set(problems), ...(pending ? [`${pending} pending dpkg journal entr${pending === 1 ? 'y' : 'ies'} in ${UPDATES}`] : [])];
}

/**
 * Packages whose unpack was cut short: dpkg status half-installed, or marked reinstall-required (error
 * flag reinstreq: "reinstall it before attempting configuration", as a kill inside liblzma5's unpack
 * left it). `dpkg --configure -a` cannot finish them, only unpacking them again can.
 */
export async function halfInstalled(host: Pick<Host, 'query'>): Promise<string[]> {
  const r = await host.query(['dpkg-query', '-W', '-f=${db:Status-Status} ${db:Status-Eflag} ${binary:Package}\n'], { allowFailure: true });
  return r.stdout.split('\n').map((l) => l.trim().split(/\s+/))
    .filter(([status, eflag, pkg]) => pkg && (status === 'half-installed' || eflag === 'reinstreq'))
    .map(([, , pkg]) => pkg!);
}

/**
 * A crash or kill in the middle of apt or dpkg leaves packages unpacked but not configured (and apt
 * then refuses to do anything: "dpkg was interrupted"). Finish what dpkg started, the way its own
 * message says, then let apt fix what is still broken, before any new apt work. Never pulls Recommends.
 */
export async function recoverInterruptedDpkg(host: Runner, say: (message: string) => void): Promise<void> {
  const before = await interruptedDpkg(host);
  if (!before.length) return;
  say(`dpkg was interrupted (a crash or kill in the middle of an install) and left ${before.join(', ')} half-done: running \`dpkg --configure -a\` before any apt work`);
  await dropHalfMadeClusters(host, say);
  // Another dpkg may still be at work (a kill orphaned it, or unattended-upgrades): each command waits for
  // its lock, and what it left is checked again. Three rounds, then the last error with apt's own output.
  for (let round = 1; ; round++) {
    // Dependency problems make it exit non-zero; apt-get -f below resolves them.
    await host.run(['dpkg', '--configure', '-a', ...CONFFILES], { env: APT_ENV, allowFailure: true, timeoutMs: 30 * 60_000 });
    const left = await interruptedDpkg(host);
    const broken = await host.query(['apt-get', 'check', '-q'], { env: APT_ENV, allowFailure: true });
    if (!left.length && broken.exitCode === 0) return;
    const unpack = await halfInstalled(host);
    const argv = unpack.length
      ? ['apt-get', 'install', '-f', '--reinstall', '-y', '-q', ...APT_OPTS, ...unpack]
      : ['apt-get', 'install', '-f', '-y', '-q', ...APT_OPTS];
    say(`still half-installed after dpkg --configure -a: ${left.join(', ') || 'broken dependencies'}; running \`${argv.slice(0, unpack.length ? 4 : 3).join(' ')}${unpack.length ? ` ${unpack.join(' ')}` : ''}\``);
    const fixed = await host.run(argv, { env: APT_ENV, allowFailure: true, timeoutMs: 30 * 60_000 });
    // dpkg's own complaint goes to apt's stdout (its pty), so the error carries both.
    if (fixed.exitCode !== 0 && round >= 3) throw hostError(argv, fixed.exitCode, `${fixed.stdout}\n${fixed.stderr}`);
  }
}
