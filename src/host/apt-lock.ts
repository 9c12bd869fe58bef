import { setTimeout as sleep } from 'node:timers/promises';
import { LockedError } from '../errors.js';
import { hostError } from './local.js';
import type { Host, RunOptions, RunResult } from './host.js';
import { HostWrapper } from './wrapper.js';
import { recoverInterruptedDpkg } from './dpkg-state.js';
import { clearStaleHold } from './start-hold.js';

/** Commands that take dpkg's or apt's lock when they change the host. */
const APT_TOOLS = new Set(['apt-get', 'apt', 'dpkg', 'apt-mark']);
// apt: "Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1234 (perl)";
// dpkg: "dpkg frontend lock was locked by another process with pid 1234".
const LOCKED = /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock the administration directory|lock was locked by another process|lock is locked by another process/;
const POLL_MS = 2000;
/** `--lock-timeout`'s default, and rollback's wait. */
export const DEFAULT_LOCK_TIMEOUT = '10m';
const REMIND_MS = 30_000;

export interface AptLockOptions {
  /** How long to wait for a dpkg/apt lock another process holds before giving up. */
  timeoutMs: number;
  /** Tells the operator what Phanes is waiting for (a visible message, not a silent hang). */
  say(message: string): void;
  /** How often to try again (default 2 s). */
  pollMs?: number;
}

/** Who holds the lock, as apt or dpkg names it: `process 1234 (perl)`. */
export function lockHolder(stderr: string): string {
  const apt = /Could not get lock (\S+?)\.? It is held by process (\d+)(?: \(([^)]*)\))?/.exec(stderr);
  if (apt) return `${apt[1]}, held by process ${apt[2]}${apt[3] ? ` (${apt[3]})` : ''}`;
  const dpkg = /(\S*lock\S*) was locked by another process with pid (\d+)/.exec(stderr) ?? /(\S*lock\S*) is locked by another process(?: with pid (\d+))?/.exec(stderr);
  if (dpkg) return `dpkg's ${dpkg[1]}${dpkg[2] ? `, held by process ${dpkg[2]}` : ''}`;
  return 'the dpkg lock';
}

/** `10m`, `90s`, `1h`, or plain seconds, as milliseconds; undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Math.round(Number(m[1]) * unit);
}

const seconds = (ms: number): string => (ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`);

/**
 * The host apply changes, with two guards around apt and dpkg: a dpkg left half-done by a crash is
 * finished first (once per run), and a lock another process holds (unattended-upgrades on first boot)
 * is waited for, with a message, up to `timeoutMs`. apt and dpkg fail before changing anything when
 * their lock is taken, so trying again is safe.
 */
export class AptLockHost extends HostWrapper {
  #recovered: Promise<void> | undefined;

  constructor(inner: Host, private readonly options: AptLockOptions) {
    super(inner);
  }

  override async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    if (!APT_TOOLS.has(argv[0] ?? '')) return this.inner.run(argv, options);
    // Recovery runs apt and dpkg itself: through the lock wait, not back through this method.
    this.#recovered ??= clearStaleHold(this.inner, this.options.say).then(() =>
      recoverInterruptedDpkg({ query: (a, o) => this.inner.query(a, o), run: (a, o) => this.waitForLock(a, o ?? {}) }, this.options.say));
    await this.#recovered;
    return this.waitForLock(argv, options);
  }

  /** Runs an apt/dpkg command, retrying while another process holds its lock, up to the timeout. */
  async waitForLock(argv: readonly string[], options: RunOptions): Promise<RunResult> {
    const deadline = Date.now() + this.options.timeoutMs;
    let told = 0;
    for (;;) {
      const r = await this.inner.run(argv, { ...options, allowFailure: true });
      if (r.exitCode === 0 || !LOCKED.test(r.stderr)) {
        if (r.exitCode === 0 || options.allowFailure) return r;
        throw hostError(argv, r.exitCode, r.stderr, options);
      }
      const holder = lockHolder(r.stderr);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new LockedError(`gave up waiting for ${holder} after ${seconds(this.options.timeoutMs)} (--lock-timeout); \`${argv.join(' ')}\` did not run`, {
          suggestion: 'wait for that process to finish (unattended-upgrades on a new server can take minutes) or raise --lock-timeout, then re-run',
        });
      }
      if (Date.now() - told >= REMIND_MS) {
        this.options.say(`waiting for ${holder} (\`${argv.slice(0, 2).join(' ')}\`): up to ${seconds(Math.max(0, left))} more (--lock-timeout)`);
        told = Date.now();
      }
      await sleep(Math.min(this.options.pollMs ?? POLL_MS, Math.max(1, left)));
    }
  }
}
