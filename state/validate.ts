import type { EventType, PhanesEvent } from './events.js';

// A value per member of the union, so adding an event type without listing it here fails to compile.
const KNOWN: Record<EventType, true> = {
  RunStarted: true,
  ModuleStarted: true,
  ChangeIntended: true,
  ChangeApplied: true,
  ChangeFailed: true,
  ResourceObserved: true,
  StepSkipped: true,
  RevertIntended: true,
  ChangeReverted: true,
  Released: true,
  ModuleFinished: true,
  RunFinished: true,
  GuardArmed: true,
  GuardConfirmed: true,
  GuardExpired: true,
  GuardReverted: true,
};

export const EVENT_TYPES: readonly EventType[] = Object.keys(KNOWN) as EventType[];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(KNOWN, value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the minimal shape of a parsed journal line; returns the event, or why it is not one. */
export function checkEvent(value: unknown): { event: PhanesEvent } | { problem: string } {
  if (!isPlainObject(value)) return { problem: 'not a JSON object' };
  if (typeof value.type !== 'string') return { problem: 'no "type" string' };
  if (!isEventType(value.type)) return { problem: `unknown event type "${value.type}"` };
  if (!isPlainObject(value.data)) return { problem: `"${value.type}" has no "data" object` };
  // The shape checked above is all the journal promises; the fields were typed when the event was written.
  return { event: value as unknown as PhanesEvent };
}
