import type { ModuleResult, Summary } from '../../state/events.js';
import { ConfigError, PhanesError, StepFailedError } from '../errors.js';
import type { DriftItem, Reporter, StepReport } from './reporter.js';

/** NDJSON: one object per line, each with a `type`; commands end with a `summary` object. */
export class JsonReporter implements Reporter {
  constructor(private readonly out: NodeJS.WritableStream) {}

  private emit(type: string, data: object): void {
    this.out.write(`${JSON.stringify({ type, ...data })}\n`);
  }

  runStart(info: object): void {
    this.emit('run', info);
  }
  moduleStart(module: string, description: string): void {
    this.emit('module', { module, description });
  }
  step(s: StepReport): void {
    this.emit('step', s);
  }
  moduleEnd(module: string, result: ModuleResult, counts: Summary, durationMs: number, note?: string): void {
    this.emit('moduleResult', { module, result, ...counts, durationMs, ...(note ? { note } : {}) });
  }
  summary(n: Summary, durationMs: number, dryRun: boolean): void {
    this.emit('summary', { changed: n.changed, unchanged: n.unchanged, skipped: n.skipped, failed: n.failed, durationMs, dryRun });
  }
  info(message: string): void {
    this.emit('info', { message });
  }
  warn(message: string): void {
    this.emit('warning', { message });
  }
  record(type: string, data: Record<string, unknown>): void {
    this.emit(type, data);
  }
  drift(items: DriftItem[], checked: number): void {
    for (const d of items) this.emit('drift', d);
    this.emit('summary', { checked, drifted: items.length, inSync: items.length === 0 });
  }
  error(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.emit('error', {
      message,
      ...(error instanceof PhanesError && error.suggestion ? { suggestion: error.suggestion } : {}),
      ...(error instanceof ConfigError ? { issues: error.issues } : {}),
      ...(error instanceof StepFailedError ? { module: error.module, resource: error.resource } : {}),
    });
  }
}
