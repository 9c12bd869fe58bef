// PHANES_TRACE=FILE appends one line per process Phanes spawns: when it started (ms since Phanes
// started), how long it took, its exit code and its argv (secrets masked). The bench reads it to say
// where a run's time goes; unset, it costs one env lookup.
import { appendFileSync } from 'node:fs';
import { redactText } from '../../state/redact.js';

const file = process.env.PHANES_TRACE;

/** Milliseconds since the process started. */
export const sinceStart = (): number => performance.now();

/** Record one finished spawn (no-op unless PHANES_TRACE is set; a failing trace never fails the run). */
export function traceSpawn(argv: readonly string[], startMs: number, exitCode: number, secrets: readonly string[] = []): void {
  if (!file) return;
  const line = `${startMs.toFixed(1)}\t${(sinceStart() - startMs).toFixed(1)}\t${exitCode}\t${redactText(argv.join(' '), secrets).replace(/\s+/g, ' ')}\n`;
  try {
    appendFileSync(file, line);
  } catch {
    /* tracing is best effort */
  }
}
