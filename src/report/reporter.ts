import type { ModuleResult, Summary } from '../../state/events.js';

export type StepStatus = 'changed' | 'planned' | 'unchanged' | 'skipped' | 'failed';

export interface StepReport {
  module: string;
  key: string;
  label: string;
  status: StepStatus;
  /** What changed or would change, one line each. */
  changes: string[];
  /** A unified diff (files), secrets already redacted. */
  diff?: string;
  reason?: string;
  error?: string;
}

export interface DriftItem {
  module: string;
  key: string;
  label: string;
  /** `drifted`: differs from what Phanes recorded; `pending`: a change was interrupted; `failed`: the last change failed. */
  state: 'drifted' | 'pending' | 'failed';
  changes: string[];
  diff?: string;
  /** The likely cause: a package upgrade (from dpkg's log) or a change outside Phanes (with the mtime). */
  cause?: string;
}

/**
 * The only way Phanes writes to the terminal. `human` prints coloured lines; `json` prints one
 * object per line with the summary last.
 */
export interface Reporter {
  runStart(info: { command: string; modules: string[]; profile?: string; dryRun: boolean; host: string; configFile?: string }): void;
  moduleStart(module: string, description: string): void;
  step(step: StepReport): void;
  moduleEnd(module: string, result: ModuleResult, counts: Summary, durationMs: number, note?: string): void;
  summary(summary: Summary, durationMs: number, dryRun: boolean): void;
  info(message: string): void;
  warn(message: string): void;
  /** Free-form records for list, log, status, validate… (`type` names the record). */
  record(type: string, data: Record<string, unknown>, human: string): void;
  drift(items: DriftItem[], checked: number): void;
  error(error: unknown): void;
}
