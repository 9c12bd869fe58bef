import { defaultStateDir } from '../../state/dir.js';
import { ReportedFailure } from '../errors.js';
import { HumanReporter } from '../report/human.js';
import { JsonReporter } from '../report/json.js';
import type { Reporter } from '../report/reporter.js';

/** The streams and environment a command runs with (clipanion's context has these). */
export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** What every action gets: the one reporter it writes through, the state dir, and the streams. */
export interface CommandIO extends Streams {
  reporter: Reporter;
  stateDir: string;
}

/** The options every command shares (`--json`, `--state-dir`). */
export interface SharedOptions {
  json: boolean;
  stateDir?: string | undefined;
}

function reporterFor(json: boolean, streams: Streams): Reporter {
  return json ? new JsonReporter(streams.stdout) : new HumanReporter({ out: streams.stdout, err: streams.stderr }, streams.env);
}

export function commandIO(options: SharedOptions, streams: Streams): CommandIO {
  return {
    stdout: streams.stdout, stderr: streams.stderr, env: streams.env,
    reporter: reporterFor(options.json, streams),
    stateDir: options.stateDir ?? defaultStateDir(streams.env),
  };
}

/**
 * A command threw: report it unless it already was, and give the exit code (main.ts sets it).
 * In JSON mode the last line is still a summary, because scripts read the last line.
 */
export function reportFailure(failure: unknown, json: boolean, streams: Streams): number {
  if (failure instanceof ReportedFailure) return failure.exitCode;
  const reporter = reporterFor(json, streams);
  reporter.error(failure);
  if (json) reporter.record('summary', { ok: false, changed: 0, unchanged: 0, skipped: 0, failed: 0, durationMs: 0 }, '');
  return 1;
}
