import { Builtins, Cli, type CommandClass } from 'clipanion';
import { ApplyCommand } from './commands/apply.js';
import { PhanesCommand } from './commands/base.js';
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
import { loadCore } from './core-loader.js';
import { generalHelp } from './help.js';
import { useColor } from './report/color.js';
import { VERSION } from './version.js';

/** Every command. The default (the seed's form) goes first, so the general help is ours, not its own. */
export const COMMANDS: readonly CommandClass[] = [LegacyCommand, ApplyCommand, PlanCommand, StatusCommand, DiffCommand, RollbackCommand, LogCommand, ListCommand, ValidateCommand, SchemaCommand, VersionCommand];

/**
 * The commands to register for this argv. Clipanion compiles one state machine from every
 * registered command on each run (~10 ms for all of them under node), so when the first word
 * names a command (or is --version) only that one is registered. An option first is the seed's form, which can
 * show the general help, so it gets them all; an unknown word gets every named command, so
 * clipanion says which ones exist instead of calling the word an extra argument of the seed's form.
 */
export function commandsFor(argv: readonly string[]): CommandClass[] {
  const first = argv[0];
  const named = COMMANDS.filter((c) => c.paths?.some((p) => p.length > 0 && p[0] === first));
  if (named.length > 0) return named;
  if (first === undefined || first.startsWith('-')) return [...COMMANDS];
  return COMMANDS.filter((c) => c !== LegacyCommand);
}

/** Build the CLI with the given commands (all by default). Exported so tests can run it in-process. */
export function buildCli(commands: readonly CommandClass[] = COMMANDS): Cli {
  const cli = new Cli({
    binaryLabel: 'Phanes: provision a Debian or Ubuntu server from one YAML file',
    binaryName: 'phanes',
    binaryVersion: VERSION,
    enableColors: useColor(process.stdout, process.env),
  });
  for (const c of commands) cli.register(c);
  cli.register(Builtins.HelpCommand);
  return cli;
}

/**
 * The only place that exits: parse, run one command, and map what it returns or throws to an exit
 * code (0 ok, 1 error, 2 drift from status).
 */
export async function main(argv: string[]): Promise<number> {
  // With a default command (the seed's form), clipanion would show only its help for a bare --help.
  if (argv.length === 0 || (argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0]!))) {
    process.stdout.write(generalHelp(buildCli(), useColor(process.stdout, process.env)));
    return 0;
  }
  const cli = buildCli(commandsFor(argv));
  const context = { ...Cli.defaultContext, env: process.env };
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
  const core = await loadCore();
  return core.reportFailure(failure, command instanceof PhanesCommand && command.json, context);
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
