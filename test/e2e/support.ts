// Shared pieces of the Phanes scenarios: a login key, a config file, and the checks every scenario repeats.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { phanes, type LabHost } from './harness/index.js';

export interface LoginKey {
  privatePath: string;
  publicLine: string;
  cleanup(): void;
}

/** A fresh ed25519 key pair on this machine, for the user Phanes creates in the host. */
export async function makeLoginKey(comment = 'phanes-e2e'): Promise<LoginKey> {
  const dir = mkdtempSync(join(tmpdir(), 'phanes-key-'));
  const privatePath = join(dir, 'id_ed25519');
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', privatePath]);
  return { privatePath, publicLine: readFileSync(`${privatePath}.pub`, 'utf8').trim(), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write a config into the host and return its path there. */
export async function writeConfig(host: LabHost, yaml: string, path = '/root/config.yaml'): Promise<string> {
  await host.writeFile(path, yaml, 0o600);
  return path;
}

/** Run phanes in the host and fail with its whole output when the exit code is not the expected one. */
export async function expectPhanes(host: LabHost, args: string[], exitCode = 0): Promise<string> {
  const r = await phanes(host, args, { reject: false, timeoutMs: 20 * 60_000 });
  assert.equal(r.exitCode, exitCode, `phanes ${args.join(' ')} exited ${r.exitCode}, expected ${exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r.stdout;
}

/** The numbers of apply's `Summary:` line. */
export function summaryOf(stdout: string): { changed: number; unchanged: number; skipped: number; failed: number } {
  const m = /^Summary: (\d+) changed, (\d+) unchanged, (\d+) skipped, (\d+) failed/m.exec(stdout);
  assert.ok(m, `no Summary line in:\n${stdout}`);
  return { changed: Number(m[1]), unchanged: Number(m[2]), skipped: Number(m[3]), failed: Number(m[4]) };
}

/** sha256 of each path in the host ('absent' when missing), to prove byte-for-byte restores. */
export async function fingerprints(host: LabHost, paths: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of paths) {
    const r = await host.exec(['sh', '-c', `if [ -L "$1" ]; then echo "link:$(readlink "$1")"; elif [ -e "$1" ]; then sha256sum "$1" | cut -d' ' -f1; else echo absent; fi`, 'sh', p]);
    out[p] = r.stdout.trim();
  }
  return out;
}
