import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { PhanesEvent } from '../../state/events.js';
import { tempDir } from './support.js';

export const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const owner = userInfo().username;

/** A journal as apply would leave it: one run that wrote a file and observed a package, then a torn line. */
export function syntheticState(): { state: string; managed: string } {
  const dir = tempDir();
  const state = join(dir, 'state');
  const managed = join(dir, 'managed.conf');
  mkdirSync(join(state, 'blobs'), { recursive: true, mode: 0o700 });
  writeFileSync(managed, 'PermitRootLogin no\n', { mode: 0o644 });
  writeFileSync(join(state, 'blobs', sha('PermitRootLogin no\n')), 'PermitRootLogin no\n', { mode: 0o600 });
  const ref = { module: 'security', key: `file:${managed}`, kind: 'file', id: managed, label: `file ${managed}` };
  const fileState = { exists: true, sha256: sha('PermitRootLogin no\n'), mode: 0o644, owner, group: userInfo().gid === 0 ? 'root' : String(userInfo().gid) };
  const runId = '11111111-2222-3333-4444-555555555555';
  const at = '2026-11-30T10:00:00.000Z';
  const events: PhanesEvent[] = [
    { type: 'RunStarted', data: { runId, at, command: 'apply', modules: ['security', 'baseline'], version: '0.1.0', hostname: 'lab' } },
    { type: 'ModuleStarted', data: { runId, at, module: 'security' } },
    { type: 'ChangeIntended', data: { ...ref, runId, seq: 1, at, reason: 'create', summary: 'create (0644 root:root)', before: { exists: false }, desired: { exists: true, sha256: fileState.sha256, mode: 0o644 } } },
    { type: 'ChangeApplied', data: { ...ref, runId, seq: 1, at, after: fileState } },
    { type: 'ResourceObserved', data: { module: 'baseline', key: 'package:coreutils', kind: 'package', id: 'coreutils', label: 'package coreutils', runId, at, state: { installed: true, version: '9' }, desired: { installed: true } } },
    { type: 'ModuleFinished', data: { runId, at, module: 'security', result: 'changed', changed: 1, unchanged: 0, skipped: 0, failed: 0, durationMs: 5 } },
    { type: 'RunFinished', data: { runId, at: '2026-11-30T10:00:01.000Z', summary: { changed: 1, unchanged: 1, skipped: 0, failed: 0 }, durationMs: 1000, ok: true } },
  ];
  writeFileSync(join(state, 'journal.jsonl'), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  appendFileSync(join(state, 'journal.jsonl'), '{"type":"RunStarted","data":{"runId":"torn');
  chmodSync(state, 0o700);
  return { state, managed };
}
