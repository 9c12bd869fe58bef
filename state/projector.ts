import type {
  ChangeReason,
  ModuleResult,
  PhanesEvent,
  ResourceRef,
  RunCommand,
  Snapshot,
  Summary,
} from './events.js';

export interface ManagedResource extends ResourceRef {
  /** State before Phanes first changed it (or the observed state if Phanes never changed it). */
  original: Snapshot;
  /** True once a ChangeIntended with reason 'create' | 'update' was seen; repair/notify do not flip it. */
  changedByPhanes: boolean;
  /** Fields Phanes manages (drift compares only these). */
  desired: Snapshot;
  /** Last known state after Phanes acted or observed it; null while a first change is pending. */
  after: Snapshot | null;
  /** An intent without an outcome (crash): status must report it. */
  pending: boolean;
  /** The last change failed. */
  failed: boolean;
  lastRunId: string;
  /** `at` of the last intent/observation. */
  changedAt: string;
  /** Keys its last change told to act (a service reload): reverting it tells them again. */
  notify?: string[];
}

export interface RunInfo {
  runId: string;
  command: RunCommand;
  modules: string[];
  profile?: string;
  startedAt: string;
  finishedAt?: string;
  summary?: Summary;
  ok?: boolean;
  hostname: string;
  version: string;
}

export interface ModuleInfo {
  /** Resource keys this module owns, in the order first seen. */
  keys: string[];
  lastRunId?: string;
  lastResult?: ModuleResult;
  lastFinishedAt?: string;
}

/** A confirm guard still pending: armed, or expired with its revert under way. */
export interface GuardInfo {
  guardId: string;
  runId: string;
  unit: string;
  armedAt: string;
  timeoutS: number;
  connection: string | null;
  status: 'armed' | 'expired';
}

export interface ProjectedState {
  eventCount: number;
  runs: RunInfo[];
  resources: Record<string, ManagedResource>;
  modules: Record<string, ModuleInfo>;
  /** The pending confirm guard, if any (absent once confirmed or reverted). */
  guard?: GuardInfo;
}

export function initialState(): ProjectedState {
  return { eventCount: 0, runs: [], resources: {}, modules: {} };
}

/** Folds the journal into the current state. */
export function project(events: Iterable<PhanesEvent>): ProjectedState {
  let state = initialState();
  for (const event of events) state = evolve(state, event);
  return state;
}

const CHANGES: ReadonlySet<ChangeReason> = new Set<ChangeReason>(['create', 'update']);

