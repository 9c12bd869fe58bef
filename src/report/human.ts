import { Chalk, type ChalkInstance } from 'chalk';
import type { ModuleResult, Summary } from '../../state/events.js';
import { ConfigError, PhanesError } from '../errors.js';
import { useColor } from './color.js';
import type { DriftItem, Reporter, StepReport } from './reporter.js';

export interface Streams {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

const ms = (d: number): string => (d < 1000 ? `${d}ms` : `${(d / 1000).toFixed(1)}s`);
const indent = (text: string, by = '    '): string => text.replace(/\n$/, '').split('\n').map((l) => by + l).join('\n');

/** Coloured lines for people: info cyan, success green, error red, skip yellow. */
export class HumanReporter implements Reporter {
  private readonly c: ChalkInstance;
  private readonly cErr: ChalkInstance;
  constructor(private readonly io: Streams, env: NodeJS.ProcessEnv, private readonly verbose = false) {
    this.c = new Chalk({ level: useColor(io.out, env) ? 2 : 0 });
    this.cErr = new Chalk({ level: useColor(io.err, env) ? 2 : 0 });
  }

  private line(text = ''): void {
    this.io.out.write(`${text}\n`);
  }

  private colorDiff(diff: string): string {
    return diff.replace(/\n$/, '').split('\n').map((l) =>
      l.startsWith('+') && !l.startsWith('+++') ? this.c.green(l)
        : l.startsWith('-') && !l.startsWith('---') ? this.c.red(l)
        : l.startsWith('@@') ? this.c.cyan(l) : this.c.dim(l)).join('\n');
  }

  private dryRun = false;

  runStart(info: { command: string; modules: string[]; profile?: string; dryRun: boolean; host: string; configFile?: string }): void {
    this.dryRun = info.dryRun;
    const what = info.profile ? `profile ${info.profile} (${info.modules.join(', ')})` : `modules ${info.modules.join(', ')}`;
    const mode = info.dryRun ? this.c.yellow(' [dry run: nothing will change]') : '';
    this.line(this.c.cyan(`phanes ${info.command} · ${what} · host ${info.host} · config ${info.configFile ?? 'embedded defaults'}`) + mode);
  }

  moduleStart(module: string, description: string): void {
    this.line(`${this.c.cyan.bold(`▸ ${module}`)} ${this.c.dim(description)}`);
  }

  step(s: StepReport): void {
    if (s.status === 'unchanged' && !this.verbose && !s.reason) return;
    const mark = { changed: this.c.green('✓'), planned: this.c.cyan('~'), unchanged: this.c.dim('='), skipped: this.c.yellow('↷'), failed: this.c.red('✗') }[s.status];
    const what = s.changes.length ? `: ${s.changes.join('; ')}` : '';
    const text = s.status === 'failed' ? this.c.red(`${s.label}${what}`) : s.status === 'skipped' ? this.c.yellow(`${s.label}${what}`) : `${s.label}${this.c.dim(what)}`;
    this.line(`  ${mark} ${text}${s.reason ? this.c.yellow(` (${s.reason})`) : ''}`);
    if (s.error) this.line(this.c.red(indent(s.error)));
    if (s.diff) this.line(indent(this.colorDiff(s.diff)));
  }

  moduleEnd(module: string, result: ModuleResult, n: Summary, durationMs: number, note?: string): void {
    const color = { changed: this.c.green, unchanged: this.c.green, skipped: this.c.yellow, failed: this.c.red }[result];
    const counts = `${n.changed} ${this.dryRun ? 'to change' : 'changed'}, ${n.unchanged} unchanged${n.skipped ? `, ${n.skipped} skipped` : ''}${n.failed ? `, ${n.failed} failed` : ''}`;
    const said = this.dryRun && result === 'changed' ? 'would change' : result;
    this.line(`  ${color(`${module} ${said}`)} ${this.c.dim(`(${counts}, ${ms(durationMs)})`)}${note ? this.c.yellow(` ${note}`) : ''}`);
  }

  summary(n: Summary, durationMs: number, dryRun: boolean): void {
    const color = n.failed ? this.c.red : this.c.green;
    // The same words for plan and apply, so scripts can parse one line; the suffix says nothing changed.
    const dry = dryRun ? this.c.yellow(' (dry run: nothing was changed)') : '';
    this.line(color(`Summary: ${n.changed} changed, ${n.unchanged} unchanged, ${n.skipped} skipped, ${n.failed} failed`) + this.c.dim(` in ${ms(durationMs)}`) + dry);
  }

  info(message: string): void {
    this.line(this.c.cyan(message));
  }

  warn(message: string): void {
    this.io.err.write(`${this.cErr.yellow(`warning: ${message}`)}\n`);
  }

  record(_type: string, _data: Record<string, unknown>, human: string): void {
    this.line(human);
  }

  drift(items: DriftItem[], checked: number): void {
    for (const d of items) {
      const tag = d.state === 'drifted' ? this.c.yellow('drift') : this.c.red(d.state);
      this.line(`${tag} ${this.c.bold(d.module)} ${d.label}`);
      for (const c of d.changes) this.line(`    ${c}`);
      if (d.cause) this.line(`    ${this.c.dim(`cause: ${d.cause}`)}`);
      if (d.diff) this.line(indent(this.colorDiff(d.diff)));
    }
    const text = `${checked} resources checked, ${items.length} drifted`;
    this.line(items.length ? this.c.yellow(text) : this.c.green(`${text}: in sync`));
  }

  error(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.io.err.write(`${this.cErr.red(`error: ${message}`)}\n`);
    // A ConfigError already carries a fix on each of its lines.
    if (error instanceof PhanesError && !(error instanceof ConfigError) && error.suggestion) this.io.err.write(`${this.cErr.yellow(`  fix: ${error.suggestion}`)}\n`);
  }
}
