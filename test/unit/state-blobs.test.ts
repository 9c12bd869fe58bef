import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { BlobStore, sha256 } from '../../state/blobs.js';
import { StateError } from '../../state/errors.js';
import { tempDirs } from './support/temp-dirs.js';

const tmpDir = tempDirs('phanes-blobs-');
const blobStore = (): BlobStore => new BlobStore(tmpDir());

describe('blob store', () => {
  it('stores content under its sha256 and gives it back', () => {
    const blobs = blobStore();
    const sha = blobs.put(Buffer.from('PermitRootLogin no\n'));
    assert.equal(sha, sha256('PermitRootLogin no\n'));
    assert.equal(blobs.has(sha), true);
    assert.equal(blobs.get(sha).toString(), 'PermitRootLogin no\n');
  });

  it('creates the blobs dir 0700 and each blob 0600', () => {
    const blobs = blobStore();
    const sha = blobs.put('secret-ish config');
    assert.equal(fs.statSync(blobs.dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(blobs.path(sha)).mode & 0o777, 0o600);
  });

  it('stores the same content once', () => {
    const blobs = blobStore();
    assert.equal(blobs.put('same'), blobs.put(Buffer.from('same')));
    assert.deepEqual(fs.readdirSync(blobs.dir), [sha256('same')]);
  });

  it('detects a corrupt blob on get, and put repairs it', () => {
    const blobs = blobStore();
    const sha = blobs.put('original');
    fs.writeFileSync(blobs.path(sha), 'tampered');
    assert.throws(() => blobs.get(sha), (err: unknown) => err instanceof StateError && /corrupt/.test(err.message));
    blobs.put('original');
    assert.equal(blobs.get(sha).toString(), 'original');
  });

  it('reports a missing blob as a StateError', () => {
    const blobs = blobStore();
    assert.equal(blobs.has(sha256('never stored')), false);
    assert.throws(() => blobs.get(sha256('never stored')), (err: unknown) => err instanceof StateError && /missing/.test(err.message));
  });

  it('refuses a name that is not a sha256, so it cannot escape the blobs dir', () => {
    const blobs = blobStore();
    assert.equal(blobs.has('../journal.jsonl'), false);
    assert.throws(() => blobs.get('../journal.jsonl'), /not a sha256/);
  });
});
