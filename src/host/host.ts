/**
 * The host layer: everything Phanes knows about the machine it changes goes through this interface,
 * so LocalHost (execa + fs) and a later SshHost are interchangeable.
 */
export interface RunOptions {
  /** Text written to the command's stdin. */
  input?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Resolve instead of throwing when the exit code is not 0. */
  allowFailure?: boolean;
  /** Secret values to mask in errors built from this command. */
  secrets?: readonly string[];
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface FileStat {
  /** Permission bits, e.g. 0o644. */
  mode: number;
  owner: string;
  group: string;
  size: number;
  isSymlink: boolean;
  isDirectory: boolean;
  /** Target when it is a symlink. */
  linkTarget?: string;
  /** Last modification, epoch milliseconds. */
  mtimeMs?: number;
}

export interface WriteFileOptions {
  mode?: number;
  owner?: string;
  group?: string;
}

export interface ReadOptions {
  /** Read at most this many bytes from the start of each file (a header, not a 2 GB swap file). */
  maxBytes?: number;
}

export interface Host {
  /** A label for output, e.g. `local` or `ssh://root@203.0.113.4`. */
  readonly name: string;
  /** True when writes are refused (plan and dry-run). */
  readonly readOnly: boolean;
  /** Run a read-only command (a fact). Allowed on every host. */
  query(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Run a command that changes the host. Refused on a read-only host. */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Read files in one batch; a missing file maps to null. */
  readFiles(paths: readonly string[], options?: ReadOptions): Promise<Map<string, Buffer | null>>;
  /** List directories in one batch: the entry names, or null when a directory is missing or unreadable. */
  listDirs(paths: readonly string[]): Promise<Map<string, string[] | null>>;
  /** Stat paths in one batch (lstat: symlinks are not followed); a missing path maps to null. */
  statFiles(paths: readonly string[]): Promise<Map<string, FileStat | null>>;
  /** Atomically replace a file (write a temp file beside it, then rename). */
  writeFile(path: string, content: Buffer | string, options?: WriteFileOptions): Promise<void>;
  removeFile(path: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  mkdir(path: string, options?: WriteFileOptions): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  chown(path: string, owner: string, group: string): Promise<void>;
}
