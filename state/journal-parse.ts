import type { PhanesEvent } from './events.js';
import { StateError } from './errors.js';
import { checkEvent } from './validate.js';

export interface JournalRead {
  events: PhanesEvent[];
  /** One line per problem that was skipped (a torn last line); empty when the journal is clean. */
  warnings: string[];
  /** Size in bytes of the journal as read, torn tail included. */
  bytes: number;
}

const NL = 0x0a;

/**
 * Parses the journal's bytes: a torn last line becomes a warning, any other bad line a StateError,
 * or with `skipCorrupt` (the audit log, which must show what is readable) a warning naming the line.
 */
export function parseJournal(buf: Buffer, file: string, options: { skipCorrupt?: boolean } = {}): JournalRead {
  const events: PhanesEvent[] = [];
  const warnings: string[] = [];
  let start = 0;
  let line = 0;
  while (start < buf.length) {
    line++;
    const nl = buf.indexOf(NL, start);
    if (nl === -1) {
      warnings.push(torn(file, line, start, buf.length - start, 'it has no trailing newline'));
      break;
    }
    const isLast = nl === buf.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8', start, nl));
    } catch (err) {
      if (isLast) {
        warnings.push(torn(file, line, start, nl + 1 - start, 'it is not valid JSON'));
        break;
      }
      const error = corrupt(file, line, `invalid JSON (${(err as Error).message})`, err);
      if (!options.skipCorrupt) throw error;
      warnings.push(`${error.message}; skipped it`);
      start = nl + 1;
      continue;
    }
    const checked = checkEvent(value);
    if ('problem' in checked) {
      if (!options.skipCorrupt) throw corrupt(file, line, checked.problem);
      warnings.push(`${corrupt(file, line, checked.problem).message}; skipped it`);
    } else events.push(checked.event);
    start = nl + 1;
  }
  return { events, warnings, bytes: buf.length };
}

/** Where the torn tail starts (byte offset), or undefined when the journal ends in a complete, valid line. */
export function tornTailStart(buf: Buffer): number | undefined {
  if (buf.length === 0) return undefined;
  if (buf[buf.length - 1] !== NL) return buf.lastIndexOf(NL) + 1;
  // Ends in a newline, but the last line may still be garbage (e.g. zeros after a crash): check it.
  // lastIndexOf with a negative offset counts from the end, so guard the one-byte file.
  const start = buf.length >= 2 ? buf.lastIndexOf(NL, buf.length - 2) + 1 : 0;
  try {
    JSON.parse(buf.toString('utf8', start, buf.length - 1));
    return undefined;
  } catch {
    return start;
  }
}

function torn(file: string, line: number, offset: number, length: number, why: string): string {
  return (
    `${file}: skipped a torn last line ${line} at byte offset ${offset} (${length} bytes): ${why}. ` +
    'A crash interrupted a write; the next apply or rollback moves it to torn/.'
  );
}

function corrupt(file: string, line: number, problem: string, cause?: unknown): StateError {
  return new StateError(`${file}:${line}: corrupt journal line: ${problem}`, {
    file,
    line,
    cause,
    suggestion: `Restore ${file} from a backup, or fix line ${line} by hand; Phanes never edits the journal.`,
  });
}
