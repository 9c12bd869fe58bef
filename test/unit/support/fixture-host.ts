import type { FileStat, Host, ReadOptions, RunOptions, RunResult } from '../../../src/host/host.js';

/** The entries of `dir` among a fake host's paths (files and the directories above them), or null when none is under it. */
export function entriesOf(paths: Iterable<string>, dir: string, isDir = false): string[] | null {
  const names = new Set<string>();
  for (const p of paths) if (p.startsWith(`${dir}/`)) names.add(p.slice(dir.length + 1).split('/')[0]!);
  return names.size || isDir ? [...names].sort() : null;
}

/** A fake file's bytes, cut to `maxBytes` as a real host would read them. */
export const head = (content: Buffer, options: ReadOptions = {}): Buffer => (options.maxBytes === undefined ? content : content.subarray(0, options.maxBytes));

export interface FixtureFile {
  content?: string | Buffer;
  mode?: number;
  owner?: string;
  group?: string;
  link?: string;
  dir?: boolean;
  /** Last modification, epoch ms. */
  mtimeMs?: number;
}

export interface FixtureFacts {
  files?: Record<string, FixtureFile>;
  /** Answers for read-only commands, matched on the joined argv. */
  commands?: { match: RegExp; stdout?: string; exitCode?: number }[];
}

/** A host whose facts are fixtures; it records every command so tests can assert them (pyinfra style). */
export class FixtureHost implements Host {
  readonly name = 'fixture';
  readonly readOnly = false;
  readonly queries: string[] = [];
  readonly runs: string[] = [];
  constructor(private readonly facts: FixtureFacts) {}

  async query(argv: readonly string[], _options?: RunOptions): Promise<RunResult> {
    const cmd = argv.join(' ');
    this.queries.push(cmd);
    const hit = this.facts.commands?.find((c) => c.match.test(cmd));
    return { stdout: hit?.stdout ?? '', stderr: '', exitCode: hit ? (hit.exitCode ?? 0) : 1 };
  }
  async run(argv: readonly string[]): Promise<RunResult> {
    this.runs.push(argv.join(' '));
    return { stdout: '', stderr: '', exitCode: 0 };
  }
  async readFiles(paths: readonly string[], options?: ReadOptions): Promise<Map<string, Buffer | null>> {
    return new Map(paths.map((p) => {
      const f = this.facts.files?.[p];
      return [p, f && f.content !== undefined ? head(Buffer.from(f.content), options) : null];
    }));
  }
  async listDirs(paths: readonly string[]): Promise<Map<string, string[] | null>> {
    return new Map(paths.map((p) => [p, entriesOf(Object.keys(this.facts.files ?? {}), p, this.facts.files?.[p]?.dir === true)]));
  }
  async statFiles(paths: readonly string[]): Promise<Map<string, FileStat | null>> {
    return new Map(paths.map((p): [string, FileStat | null] => {
      const f = this.facts.files?.[p];
      if (!f) return [p, null];
      return [p, {
        mode: f.mode ?? (f.dir ? 0o755 : 0o644), owner: f.owner ?? 'root', group: f.group ?? f.owner ?? 'root',
        size: f.content?.length ?? 0, isSymlink: f.link !== undefined, isDirectory: f.dir === true,
        ...(f.link !== undefined ? { linkTarget: f.link } : {}), ...(f.mtimeMs !== undefined ? { mtimeMs: f.mtimeMs } : {}),
      }];
    }));
  }
  async writeFile(path: string): Promise<void> { this.runs.push(`write ${path}`); }
  async removeFile(path: string): Promise<void> { this.runs.push(`rm ${path}`); }
  async symlink(target: string, path: string): Promise<void> { this.runs.push(`ln -s ${target} ${path}`); }
  async mkdir(path: string): Promise<void> { this.runs.push(`mkdir ${path}`); }
  async chmod(path: string, mode: number): Promise<void> { this.runs.push(`chmod ${mode.toString(8)} ${path}`); }
  async chown(path: string, owner: string, group: string): Promise<void> { this.runs.push(`chown ${owner}:${group} ${path}`); }
}
