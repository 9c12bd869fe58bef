import type { FileStat, Host, ReadOptions, RunOptions, RunResult, WriteFileOptions } from '../../../src/host/host.js';
import { entriesOf, head } from './fixture-host.js';

interface Entry {
  content: Buffer;
  mode: number;
  owner: string;
  group: string;
}

/** A host whose filesystem lives in memory, so the engine's apply, drift and rollback run for real on files. */
export class MemoryHost implements Host {
  readonly name = 'memory';
  readonly readOnly = false;
  readonly files = new Map<string, Entry>();
  readonly runs: string[] = [];
  /** Commands that fail, matched on the joined argv. */
  failing: RegExp[] = [];

  put(path: string, content: string, mode = 0o644): void {
    this.files.set(path, { content: Buffer.from(content), mode, owner: 'root', group: 'root' });
  }
  text(path: string): string | undefined {
    return this.files.get(path)?.content.toString();
  }
  /** Effects of commands on the in-memory files, keyed by the joined argv. */
  effects: Record<string, () => void> = {};

  async query(argv: readonly string[], _o?: RunOptions): Promise<RunResult> {
    // `test -e PATH` is the one read-only command it understands, for command-resource checks.
    const exists = argv[0] === 'test' && argv[1] === '-e' && this.files.has(argv[2] ?? '');
    return { stdout: '', stderr: '', exitCode: exists ? 0 : 1 };
  }
  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const cmd = argv.join(' ');
    this.runs.push(cmd);
    this.effects[cmd]?.();
    const fails = this.failing.some((re) => re.test(cmd));
    if (fails && !options.allowFailure) throw new Error(`${cmd} failed`);
    return { stdout: '', stderr: fails ? 'failed' : '', exitCode: fails ? 1 : 0 };
  }
  async readFiles(paths: readonly string[], options?: ReadOptions): Promise<Map<string, Buffer | null>> {
    return new Map(paths.map((p) => {
      const content = this.files.get(p)?.content;
      return [p, content ? head(content, options) : null];
    }));
  }
  async listDirs(paths: readonly string[]): Promise<Map<string, string[] | null>> {
    return new Map(paths.map((p) => [p, entriesOf(this.files.keys(), p)]));
  }
  async statFiles(paths: readonly string[]): Promise<Map<string, FileStat | null>> {
    return new Map(paths.map((p): [string, FileStat | null] => {
      const f = this.files.get(p);
      return [p, f ? { mode: f.mode, owner: f.owner, group: f.group, size: f.content.length, isSymlink: false, isDirectory: false } : null];
    }));
  }
  async writeFile(path: string, content: Buffer | string, o: WriteFileOptions = {}): Promise<void> {
    this.files.set(path, { content: Buffer.from(content), mode: o.mode ?? 0o644, owner: o.owner ?? 'root', group: o.group ?? o.owner ?? 'root' });
  }
  async removeFile(path: string): Promise<void> {
    this.files.delete(path);
  }
  async symlink(): Promise<void> {}
  async mkdir(): Promise<void> {}
  async chmod(path: string, mode: number): Promise<void> {
    const f = this.files.get(path);
    if (f) f.mode = mode;
  }
  async chown(path: string, owner: string, group: string): Promise<void> {
    const f = this.files.get(path);
    if (f) Object.assign(f, { owner, group });
  }
}
