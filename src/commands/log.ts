import { Command, Option } from 'clipanion';
import type { PhanesEvent } from '../../state/events.js';
import { PhanesError } from '../errors.js';
import { PhanesCommand } from './base.js';

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
      return `${e.data.module}: rollback ${e.data.result} ${e.data.label}${e.data.note ? ` (${e.data.note})` : ''}`;
    case 'StepSkipped':
      return `${e.data.module}: skipped ${e.data.label} (${e.data.reason})`;
    case 'ModuleFinished':
      return `${e.data.module}: ${e.data.result} (${e.data.changed} changed, ${e.data.unchanged} unchanged)`;
    case 'ChangeIntended':
    case 'ResourceObserved':
    case 'ModuleStarted':
    case 'RevertIntended':
      return null;
  }
}

/** Whether an event belongs to a module's history (runs count when they included it). */
export function touchesModule(e: PhanesEvent, module: string): boolean {
  if (e.type === 'RunStarted') return e.data.modules.includes(module);
  return 'module' in e.data && e.data.module === module;
}

export class LogCommand extends PhanesCommand {
  static override paths = [['log']];
  static override usage = Command.Usage({
    description: 'The audit history: every run and every change, oldest first',
    examples: [
      ['Everything', 'phanes log'],
      ['The user module since a date', 'phanes log --module user --since 2026-01-01'],
      ['The last 20 entries as NDJSON', 'phanes log --limit 20 --json'],
    ],
  });

  module = Option.String('--module', { description: 'Only this module' });
  since = Option.String('--since', { description: 'Only events at or after this ISO date' });
  limit = Option.String('--limit', { description: 'Only the last N entries' });

  async execute(): Promise<number> {
    const since = this.since ? Date.parse(this.since) : undefined;
    if (since !== undefined && Number.isNaN(since)) throw new PhanesError(`--since "${this.since}" is not a date`, { suggestion: 'use an ISO date such as 2026-11-30 or 2026-11-30T12:00:00Z' });
    const limit = this.limit === undefined ? undefined : Number(this.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new PhanesError(`--limit "${this.limit}" is not a positive whole number`, { suggestion: 'e.g. --limit 50' });

    const { readState } = await import('./open-state.js');
    const { events } = await readState(this.resolvedStateDir, this.reporter);
    const runsOfModule = new Set(this.module ? events.filter((e) => touchesModule(e, this.module!) && 'runId' in e.data).map((e) => (e.data as { runId: string }).runId) : []);
    const intents = intentsOf(events);
    const entries: { event: PhanesEvent; text: string }[] = [];
    for (const e of events) {
      const text = describeEvent(e, intents);
      if (text === null) continue;
      if (since !== undefined && Date.parse(e.data.at) < since) continue;
      if (this.module && !(touchesModule(e, this.module) || (e.type === 'RunFinished' && runsOfModule.has(e.data.runId)))) continue;
      entries.push({ event: e, text });
    }
    const shown = limit ? entries.slice(-limit) : entries;
    for (const { event, text } of shown) this.reporter.record('event', { event: event.type, ...event.data }, `${event.data.at}  ${text}`);
    this.reporter.record('summary', { shown: shown.length, total: events.length }, shown.length ? '' : 'no matching history');
    return 0;
  }
}
