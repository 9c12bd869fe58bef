import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cli, Command, type CommandClass } from 'clipanion';
import { ApplyCommand } from '../../src/commands/apply.js';
import { COMMANDS, commandsFor } from '../../src/commands/index.js';
import { LegacyCommand } from '../../src/commands/legacy.js';
import { RollbackCommand } from '../../src/commands/rollback.js';
import { VersionCommand } from '../../src/commands/version.js';
import { generalHelp } from '../../src/help.js';

const names = (classes: readonly unknown[]): string[] => classes.map((c) => (c as { name: string }).name);

describe('which commands the CLI registers', () => {
  it('registers only the command the first word names', () => {
    assert.deepEqual(commandsFor(['apply', '--profile', 'minimal']), [ApplyCommand]);
    assert.deepEqual(commandsFor(['rollback', 'security', '--force']), [RollbackCommand]);
  });

  it('registers only the version command for --version and -V', () => {
    assert.deepEqual(commandsFor(['--version']), [VersionCommand]);
    assert.deepEqual(commandsFor(['-V']), [VersionCommand]);
  });

  it('registers every command for the seed form, whose bare options may end in the general help', () => {
    assert.deepEqual(names(commandsFor(['--profile', 'dev', '--dry-run'])), names(COMMANDS));
    assert.deepEqual(names(commandsFor([])), names(COMMANDS));
  });

  it('registers every named command, without the seed form, for an unknown word', () => {
    const registered = commandsFor(['aply']);
    assert.ok(!registered.includes(LegacyCommand));
    assert.equal(registered.length, COMMANDS.length - 1);
  });
});

describe('the general help', () => {
  const cliWith = (extra: CommandClass[] = []): Cli => {
    const cli = new Cli({ binaryName: 'phanes', binaryLabel: 'Phanes', binaryVersion: '9.9.9' });
    for (const c of [...COMMANDS, ...extra]) cli.register(c);
    return cli;
  };

  it('lists every named command once, in its section, with positional arguments', () => {
    const help = generalHelp(cliWith(), false);
    assert.match(help, /^Phanes - 9\.9\.9\n/);
    const listed = [...help.matchAll(/^ {2}([a-z]+(?: [a-z]+)?)(?= )/gm)].map((m) => m[1]);
    assert.deepEqual(listed, ['apply', 'plan', 'confirm', 'rollback', 'status', 'diff', 'log', 'state rebuild', 'validate', 'schema', 'list']);
    assert.match(help, /^ {2}state rebuild +Rebuild the state snapshot \(state\.json\) from the journal$/m);
    assert.match(help, /^ {2}rollback <module> {2}Undo a module/m);
    assert.doesNotMatch(help, /#0|\[--json\]/, 'shared options are said once, in the footer');
  });

  it('puts a command no section names under Other rather than hiding it', () => {
    class ExportCommand extends Command {
      static override paths = [['export']];
      static override usage = Command.Usage({ description: 'Export the journal' });
      async execute(): Promise<number> {
        return 0;
      }
    }
    assert.match(generalHelp(cliWith([ExportCommand]), false), /\nOther\n {2}export +Export the journal\n/);
  });
});
