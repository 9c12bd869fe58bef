import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { phanes, tempDir } from './support.js';

describe('PHANES_ARGV_TRACE', () => {
  it('appends every argv Phanes runs to the file, one JSON array a line, readable by its owner only', async () => {
    const dir = tempDir();
    const trace = join(dir, 'argv.jsonl');
    const r = await phanes(['plan', '--modules', 'swap', '--state-dir', join(dir, 'state')], { cwd: dir, env: { PHANES_ARGV_TRACE: trace } });
    assert.equal(r.code, 0, r.stderr);
    const argv = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.ok(argv.length > 0);
    for (const a of argv) assert.ok(Array.isArray(a) && a.length > 0 && a.every((s) => typeof s === 'string'), JSON.stringify(a));
    assert.ok(argv.some((a) => (a as string[])[0] === 'systemd-detect-virt'), 'the container check is among them');
    assert.equal(statSync(trace).mode & 0o777, 0o600);
  });
});
