// A host's root filesystem: an overlay of the cached base, so every host starts fresh and the base stays intact.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { run, tryRun, isMountPoint } from './sys.js';

export function mountOverlay(lower: string, runDir: string): string {
  const [upper, work, merged] = ['upper', 'work', 'root'].map((d) => path.join(runDir, d)) as [string, string, string];
  for (const d of [upper, work, merged]) mkdirSync(d, { recursive: true });
  run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged]);
  return merged;
}

/** Idempotent; falls back to a lazy unmount when something still holds the mount busy. */
export function unmountOverlay(merged: string): void {
  if (!isMountPoint(merged)) return;
  if (!tryRun('umount', [merged])) run('umount', ['--lazy', merged]);
}
