import type { PhanesEvent } from '../../state/events.js';
import { PhanesError } from '../errors.js';
import type { CommandIO } from './io.js';
import { openStore } from '../../state/store.js';

type Intent = PhanesEvent & { type: 'ChangeIntended' };

/** Intents by `runId:seq`, so an outcome line can say what was intended and why. */
export function intentsOf(events: readonly PhanesEvent[]): Map<string, Intent> {
  return new Map(events.filter((e): e is Intent => e.type === 'ChangeIntended').map((e) => [`${e.data.runId}:${e.data.seq}`, e]));
}

/** One line of audit history for an event, or null for events that only matter to the machine. */
export function describeEvent(e: PhanesEvent, intents: ReadonlyMap<string, Intent>): string | null {
  switch (e.type) {
    case 'RunStarted':
      return `${e.data.command} started (${e.data.profile ? `profile ${e.data.profile}: ` : ''}${e.data.modules.join(', ')}) by phanes ${e.data.version} on ${e.data.hostname} [run ${e.data.runId.slice(0, 8)}]`;
    case 'RunFinished':
      return `run ${e.data.ok ? 'finished' : 'FAILED'}: ${e.data.summary.changed} changed, ${e.data.summary.unchanged} unchanged, ${e.data.summary.skipped} skipped, ${e.data.summary.failed} failed [run ${e.data.runId.slice(0, 8)}]`;
    case 'ChangeApplied': {
      const intent = intents.get(`${e.data.runId}:${e.data.seq}`);
      return `${e.data.module}: ${intent?.data.reason ?? 'changed'} ${e.data.label}: ${intent?.data.summary ?? ''}`;
    }
    case 'ChangeFailed':
      return `${e.data.module}: FAILED ${e.data.label}: ${e.data.error}`;
    case 'ChangeReverted':
      return `${e.data.module}: ${e.data.cause === 'prune' ? 'pruned (no longer in the config),' : 'rollback'} ${e.data.result} ${e.data.label}${e.data.note ? ` (${e.data.note})` : ''}`;
    case 'Released':
      return `${e.data.module}: released ${e.data.keys.length} resource${e.data.keys.length === 1 ? '' : 's'} (${e.data.reason}); the host was not changed`;
    case 'StepSkipped':
      return `${e.data.module}: skipped ${e.data.label} (${e.data.reason})`;
    case 'ModuleFinished':
      return `${e.data.module}: ${e.data.result} (${e.data.changed} changed, ${e.data.unchanged} unchanged)`;
    case 'GuardArmed':
      return `guard ${e.data.guardId} armed: sshd and ufw (${e.data.files.length} files${e.data.ufwEnabled ? ', ufw enabled' : ''}) go back ${e.data.timeoutS} s after the run unless \`phanes confirm\` comes from a new SSH connection [timer ${e.data.unit}]`;
    case 'GuardConfirmed':
      return `guard ${e.data.guardId} confirmed${e.data.connection ? ` from ${e.data.connection}` : ' (not over SSH)'}: the changes stay, the timer is gone`;
    case 'GuardExpired':
      return `guard ${e.data.guardId} expired: nobody confirmed by ${e.data.deadline}, reverting sshd and ufw`;
    case 'GuardReverted':
      return `guard ${e.data.guardId} ${e.data.ok ? 'reverted' : 'FAILED to revert'}: ${e.data.restored.length} files put back, ${Object.keys(e.data.resources).length} resources as before the run${e.data.error ? ` (${e.data.error})` : ''}`;
    case 'ChangeIntended':
    case 'ResourceObserved':
    case 'ModuleStarted':
    case 'RevertIntended':
      return null;
  }
}

/** Whether an event belongs to a module's history (runs count when they included it). */
export function touchesModule(e: PhanesEvent, module: string): boolean {
  // The confirm guard keeps and puts back the security module's sshd and ufw files.
  if (e.type.startsWith('Guard')) return module === 'security';
  if (e.type === 'RunStarted') return e.data.modules.includes(module);
  return 'module' in e.data && e.data.module === module;
}

export interface LogOptions {
  module?: string | undefined;
  since?: string | undefined;
  limit?: string | undefined;
}

/** `phanes log`: the audit history, oldest first, filtered by module, date and count. */
export async function log(io: CommandIO, options: LogOptions): Promise<number> {
  const since = options.since ? Date.parse(options.since) : undefined;
  if (since !== undefined && Number.isNaN(since)) throw new PhanesError(`--since "${options.since}" is not a date`, { suggestion: 'use an ISO date such as 2026-11-30 or 2026-11-30T12:00:00Z' });
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new PhanesError(`--limit "${options.limit}" is not a positive whole number`, { suggestion: 'e.g. --limit 50' });
  const module = options.module;

  // Only the journal: a corrupt line in the middle is skipped with a warning naming it, so the
  // history around it still shows (status, diff and apply refuse such a journal instead).
  const { events, warnings } = openStore(io.stateDir, { create: false }).journal.read({ skipCorrupt: true });
  for (const w of warnings) io.reporter.warn(w);
  const runsOfModule = new Set(module ? events.filter((e) => touchesModule(e, module) && 'runId' in e.data).map((e) => (e.data as { runId: string }).runId) : []);
  const intents = intentsOf(events);
  const entries: { event: PhanesEvent; text: string }[] = [];
  for (const e of events) {
    const text = describeEvent(e, intents);
    if (text === null) continue;
    if (since !== undefined && Date.parse(e.data.at) < since) continue;
    if (module && !(touchesModule(e, module) || (e.type === 'RunFinished' && runsOfModule.has(e.data.runId)))) continue;
    entries.push({ event: e, text });
  }
  const shown = limit ? entries.slice(-limit) : entries;
  for (const { event, text } of shown) io.reporter.record('event', { event: event.type, ...event.data }, `${event.data.at}  ${text}`);
  io.reporter.record('summary', { shown: shown.length, total: events.length }, shown.length ? '' : 'no matching history');
  return 0;
}
