// Every live host of this process, torn down on SIGINT/SIGTERM/SIGHUP and, synchronously, on any exit.
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

function hook(): void {
  hooked = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      console.error(`[e2e] ${sig}: taking down ${live.size} host(s)`);
      void Promise.allSettled([...live].map((h) => h.down())).then(() => process.exit(128 + os.constants.signals[sig]));
    });
  }
  // 'exit' handlers cannot wait: kill and release synchronously whatever is still up (uncaught errors, process.exit).
  process.on('exit', () => {
    for (const h of live) {
      try {
        h.downSync();
      } catch (err) {
        console.error('[e2e] teardown at exit failed:', err);
      }
    }
  });
}
