import type { FileStat, Host, ReadOptions, RunOptions, RunResult, WriteFileOptions } from './host.js';

/** A host that passes everything to another one; subclasses override what they guard (writes, apt). */
export class HostWrapper implements Host {
  readonly name: string;
  readonly readOnly: boolean;
  constructor(protected readonly inner: Host) {
    this.name = inner.name;
    this.readOnly = inner.readOnly;
  }

  query(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return this.inner.query(argv, options);
  }
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return this.inner.run(argv, options);
  }
  readFiles(paths: readonly string[], options?: ReadOptions): Promise<Map<string, Buffer | null>> {
    return this.inner.readFiles(paths, options);
  }
  listDirs(paths: readonly string[]): Promise<Map<string, string[] | null>> {
    return this.inner.listDirs(paths);
  }
  statFiles(paths: readonly string[]): Promise<Map<string, FileStat | null>> {
    return this.inner.statFiles(paths);
  }
  writeFile(path: string, content: Buffer | string, options?: WriteFileOptions): Promise<void> {
    return this.inner.writeFile(path, content, options);
  }
  removeFile(path: string): Promise<void> {
    return this.inner.removeFile(path);
  }
  symlink(target: string, path: string): Promise<void> {
    return this.inner.symlink(target, path);
  }
  mkdir(path: string, options?: WriteFileOptions): Promise<void> {
    return this.inner.mkdir(path, options);
  }
  chmod(path: string, mode: number): Promise<void> {
    return this.inner.chmod(path, mode);
  }
  chown(path: string, owner: string, group: string): Promise<void> {
    return this.inner.chown(path, owner, group);
  }
}
