import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { fsyncDir, isErrno, writeAll } from './fsutil.js';

/**
 * lowdb's JSON file adapter, made crash-safe: a temp file beside the target (mode 0600 from the
 * start), fsync, rename, fsync of the directory. Temps a killed run left behind are removed first.
 */
export class DurableJSONFile<T> implements Adapter<T> {
  constructor(private readonly file: string) {}

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await fs.promises.readFile(this.file, 'utf8')) as T;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw err;
    }
  }

  async write(data: T): Promise<void> {
    const dir = path.dirname(this.file);
    const prefix = `.${path.basename(this.file)}.`;
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(prefix) && name.endsWith('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
    }
    const tmp = path.join(dir, `${prefix}${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      writeAll(fd, Buffer.from(JSON.stringify(data, null, 2)));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    fsyncDir(dir);
  }
}
