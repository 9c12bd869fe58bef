import { RefusedError } from '../errors.js';
import type { FileStat, Host, RunOptions, RunResult } from './host.js';

/** Plan's host: reads pass through to the real host, every write is refused. */
export class ReadOnlyHost implements Host {
  readonly readOnly = true;
  readonly name: string;
  constructor(private readonly inner: Host) {
    this.name = inner.name;
  }

  query(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return this.inner.query(argv, options);
  }
  readFiles(paths: readonly string[]): Promise<Map<string, Buffer | null>> {
    return this.inner.readFiles(paths);
  }
  statFiles(paths: readonly string[]): Promise<Map<string, FileStat | null>> {
    return this.inner.statFiles(paths);
  }
  run(argv: readonly string[]): Promise<RunResult> {
    return refuse(argv.join(' '));
  }
  writeFile(path: string): Promise<void> {
    return refuse(`write ${path}`);
  }
  removeFile(path: string): Promise<void> {
    return refuse(`remove ${path}`);
  }
  symlink(_target: string, path: string): Promise<void> {
    return refuse(`symlink ${path}`);
  }
  mkdir(path: string): Promise<void> {
    return refuse(`mkdir ${path}`);
  }
  chmod(path: string): Promise<void> {
    return refuse(`chmod ${path}`);
  }
  chown(path: string): Promise<void> {
    return refuse(`chown ${path}`);
  }
}

async function refuse(what: string): Promise<never> {
  throw new RefusedError(`plan tried to change the host (${what}); this is a bug in Phanes`, {
    suggestion: 'report it; nothing was changed',
  });
}
