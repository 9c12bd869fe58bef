import { execa } from 'execa';
import { appendFileSync, constants as fsc } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fsyncDir, processExists } from '../../state/fsutil.js';
import { redactText } from '../../state/redact.js';
import { HostError } from '../errors.js';
import type { FileStat, Host, ReadOptions, RunOptions, RunResult, WriteFileOptions } from './host.js';
import { ownerNames } from './owners.js';
import { suggestFor } from './suggest.js';
import { sinceStart, traceSpawn } from './trace.js';

/** The machine Phanes runs on: commands through execa, files through fs. */
export class LocalHost implements Host {
  readonly name = 'local';
  readonly readOnly = false;

  async query(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return exec(argv, options);
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return exec(argv, options);
  }

  async readFiles(paths: readonly string[], options: ReadOptions = {}): Promise<Map<string, Buffer | null>> {
    const read = options.maxBytes === undefined ? (p: string) => fs.readFile(p) : (p: string) => readHead(p, options.maxBytes!);
    const entries = await Promise.all(paths.map(async (p) => [p, await read(p).catch(missingAsNull)] as const));
    return new Map(entries);
  }

  async listDirs(paths: readonly string[]): Promise<Map<string, string[] | null>> {
    return new Map(await Promise.all(paths.map(async (p) => [p, await fs.readdir(p).catch(missingAsNull)] as const)));
  }

  async statFiles(paths: readonly string[]): Promise<Map<string, FileStat | null>> {
    const names = await ownerNames();
    const entries = await Promise.all(
      paths.map(async (p): Promise<[string, FileStat | null]> => {
        const st = await fs.lstat(p).catch(missingAsNull);
        if (!st) return [p, null];
        const link = st.isSymbolicLink() ? await fs.readlink(p) : undefined;
        return [p, {
          mode: st.mode & 0o7777,
          owner: names.user(st.uid),
          group: names.group(st.gid),
          size: st.size,
          isSymlink: st.isSymbolicLink(),
          isDirectory: st.isDirectory(),
          mtimeMs: st.mtimeMs,
          ...(link !== undefined ? { linkTarget: link } : {}),
        }];
      }),
    );
    return new Map(entries);
  }

  async writeFile(file: string, content: Buffer | string, options: WriteFileOptions = {}): Promise<void> {
    // Write beside the target, fsync, rename, fsync the directory: a crash leaves the old file or the new one.
    const tmp = await freshTemp(file);
    const handle = await fs.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC, options.mode ?? 0o644);
    try {
      await handle.writeFile(content);
      await handle.chmod(options.mode ?? 0o644);
      if (options.owner || options.group) {
        const ids = await ownerNames();
        await handle.chown(ids.uid(options.owner ?? 'root'), ids.gid(options.group ?? options.owner ?? 'root'));
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
    fsyncDir(path.dirname(file));
  }

  async removeFile(file: string): Promise<void> {
    await fs.rm(file, { force: true });
  }

  async symlink(target: string, file: string): Promise<void> {
    const tmp = await freshTemp(file);
    await fs.symlink(target, tmp);
    await fs.rename(tmp, file);
    fsyncDir(path.dirname(file));
  }

  async mkdir(dir: string, options: WriteFileOptions = {}): Promise<void> {
    await fs.mkdir(dir, { mode: options.mode ?? 0o755 });
    await fs.chmod(dir, options.mode ?? 0o755);
    if (options.owner || options.group) await this.chown(dir, options.owner ?? 'root', options.group ?? options.owner ?? 'root');
  }

  async chmod(file: string, mode: number): Promise<void> {
    await fs.chmod(file, mode);
  }

  async chown(file: string, owner: string, group: string): Promise<void> {
    const ids = await ownerNames();
    await fs.lchown(file, ids.uid(owner), ids.gid(group));
  }
}

const TEMP_TAG = '.phanes-';

/**
 * The temp name for replacing `file`, `.<name>.phanes-<pid>`. Temps a killed Phanes left beside it
 * (their pid no longer runs) are removed first, so a crash leaves no stray files in /etc.
 */
async function freshTemp(file: string): Promise<string> {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}${TEMP_TAG}`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : NaN;
    if (Number.isInteger(pid) && (pid === process.pid || !processExists(pid))) await fs.rm(path.join(dir, name), { force: true });
  }
  return path.join(dir, `${prefix}${process.pid}`);
}

/** The first `max` bytes of a file (fewer when it is shorter). */
async function readHead(file: string, max: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await handle.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

// Unreadable counts as absent too: a plan run as a normal user cannot read /etc/shadow.
function missingAsNull(error: NodeJS.ErrnoException): null {
  if (error.code === 'ENOENT' || error.code === 'ENOTDIR' || error.code === 'EACCES') return null;
  throw error;
}

async function exec(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('empty command');
  // PHANES_ARGV_TRACE=<file>: every argv Phanes runs, raw (PHANES_TRACE's timings are redacted), one JSON
  // array a line: an audit of what reached a process's command line, which any user can read in /proc.
  const argvTrace = process.env.PHANES_ARGV_TRACE;
  if (argvTrace) appendFileSync(argvTrace, `${JSON.stringify(argv)}\n`, { mode: 0o600 });
  const started = sinceStart();
  const result = await execa(file, args, {
    reject: false,
    input: options.input ?? '',
    env: { LC_ALL: 'C.UTF-8', DEBIAN_FRONTEND: 'noninteractive', ...options.env },
    timeout: options.timeoutMs,
    stripFinalNewline: false,
  });
  const exitCode = result.exitCode ?? -1;
  traceSpawn(argv, started, exitCode, options.secrets);
  const out: RunResult = { stdout: String(result.stdout), stderr: String(result.stderr), exitCode };
  if (exitCode !== 0 && !options.allowFailure) {
    throw hostError(argv, result.exitCode, result.failed && result.exitCode === undefined ? (result.message ?? '') : out.stderr, options);
  }
  return out;
}

/** The error for a failed command: the command and its stderr tail (secrets masked) and a suggested fix. */
export function hostError(argv: readonly string[], exitCode: number | undefined, stderr: string, options: RunOptions = {}): HostError {
  const secrets = options.secrets ?? [];
  return new HostError(redactText(argv.join(' '), secrets), exitCode, redactText(stderr, secrets), { suggestion: suggestFor(argv, stderr) });
}
