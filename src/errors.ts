/** Base of every error Phanes throws on purpose; main.ts maps these to exit codes. */
export class PhanesError extends Error {
  /** One line telling the user what to do about it. */
  readonly suggestion: string | undefined;
  constructor(message: string, options: { suggestion?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.suggestion = options.suggestion;
  }
}

export interface ConfigIssue {
  /** Key path such as `security.ssh_port` (empty for the document root). */
  path: string;
  /** 1-based line and column in the YAML file, when known. */
  line?: number;
  column?: number;
  message: string;
  suggestion?: string;
}

/** A bad config file: carries every issue found, each with its key path and line. */
export class ConfigError extends PhanesError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string | undefined;
  constructor(issues: ConfigIssue[], file?: string) {
    super(ConfigError.render(issues, file), { suggestion: issues[0]?.suggestion });
    this.issues = issues;
    this.file = file;
  }

  static render(issues: ConfigIssue[], file?: string): string {
    const where = file ?? '<config>';
    return issues
      .map((i) => {
        const pos = i.line !== undefined ? `:${i.line}:${i.column ?? 1}` : '';
        const key = i.path === '' ? '(root)' : i.path;
        const fix = i.suggestion ? ` (fix: ${i.suggestion})` : '';
        return `${where}${pos}: ${key}: ${i.message}${fix}`;
      })
      .join('\n');
  }
}

/** A command on the host failed. */
export class HostError extends PhanesError {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly stderrTail: string;
  constructor(
    command: string,
    exitCode: number | undefined,
    stderr: string,
    options: { suggestion?: string; cause?: unknown } = {},
  ) {
    const tail = stderr.trim().split('\n').slice(-5).join('\n');
    super(`\`${command}\` failed with exit code ${exitCode ?? 'unknown'}${tail ? `:\n${tail}` : ''}`, options);
    this.command = command;
    this.exitCode = exitCode;
    this.stderrTail = tail;
  }
}

/** A step failed mid-run: names the module and the resource, and keeps the cause's suggestion (a HostError's fix). */
export class StepFailedError extends PhanesError {
  constructor(readonly module: string, readonly resource: string, message: string, cause: unknown) {
    super(`${module}: ${resource}: ${message}`, { cause, suggestion: cause instanceof PhanesError ? cause.suggestion : undefined });
  }
}

/** Phanes refused to act because acting would be unsafe (lockout, not root, a dry-run host was asked to write). */
export class RefusedError extends PhanesError {}

/** Another run holds the state lock. */
export class LockedError extends PhanesError {}

/** The run failed and has already been reported; main.ts only sets the exit code. */
export class ReportedFailure extends Error {
  constructor(readonly exitCode = 1) {
    super('reported');
  }
}
