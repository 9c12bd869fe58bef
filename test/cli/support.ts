import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BUNDLE = resolve(import.meta.dirname, '../../dist/phanes.cjs');

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run the built CLI as a user would, in `cwd`, with a private state dir and no colour. */
export function phanes(args: string[], opts: { cwd?: string; env?: Record<string, string>; bundle?: string } = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [opts.bundle ?? BUNDLE, ...args], { cwd: opts.cwd ?? tempDir(), env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...opts.env } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ stdout, stderr, code });
    });
  });
}

const made: string[] = [];
/** A private directory under the system temp dir, removed when the test process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'phanes-cli-'));
  made.push(dir);
  return dir;
}
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Parse NDJSON output, failing loudly on a line that is not JSON. */
export function ndjson(text: string): Record<string, unknown>[] {
  return text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}
