import type { Host } from './host.js';

/**
 * Holding back a daemon's first start while apt installs it. A package's maintainer script starts its
 * daemon with the package's defaults; Phanes then writes the daemon's config and restarts it, paying
 * for two starts and a stop. For units the run declares that do not exist yet, apt-get runs with a
 * policy-rc.d (Debian's hook that invoke-rc.d and deb-systemd-invoke ask first) that says 101 ("not
 * now") for those units only, so each starts once, at its own step, with its config in place.
 * A policy-rc.d Phanes did not write is never touched (then daemons start as usual), and one a killed
 * run left behind is removed before any apt work of the next run.
 */
export const POLICY_RC_D = '/usr/sbin/policy-rc.d';
const MARKER = '# phanes: hold-starts';
/** Which run wrote it: the hook of the run at work now is not a stale one, even before its first apt call. */
const writtenBy = (pid: number): string => `# written by the Phanes run with pid ${pid}`;
/** Unit names systemd accepts, without the .service suffix: nothing a shell would read as code. */
const UNIT = /^[A-Za-z0-9@._:-]+$/;

/** The script: exit 101 for the held units (any action, with or without `.service`), 0 for the rest. */
export function policyScript(units: readonly string[], writer = process.pid): string {
  const names = units.map((u) => u.replace(/\.service$/, '')).filter((u) => UNIT.test(u));
  return [
    '#!/bin/sh',
    `${MARKER} (Phanes starts these units itself once their config is written; removed when apt-get ends)`,
    writtenBy(writer),
    'while [ "${1#--}" != "$1" ]; do shift; done',
    'case "${1%.service}" in',
    ...(names.length ? [`  ${names.map((n) => `'${n}'`).join('|')}) exit 101 ;;`] : []),
    'esac',
    'exit 0',
    '',
  ].join('\n');
}

type Files = Pick<Host, 'readFiles' | 'writeFile' | 'removeFile'>;

/** Whose policy-rc.d is there: none, this run's, one another (killed) Phanes run wrote, or someone else's. */
async function owner(host: Files, self = process.pid): Promise<'none' | 'mine' | 'stale' | 'other'> {
  const content = (await host.readFiles([POLICY_RC_D])).get(POLICY_RC_D)?.toString('utf8');
  if (content === undefined) return 'none';
  if (!content.includes(MARKER)) return 'other';
  return content.split('\n').includes(writtenBy(self)) ? 'mine' : 'stale';
}

/**
 * Runs `work` (an apt-get install) with the first start of `units` held back, when that is safe to do;
 * true when it was held (false: no units, or someone else's policy-rc.d is in place).
 */
export async function withStartsHeld(host: Files, units: readonly string[], work: () => Promise<unknown>): Promise<boolean> {
  if (!units.length || (await owner(host)) === 'other') {
    await work();
    return false;
  }
  await host.writeFile(POLICY_RC_D, policyScript(units), { mode: 0o755 });
  try {
    await work();
  } finally {
    await host.removeFile(POLICY_RC_D);
  }
  return true;
}

/** Removes the policy-rc.d a killed run left (it would keep those daemons from starting on later installs). */
export async function clearStaleHold(host: Files, say: (message: string) => void, self = process.pid): Promise<void> {
  // The hold this run wrote for its first apt-get (the one that brings this check) stays.
  if ((await owner(host, self)) !== 'stale') return;
  say(`removing ${POLICY_RC_D} that an interrupted Phanes run left (it held back daemon starts during its apt-get install)`);
  await host.removeFile(POLICY_RC_D);
}
