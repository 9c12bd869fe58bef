import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Journal } from '../../state/journal.js';
import { project } from '../../state/projector.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'phanes-perf-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('journal at scale', () => {
  it('appends 10k fsynced events and reads them back', () => {
    const j = new Journal(dir, { secrets: ['s3cret'] });
    const n = 10_000;
    let t = performance.now();
    for (let i = 0; i < n; i++) {
      j.append({
        type: 'ChangeApplied',
        data: {
          module: 'baseline', key: `package:p${i % 500}`, kind: 'package', id: `p${i % 500}`, label: `package p${i % 500}`,
          runId: `r${Math.floor(i / 100)}`, seq: i, at: new Date(1e12 + i).toISOString(), after: { installed: true, version: '1.0' },
        },
      });
    }
    j.close();
    const appendMs = performance.now() - t;
    t = performance.now();
    const { events, warnings } = j.read();
    const readMs = performance.now() - t;
    t = performance.now();
    const state = project(events);
    const foldMs = performance.now() - t;
    console.log(
      `10k events: append+fsync ${appendMs.toFixed(0)} ms, read ${readMs.toFixed(1)} ms ` +
        `(${(fs.statSync(j.path).size / 1e6).toFixed(1)} MB), fold ${foldMs.toFixed(1)} ms`,
    );
    assert.equal(events.length, n);
    assert.deepEqual(warnings, []);
    assert.equal(state.eventCount, n);
  });
});
