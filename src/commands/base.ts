import { Command, Option } from 'clipanion';
import { defaultStateDir } from '../../state/dir.js';
import { HumanReporter } from '../report/human.js';
import { JsonReporter } from '../report/json.js';
import type { Reporter } from '../report/reporter.js';

/** Options every command shares, and the one reporter it writes through. */
export abstract class PhanesCommand extends Command {
  json = Option.Boolean('--json', false, { description: 'Print NDJSON: one object per line, the summary last' });
  stateDir = Option.String('--state-dir', { description: 'Where the journal lives (env PHANES_STATE_DIR, default /var/lib/phanes)' });

  private reporterCache: Reporter | undefined;

  get reporter(): Reporter {
    this.reporterCache ??= this.json
      ? new JsonReporter(this.context.stdout)
      : new HumanReporter({ out: this.context.stdout, err: this.context.stderr }, this.context.env);
    return this.reporterCache;
  }

  get resolvedStateDir(): string {
    return this.stateDir ?? defaultStateDir(this.context.env);
  }
}

/** The run failed and has already been reported; main.ts only sets the exit code. */
export class ReportedFailure extends Error {
  constructor(readonly exitCode = 1) {
    super('reported');
  }
}
