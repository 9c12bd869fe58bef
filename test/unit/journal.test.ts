import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { PhanesEvent } from '../../state/events.js';
import { StateError } from '../../state/errors.js';
import { Journal } from '../../state/journal.js';
import { tempDirs } from './support/temp-dirs.js';

const tmpStateDir = tempDirs('phanes-journal-');

const started = (runId: string, extra: Record<string, string> = {}): PhanesEvent => ({
  type: 'RunStarted',
  data: { runId, at: '2025-01-01T00:00:00.000Z', command: 'apply', modules: ['user'], version: '0.1.0', hostname: 'h', ...extra },
});

function journalWith(...events: PhanesEvent[]): Journal {
  const j = new Journal(tmpStateDir());
  for (const e of events) j.append(e);
  j.close();
  return j;
}

describe('journal', () => {
  it('reads back what was appended, in order', () => {
    const j = journalWith(started('r1'), started('r2'), started('r3'));
    const { events, warnings } = j.read();
    assert.deepEqual(events.map((e) => (e.type === 'RunStarted' ? e.data.runId : '')), ['r1', 'r2', 'r3']);
    assert.deepEqual(warnings, []);
  });

  it('writes each event as one full line ending in a newline', () => {
    const j = journalWith(started('r1'), started('r2'));
    const text = fs.readFileSync(j.path, 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.split('\n').slice(0, -1);
    assert.equal(lines.length, 2);
    for (const line of lines) assert.equal(JSON.parse(line).type, 'RunStarted');
  });

  it('creates the journal file with mode 0600', () => {
    const j = journalWith(started('r1'));
    assert.equal(fs.statSync(j.path).mode & 0o777, 0o600);
  });

  it('reads a missing journal as empty', () => {
    const j = new Journal(path.join(tmpStateDir(), 'nope'));
    assert.deepEqual(j.read(), { events: [], warnings: [], bytes: 0 });
  });

  it('skips a torn last line with a warning naming its byte offset', () => {
    const j = journalWith(started('r1'));
    const offset = fs.statSync(j.path).size;
    fs.appendFileSync(j.path, '{"type":"RunStarted","data":{"ru');
    const { events, warnings } = j.read();
    assert.equal(events.length, 1);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', new RegExp(`byte offset ${offset}\\b`));
  });

  it('skips a last line that ends in a newline but is not JSON (zeros after a crash)', () => {
    const j = journalWith(started('r1'));
    fs.appendFileSync(j.path, '\0\0\0\0\n');
    const { events, warnings } = j.read();
    assert.equal(events.length, 1);
    assert.match(warnings[0] ?? '', /torn last line 2/);
  });

  it('treats a corrupt line in the middle as a StateError with its line number and file', () => {
    const j = journalWith(started('r1'));
    fs.appendFileSync(j.path, 'garbage\n');
    fs.appendFileSync(j.path, `${JSON.stringify(started('r3'))}\n`);
    assert.throws(() => j.read(), (err: unknown) => {
      assert.ok(err instanceof StateError);
      assert.equal(err.line, 2);
      assert.equal(err.file, j.path);
      assert.match(err.message, /journal\.jsonl:2: corrupt journal line/);
      return true;
    });
  });

  it('rejects a line whose event type is unknown or whose data is not an object', () => {
    for (const bad of ['{"type":"Nope","data":{}}', '{"type":"RunStarted","data":[]}', '{"data":{}}']) {
      const j = journalWith(started('r1'));
      fs.appendFileSync(j.path, `${bad}\n${JSON.stringify(started('r2'))}\n`);
      assert.throws(() => j.read(), /:2: corrupt journal line/);
    }
  });

  it('repairTornTail moves the torn bytes to torn/ and later appends read fine', () => {
    const j = journalWith(started('r1'));
    const torn = '{"type":"RunStarted","da';
    fs.appendFileSync(j.path, torn);
    const warning = j.repairTornTail();
    assert.match(warning ?? '', /torn line/);
    const tornDir = path.join(j.dir, 'torn');
    const files = fs.readdirSync(tornDir);
    assert.equal(files.length, 1);
    assert.equal(fs.readFileSync(path.join(tornDir, files[0] ?? ''), 'utf8'), torn);
    assert.equal(fs.statSync(tornDir).mode & 0o777, 0o700);

    j.append(started('r2'));
    j.close();
    const { events, warnings } = j.read();
    assert.deepEqual(warnings, []);
    assert.equal(events.length, 2);
  });

  it('repairTornTail on a clean journal does nothing', () => {
    const j = journalWith(started('r1'));
    assert.equal(j.repairTornTail(), undefined);
    assert.equal(fs.existsSync(path.join(j.dir, 'torn')), false);
  });

  it('refuses to append after a torn line that was not repaired, instead of gluing two events', () => {
    const j = journalWith(started('r1'));
    fs.appendFileSync(j.path, '{"type":"Ru');
    assert.throws(() => j.append(started('r2')), /repairTornTail/);
  });

  it('redacts secrets, including ones with a quote or a backslash, and ignores empty ones', () => {
    const secrets = ['hunter2', 'pa"ss', 'back\\slash', ''];
    const j = new Journal(tmpStateDir(), { secrets });
    j.append(started('r1', { profile: 'x hunter2 y pa"ss back\\slash z', configSha256: 'abc' }));
    j.close();
    const raw = fs.readFileSync(j.path, 'utf8');
    for (const s of ['hunter2', 'pa\\"ss', 'back\\\\slash', 'pa"ss']) assert.ok(!raw.includes(s), `${s} leaked`);
    const [e] = j.read().events;
    assert.equal(e?.type === 'RunStarted' && e.data.profile, 'x <redacted> y <redacted> <redacted> z');
    assert.equal(e?.type === 'RunStarted' && e.data.configSha256, 'abc');
  });

  it('redacts the longest secret first, so a secret containing another leaves nothing behind', () => {
    const j = new Journal(tmpStateDir(), { secrets: ['abc', 'abcdef'] });
    j.append(started('r1', { profile: 'abcdef' }));
    const [e] = j.read().events;
    assert.equal(e?.type === 'RunStarted' && e.data.profile, '<redacted>');
  });

  it('redacts secrets inside nested snapshots, keys included', () => {
    const j = new Journal(tmpStateDir(), { secrets: ['s3cret'] });
    j.append({
      type: 'ChangeIntended',
      data: {
        module: 'user', key: 'user:deploy', kind: 'user', id: 'deploy', label: 'user deploy', runId: 'r1', seq: 1,
        at: '2025-01-01T00:00:00.000Z', reason: 'create', summary: 'set password s3cret',
        before: { env: { s3cret: ['x-s3cret-y'] } }, desired: { password: 's3cret' },
      },
    });
    assert.ok(!fs.readFileSync(j.path, 'utf8').includes('s3cret'));
  });

  it('never redacts the event type or field names, so every line reads back', () => {
    const j = new Journal(tmpStateDir(), { secrets: ['Run', 'runId', 'data'] });
    j.append(started('r1'));
    const [e] = j.read().events;
    assert.equal(e?.type, 'RunStarted');
    assert.equal(e?.type === 'RunStarted' && e.data.runId, 'r1');
  });

  it('a read-only journal refuses to append', () => {
    const j = new Journal(tmpStateDir(), { readOnly: true });
    assert.throws(() => j.append(started('r1')), StateError);
  });
});
