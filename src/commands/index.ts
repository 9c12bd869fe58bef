import type { CommandClass } from 'clipanion';
import { ApplyCommand } from './apply.js';
import { ConfirmCommand } from './confirm.js';
import { DiffCommand } from './diff.js';
import { GuardRevertCommand } from './guard.js';
import { LegacyCommand } from './legacy.js';
import { ListCommand } from './list.js';
import { LogCommand } from './log.js';
import { PlanCommand } from './plan.js';
import { RollbackCommand } from './rollback.js';
import { SchemaCommand } from './schema.js';
import { StateRebuildCommand } from './state-rebuild.js';
import { StatusCommand } from './status.js';
import { ValidateCommand } from './validate.js';
import { VersionCommand } from './version.js';

/** Every command. The default (the seed's form) goes first, so the general help is ours, not its own. */
export const COMMANDS: readonly CommandClass[] = [LegacyCommand, ApplyCommand, PlanCommand, ConfirmCommand, StatusCommand, DiffCommand, RollbackCommand, LogCommand, StateRebuildCommand, ListCommand, ValidateCommand, SchemaCommand, VersionCommand, GuardRevertCommand];

/**
 * The commands to register for this argv. Clipanion compiles one state machine from every
 * registered command on each run (~10 ms for all of them under node), so when the first word
 * names a command (or is --version) only that one is registered. An option first is the seed's
 * form, which can show the general help, so it gets them all. An unknown word gets every named
 * command, so clipanion says which ones exist instead of calling the word an extra argument.
 */
export function commandsFor(argv: readonly string[]): CommandClass[] {
  const first = argv[0];
  const named = COMMANDS.filter((c) => c.paths?.some((p) => p.length > 0 && p[0] === first));
  if (named.length > 0) return named;
  if (first === undefined || first.startsWith('-')) return [...COMMANDS];
  return COMMANDS.filter((c) => c !== LegacyCommand);
}

