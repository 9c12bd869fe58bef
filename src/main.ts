import { Builtins, Cli } from 'clipanion';
import { ApplyCommand } from './commands/apply.js';
import { PhanesCommand, ReportedFailure } from './commands/base.js';
import { DiffCommand } from './commands/diff.js';
import { LegacyCommand } from './commands/legacy.js';
import { ListCommand } from './commands/list.js';
import { LogCommand } from './commands/log.js';
import { PlanCommand } from './commands/plan.js';
import { RollbackCommand } from './commands/rollback.js';
import { SchemaCommand } from './commands/schema.js';
import { StatusCommand } from './commands/status.js';
import { ValidateCommand } from './commands/validate.js';
import { VersionCommand } from './commands/version.js';
import { HumanReporter, useColor } from './report/human.js';
import { JsonReporter } from './report/json.js';
import { VERSION } from './version.js';

/** Build the CLI. Exported so tests can run it in-process. */
export function buildCli(): Cli {
  const cli = new Cli({
    binaryLabel: 'Phanes: provision a Debian or Ubuntu server from one YAML file',
    binaryName: 'phanes',
    binaryVersion: VERSION,
    enableColors: useColor(process.stdout, process.env),
  });
  // The default (seed) command goes first: clipanion then shows the general help, not its own, for --help.
  for (const c of [LegacyCommand, ApplyCommand, PlanCommand, StatusCommand, DiffCommand, RollbackCommand, LogCommand, ListCommand, ValidateCommand, SchemaCommand, VersionCommand]) cli.register(c);
  cli.register(Builtins.HelpCommand);
  return cli;
}

/**
 * The only place that exits: parse, run one command, and map what it returns or throws to an exit
 * code (0 ok, 1 error, 2 drift from status).
 */
export async function main(argv: string[]): Promise<number> {
  const cli = buildCli();
  const context = { ...Cli.defaultContext, env: process.env };
  // With a default command (the seed's form), clipanion would show only its help for a bare --help.
  if (argv.length === 0 || (argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0]!))) {
    process.stdout.write(cli.usage(null, { colored: useColor(process.stdout, process.env) }));
    return 0;
  }
  let command;
  try {
    command = cli.process(argv, context);
  } catch (error) {
    process.stderr.write(cli.error(error, { colored: useColor(process.stderr, process.env) }));
    return 1;
  }
  // cli.run handles --help and wires the command; its errors come back to us instead of being printed.
  let failure: unknown;
  let failed = false;
  command.catch = async (error: unknown) => {
    failure = error;
    failed = true;
  };
  const code = await cli.run(command, context);
  if (!failed) return code;
  if (failure instanceof ReportedFailure) return failure.exitCode;
  const json = command instanceof PhanesCommand && command.json;
  const reporter = json ? new JsonReporter(process.stdout) : new HumanReporter({ out: process.stdout, err: process.stderr }, process.env);
  reporter.error(failure);
  // Scripts read the last line: it is a summary even when the command failed before doing anything.
  if (json) reporter.record('summary', { ok: false, changed: 0, unchanged: 0, skipped: 0, failed: 0, durationMs: 0 }, '');
  return 1;
}

// `phanes log | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.on('unhandledRejection', (reason) => {
  process.stderr.write(`error: unexpected failure: ${reason instanceof Error ? reason.stack : String(reason)}\n`);
  process.exit(1);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
