import { Builtins, Cli, type CommandClass } from 'clipanion';
import { COMMANDS, commandsFor } from './commands/index.js';
import { PhanesCommand } from './commands/base.js';
import { loadCore } from './core-loader.js';
import { generalHelp } from './help.js';
import { useColor } from './report/color.js';
import { VERSION } from './version.js';

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
