import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StateError } from './errors.js';
import { ensurePrivateDir, fsyncDir, isErrno, writeAll } from './fsutil.js';

const SHA256 = /^[0-9a-f]{64}$/;

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Content-addressed store at `<stateDir>/blobs/<sha256>`: previous file contents for rollback and diff. */
export class BlobStore {
  readonly dir: string;
  readonly #readOnly: boolean;

  constructor(stateDir: string, options: { readOnly?: boolean } = {}) {
    this.dir = path.join(stateDir, 'blobs');
    this.#readOnly = options.readOnly ?? false;
  }

  /** Stores `data` (atomically, mode 0600) and returns its sha256. Storing the same content twice is a no-op. */
  put(data: Buffer | string): string {
    if (this.#readOnly) throw new StateError(`the state store was opened read-only; cannot write to ${this.dir}`);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const sha = sha256(buf);
    if (this.#intact(sha)) return sha;
    ensurePrivateDir(this.dir);
    const tmp = path.join(this.dir, `.${sha}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.fchmodSync(fd, 0o600); // the umask may only remove bits, but be exact
      writeAll(fd, buf);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.path(sha));
    fsyncDir(this.dir);
    return sha;
  }

  /** The blob's content, checked against its hash. Throws StateError if it is missing or corrupt. */
  get(sha: string): Buffer {
    const file = this.path(sha);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) {
        throw new StateError(`blob ${sha} is missing from ${this.dir}`, {
          file,
          cause: err,
          suggestion: 'The recorded content is lost; restore the state directory from a backup, or use --force.',
        });
      }
      throw err;
    }
    const actual = sha256(buf);
    if (actual !== sha) {
      throw new StateError(`blob ${file} is corrupt: its content hashes to ${actual}`, {
        file,
        suggestion: 'Restore the state directory from a backup; Phanes will not use a corrupt blob.',
      });
    }
    return buf;
  }

  has(sha: string): boolean {
    return SHA256.test(sha) && fs.existsSync(path.join(this.dir, sha));
  }

  path(sha: string): string {
    // The name becomes a path: anything but 64 hex digits could escape the blobs dir.
    if (!SHA256.test(sha)) throw new StateError(`not a sha256: ${JSON.stringify(sha)}`);
    return path.join(this.dir, sha);
  }

  // Dedup only against a blob that is really intact; a corrupt one gets rewritten.
  #intact(sha: string): boolean {
    try {
      return sha256(fs.readFileSync(this.path(sha))) === sha;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    }
  }
}
