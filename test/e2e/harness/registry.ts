// Every live host of this process, torn down on SIGINT/SIGTERM/SIGHUP and, synchronously, on any exit.
import { writeSync } from 'node:fs';
import os from 'node:os';

interface Teardown {
  down(): Promise<void>;
  downSync(): void;
}

const live = new Set<Teardown>();
let hooked = false;

export function track(host: Teardown): void {
  live.add(host);
  if (!hooked) hook();
}

export function untrack(host: Teardown): void {
  live.delete(host);
}

export function liveHosts(): number {
  return live.size;
}

/** Logging that cannot throw: once the test runner above us is gone, stdout/stderr are broken pipes. */
function say(msg: string): void {
  try {
    writeSync(2, `[e2e] ${msg}\n`);
  } catch {
    // nowhere left to report to
  }
}

function hook(): void {
  hooked = true;
  let tearingDown = false;
  // `on`, not `once`: the group kill and the test runner both send SIGTERM, and a second one must not
  // kill the process by default while the first teardown is still running.
  const onSignal = (sig: NodeJS.Signals): void => {
    if (tearingDown) return;
    tearingDown = true;
    // The runner dies first; its pipes break, and an EPIPE must not cut the teardown short.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
    say(`${sig}: taking down ${live.size} host(s)`);
    void Promise.allSettled([...live].map((h) => h.down())).then(() => process.exit(128 + os.constants.signals[sig]));
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
  // 'exit' handlers cannot wait: kill and release synchronously whatever is still up (uncaught errors,
  // process.exit). Nothing in here may throw, or node exits at once (code 7) with hosts still up.
  process.on('exit', () => {
    for (const h of live) {
      try {
        h.downSync();
      } catch (err) {
        say(`teardown at exit: ${String(err)}`);
      }
    }
  });
}
