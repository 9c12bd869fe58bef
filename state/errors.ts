import { PhanesError } from '../src/errors.js';

/** The state directory is unreadable or damaged: a corrupt journal line, a missing or corrupt blob. */
export class StateError extends PhanesError {
  /** The file at fault, when there is one. */
  readonly file: string | undefined;
  /** 1-based line in `file`, for journal errors. */
  readonly line: number | undefined;
  constructor(
    message: string,
    options: { file?: string; line?: number; suggestion?: string; cause?: unknown } = {},
  ) {
    super(message, { suggestion: options.suggestion, cause: options.cause });
    this.file = options.file;
    this.line = options.line;
  }
}