/** Pure: returns a new state (sharing untouched parts) and never mutates `state` or `event`. */
export function evolve(state: ProjectedState, event: PhanesEvent): ProjectedState {
  const s: ProjectedState = { ...state, eventCount: state.eventCount + 1 };
  switch (event.type) {
    case 'RunStarted': {
      const d = event.data;
      const run: RunInfo = {
        runId: d.runId,
        command: d.command,
        modules: [...d.modules],
        ...(d.profile !== undefined && { profile: d.profile }),
        startedAt: d.at,
        hostname: d.hostname,
        version: d.version,
      };
      return { ...s, runs: [...s.runs, run] };
    }
    case 'ModuleStarted':
      return withModule(s, event.data.module, (m) => m);
    case 'ChangeIntended': {
      const d = event.data;
      const existing = s.resources[d.key];
      if (existing === undefined) {
        const created: ManagedResource = {
          ...ref(d),
          original: d.before,
          changedByPhanes: CHANGES.has(d.reason),
          desired: d.desired,
          after: null,
          pending: true,
          failed: false,
          lastRunId: d.runId,
          changedAt: d.at,
          ...(d.notify?.length ? { notify: [...d.notify] } : {}),
        };
        return adopt(s, created);
      }
      return withResource(s, {
        ...existing,
        // The first module to touch a key keeps it: rolling back a later one must not remove it.
        ...ref({ ...d, module: existing.module }),
        changedByPhanes: existing.changedByPhanes || CHANGES.has(d.reason),
        desired: d.desired,
        pending: true,
        lastRunId: d.runId,
        changedAt: d.at,
        ...(d.notify?.length ? { notify: [...d.notify] } : {}),
      });
    }
    case 'ChangeApplied':
      return update(s, event.data.key, (r) => ({
        ...r,
        after: event.data.after,
        pending: false,
        failed: false,
        lastRunId: event.data.runId,
      }));
    case 'ChangeFailed':
      return update(s, event.data.key, (r) => ({ ...r, pending: false, failed: true, lastRunId: event.data.runId }));
    case 'ResourceObserved': {
      const d = event.data;
      const existing = s.resources[d.key];
      if (existing === undefined) {
        return adopt(s, {
          ...ref(d),
          original: d.state,
          changedByPhanes: false,
          desired: d.desired,
          after: d.state,
          pending: false,
          failed: false,
          lastRunId: d.runId,
          changedAt: d.at,
        });
      }
      // An observation is a fresh read of the host: it settles a pending or failed change.
      return withResource(s, {
        ...existing,
        after: d.state,
        desired: d.desired,
        pending: false,
        failed: false,
        lastRunId: d.runId,
        changedAt: d.at,
      });
    }
    case 'StepSkipped':
      return s;
    case 'RevertIntended':
      return update(s, event.data.key, (r) => ({
        ...r,
        pending: true,
        lastRunId: event.data.runId,
        changedAt: event.data.at,
      }));
    case 'ChangeReverted': {
      const d = event.data;
      const existing = s.resources[d.key];
      if (existing === undefined) return s;
      if (d.result === 'restored' || d.result === 'left') return forget(s, existing);
      return withResource(s, {
        ...existing,
        after: d.after,
        pending: false,
        failed: d.result === 'failed' ? true : existing.failed,
        lastRunId: d.runId,
      });
    }
    case 'Released': {
      const keys = new Set(event.data.keys);
      const left = Object.values(s.resources).filter((r) => keys.has(r.key) && r.module === event.data.module);
      return left.reduce((acc, r) => forget(acc, r), s);
    }
    case 'ModuleFinished': {
      const d = event.data;
      return withModule(s, d.module, (m) => ({ ...m, lastRunId: d.runId, lastResult: d.result, lastFinishedAt: d.at }));
    }
    case 'RunFinished': {
      const d = event.data;
      return {
        ...s,
        runs: s.runs.map((r) => (r.runId === d.runId ? { ...r, finishedAt: d.at, summary: { ...d.summary }, ok: d.ok } : r)),
      };
    }
    case 'GuardArmed': {
      const d = event.data;
      return { ...s, guard: { guardId: d.guardId, runId: d.runId, unit: d.unit, armedAt: d.at, timeoutS: d.timeoutS, connection: d.connection, status: 'armed' } };
    }
    case 'GuardConfirmed':
      return s.guard?.guardId === event.data.guardId ? withoutGuard(s) : s;
    case 'GuardExpired':
      return s.guard?.guardId === event.data.guardId ? { ...s, guard: { ...s.guard, status: 'expired' } } : s;
    case 'GuardReverted': {
      // The host's sshd and ufw files are as before the guarded run, so their records are too.
      const back = Object.entries(event.data.resources).reduce((acc, [key, r]) => {
        const known = acc.resources[key];
        if (r === null) return known ? forget(acc, known) : acc;
        const owned = known && known.module !== r.module ? forget(acc, known) : acc;
        return adopt(owned, r);
      }, s);
      return back.guard?.guardId === event.data.guardId ? withoutGuard(back) : back;
    }
  }
  const _exhaustive: never = event;
  return _exhaustive;
}

function withoutGuard(s: ProjectedState): ProjectedState {
  const { guard: _done, ...rest } = s;
  return rest;
}

// Copies only the ResourceRef fields out of an event's data.
function ref(d: ResourceRef): ResourceRef {
  return { module: d.module, key: d.key, kind: d.kind, id: d.id, label: d.label };
}

function withResource(s: ProjectedState, r: ManagedResource): ProjectedState {
  return { ...s, resources: { ...s.resources, [r.key]: r } };
}

// An outcome for a key the state does not know (an orphan in a hand-edited journal) changes nothing.
function update(s: ProjectedState, key: string, fn: (r: ManagedResource) => ManagedResource): ProjectedState {
  const r = s.resources[key];
  return r === undefined ? s : withResource(s, fn(r));
}

function withModule(s: ProjectedState, name: string, fn: (m: ModuleInfo) => ModuleInfo): ProjectedState {
  const m = s.modules[name] ?? { keys: [] };
  return { ...s, modules: { ...s.modules, [name]: fn(m) } };
}

/** A new resource, owned by the module that declared it. */
function adopt(s: ProjectedState, r: ManagedResource): ProjectedState {
  const owned = withModule(s, r.module, (m) => (m.keys.includes(r.key) ? m : { ...m, keys: [...m.keys, r.key] }));
  return withResource(owned, r);
}

/** Phanes no longer manages the resource: drop it and its key from the owning module. */
function forget(s: ProjectedState, r: ManagedResource): ProjectedState {
  const { [r.key]: _dropped, ...resources } = s.resources;
  const owner = withModule(s, r.module, (m) => ({ ...m, keys: m.keys.filter((k) => k !== r.key) }));
  return { ...owner, resources };
}
