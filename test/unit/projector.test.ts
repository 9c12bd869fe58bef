import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeReason, PhanesEvent, ResourceRef, RevertResult, Snapshot } from '../../state/events.js';
import { evolve, initialState, project, type ProjectedState } from '../../state/projector.js';

// ---- event builders: the smallest events that say what each test means ----

const T0 = '2025-01-01T00:00:00.000Z';

function ref(key = 'package:curl', module = 'baseline'): ResourceRef {
  const [kind = 'package', id = 'curl'] = key.split(':');
  return { module, key, kind, id, label: `${kind} ${id}` };
}

const runStarted = (runId = 'r1', at = T0): PhanesEvent => ({
  type: 'RunStarted',
  data: { runId, at, command: 'apply', modules: ['baseline'], profile: 'minimal', version: '0.1.0', hostname: 'h' },
});

const intended = (
  o: { key?: string; module?: string; reason?: ChangeReason; before?: Snapshot; desired?: Snapshot; runId?: string; at?: string } = {},
): PhanesEvent => ({
  type: 'ChangeIntended',
  data: {
    ...ref(o.key, o.module),
    runId: o.runId ?? 'r1',
    seq: 1,
    at: o.at ?? T0,
    reason: o.reason ?? 'create',
    summary: 'install curl',
    before: o.before ?? { installed: false },
    desired: o.desired ?? { installed: true },
  },
});

const applied = (after: Snapshot = { installed: true, version: '8.0' }, key?: string, module?: string): PhanesEvent => ({
  type: 'ChangeApplied',
  data: { ...ref(key, module), runId: 'r1', seq: 1, at: T0, after },
});

const failed = (key?: string): PhanesEvent => ({
  type: 'ChangeFailed',
  data: { ...ref(key), runId: 'r1', seq: 1, at: T0, error: 'apt-get failed' },
});

const observed = (state: Snapshot, o: { key?: string; module?: string; at?: string } = {}): PhanesEvent => ({
  type: 'ResourceObserved',
  data: { ...ref(o.key, o.module), runId: 'r1', at: o.at ?? T0, state, desired: { installed: true } },
});

const skipped = (): PhanesEvent => ({ type: 'StepSkipped', data: { ...ref('swapfile:/swapfile', 'swap'), runId: 'r1', at: T0, reason: 'container' } });

const revertIntended = (key?: string, module?: string): PhanesEvent => ({
  type: 'RevertIntended',
  data: { ...ref(key, module), runId: 'r2', seq: 1, at: '2025-01-02T00:00:00.000Z', target: { installed: false }, current: { installed: true } },
});

const reverted = (result: RevertResult, after: Snapshot = { installed: false }, key?: string, module?: string): PhanesEvent => ({
  type: 'ChangeReverted',
  data: { ...ref(key, module), runId: 'r2', seq: 1, at: '2025-01-02T00:00:00.000Z', result, after },
});

const moduleStarted = (module = 'baseline'): PhanesEvent => ({ type: 'ModuleStarted', data: { runId: 'r1', at: T0, module } });

const moduleFinished = (module = 'baseline'): PhanesEvent => ({
  type: 'ModuleFinished',
  data: { runId: 'r1', at: '2025-01-01T00:01:00.000Z', module, result: 'changed', durationMs: 5, changed: 1, unchanged: 0, skipped: 0, failed: 0 },
});

const runFinished = (runId = 'r1'): PhanesEvent => ({
  type: 'RunFinished',
  data: { runId, at: '2025-01-01T00:02:00.000Z', summary: { changed: 1, unchanged: 0, skipped: 0, failed: 0 }, durationMs: 7, ok: true },
});

// ---- given/when/then ----

/** Checks that every key in `expected` has that value in `actual`; `undefined` means "absent". */
function assertFragment(actual: unknown, expected: unknown, at = 'state'): void {
  if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) {
    assert.deepEqual(actual, expected, `${at} differs`);
    return;
  }
  assert.ok(actual !== null && typeof actual === 'object', `${at} should be an object`);
  for (const [k, v] of Object.entries(expected)) {
    const sub = (actual as Record<string, unknown>)[k];
    if (v === undefined) assert.ok(!(k in actual), `${at}.${k} should be absent`);
    else assertFragment(sub, v, `${at}.${k}`);
  }
}

/** Freezes every nested object, so a mutation inside evolve throws instead of passing silently. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function given(...history: PhanesEvent[]) {
  return {
    when(event: PhanesEvent) {
      const before = deepFreeze(project(history));
      const copy = structuredClone(before);
      deepFreeze(event);
      const after = evolve(before, event);
      assert.deepEqual(before, copy, 'evolve must not mutate the state it is given');
      return {
        state: after,
        then(fragment: Record<string, unknown>): ProjectedState {
          assertFragment(after, fragment);
          return after;
        },
      };
    },
  };
}

// ---- the rules ----

describe('projector', () => {
  it('starts empty', () => {
    assert.deepEqual(initialState(), { eventCount: 0, runs: [], resources: {}, modules: {} });
  });

  it('RunStarted adds a run', () => {
    given().when(runStarted()).then({
      eventCount: 1,
      runs: [{ runId: 'r1', command: 'apply', modules: ['baseline'], profile: 'minimal', startedAt: T0, hostname: 'h', version: '0.1.0' }],
    });
  });

  it('RunFinished records when the run ended, its summary and whether it was ok', () => {
    const s = given(runStarted()).when(runFinished()).then({ eventCount: 2 });
    assertFragment(s.runs[0], { finishedAt: '2025-01-01T00:02:00.000Z', ok: true, summary: { changed: 1, unchanged: 0, skipped: 0, failed: 0 } });
  });

  it('ModuleStarted makes the module known with no keys yet', () => {
    given(runStarted()).when(moduleStarted('user')).then({ modules: { user: { keys: [] } } });
  });

  it('the first intent records the original state, owned by its module, pending', () => {
    given(runStarted()).when(intended()).then({
      resources: {
        'package:curl': {
          module: 'baseline',
          original: { installed: false },
          after: null,
          pending: true,
          failed: false,
          changedByPhanes: true,
          desired: { installed: true },
        },
      },
      modules: { baseline: { keys: ['package:curl'] } },
    });
  });

  it('an intent without an outcome stays pending (a crash between the two)', () => {
    given(runStarted(), intended()).when(runFinished()).then({ resources: { 'package:curl': { pending: true, after: null } } });
  });

  it('ChangeApplied records the after state and clears pending and failed', () => {
    given(intended()).when(applied({ installed: true, version: '8.0' })).then({
      resources: { 'package:curl': { after: { installed: true, version: '8.0' }, pending: false, failed: false } },
    });
  });

  it('ChangeFailed clears pending and marks the resource failed', () => {
    given(intended()).when(failed()).then({ resources: { 'package:curl': { pending: false, failed: true, after: null } } });
  });

  it('a second change keeps the original state and updates desired', () => {
    given(intended({ before: { installed: false } }), applied({ installed: true, version: '8.0' }))
      .when(intended({ reason: 'update', before: { installed: true, version: '8.0' }, desired: { installed: true, version: '8.1' }, runId: 'r2', at: '2025-02-01T00:00:00.000Z' }))
      .then({
        resources: {
          'package:curl': {
            original: { installed: false },
            desired: { installed: true, version: '8.1' },
            after: { installed: true, version: '8.0' },
            pending: true,
            lastRunId: 'r2',
            changedAt: '2025-02-01T00:00:00.000Z',
          },
        },
      });
  });

  it('an observed resource is watched but not changed by Phanes', () => {
    given(runStarted()).when(observed({ installed: true, version: '7.0' })).then({
      resources: {
        'package:curl': {
          original: { installed: true, version: '7.0' },
          after: { installed: true, version: '7.0' },
          changedByPhanes: false,
          pending: false,
          desired: { installed: true },
        },
      },
      modules: { baseline: { keys: ['package:curl'] } },
    });
  });

  it('observing a known resource again updates after and desired but keeps the original', () => {
    given(observed({ installed: true, version: '7.0' }))
      .when(observed({ installed: true, version: '7.1' }, { at: '2025-03-01T00:00:00.000Z' }))
      .then({ resources: { 'package:curl': { original: { installed: true, version: '7.0' }, after: { installed: true, version: '7.1' }, changedAt: '2025-03-01T00:00:00.000Z' } } });
  });

  it('a repair does not flip changedByPhanes', () => {
    given(observed({ installed: true }))
      .when(intended({ reason: 'repair', before: { installed: false } }))
      .then({ resources: { 'package:curl': { changedByPhanes: false, pending: true, original: { installed: true } } } });
  });

  it('a notify does not flip changedByPhanes either, but an update does', () => {
    const observedOnce = observed({ active: true }, { key: 'service:ssh' });
    given(observedOnce).when(intended({ key: 'service:ssh', reason: 'notify' })).then({ resources: { 'service:ssh': { changedByPhanes: false } } });
    given(observedOnce).when(intended({ key: 'service:ssh', reason: 'update' })).then({ resources: { 'service:ssh': { changedByPhanes: true } } });
  });

  it('keeps what a change notified, so pruning or rolling it back can tell the same service again', () => {
    const site = { ...(intended({ key: 'file:/etc/nginx/conf.d/a.conf', module: 'nginx' }) as PhanesEvent & { type: 'ChangeIntended' }) };
    const withNotify: PhanesEvent = { type: 'ChangeIntended', data: { ...site.data, notify: ['service:nginx'] } };
    given(runStarted()).when(withNotify).then({ resources: { 'file:/etc/nginx/conf.d/a.conf': { notify: ['service:nginx'] } } });
  });

  it('the first module to touch a key owns it, and a second module does not take it over', () => {
    given(intended({ module: 'baseline' }), applied())
      .when(intended({ module: 'devtools', reason: 'update' }))
      .then({
        resources: { 'package:curl': { module: 'baseline', original: { installed: false } } },
        modules: { baseline: { keys: ['package:curl'] }, devtools: undefined },
      });
  });

  it('StepSkipped changes no resource and only counts the event', () => {
    const history = [runStarted(), intended(), applied()];
    const before = project(history);
    const after = given(...history).when(skipped()).state;
    assert.deepEqual(after, { ...before, eventCount: before.eventCount + 1 });
  });

  it('RevertIntended marks the resource pending', () => {
    given(intended(), applied()).when(revertIntended()).then({ resources: { 'package:curl': { pending: true, changedAt: '2025-01-02T00:00:00.000Z', lastRunId: 'r2' } } });
  });

  it('a restored revert removes the resource and its key from the module', () => {
    given(intended(), applied(), intended({ key: 'file:/etc/motd' }), revertIntended())
      .when(reverted('restored'))
      .then({ resources: { 'package:curl': undefined, 'file:/etc/motd': { module: 'baseline' } }, modules: { baseline: { keys: ['file:/etc/motd'] } } });
  });

  it('a revert that left something behind also ends management', () => {
    given(intended({ key: 'user:deploy', module: 'user' }), applied({ exists: true }, 'user:deploy', 'user'), revertIntended('user:deploy', 'user'))
      .when(reverted('left', { exists: false, home: true }, 'user:deploy', 'user'))
      .then({ resources: { 'user:deploy': undefined }, modules: { user: { keys: [] } } });
  });

  it('a refused revert keeps the resource, no longer pending, with the state read back', () => {
    given(intended(), applied(), revertIntended())
      .when(reverted('refused', { installed: true, version: '9.9' }))
      .then({
        resources: { 'package:curl': { pending: false, failed: false, after: { installed: true, version: '9.9' }, original: { installed: false } } },
        modules: { baseline: { keys: ['package:curl'] } },
      });
  });

  it('a failed revert keeps the resource and marks it failed', () => {
    given(intended(), applied(), revertIntended())
      .when(reverted('failed', { installed: true }))
      .then({ resources: { 'package:curl': { pending: false, failed: true, after: { installed: true } } } });
  });

  it('rolling back the second module of a shared key never removes what the first added', () => {
    // devtools declared the key after baseline; its rollback only sees its own keys.
    const s = project([intended({ module: 'baseline' }), applied(), intended({ module: 'devtools', reason: 'update' }), applied()]);
    assert.deepEqual(s.modules.devtools?.keys ?? [], []);
    assert.equal(s.resources['package:curl']?.module, 'baseline');
  });

  it('after a revert, the key can be managed afresh with a new original', () => {
    given(intended({ before: { installed: false } }), applied(), revertIntended(), reverted('restored'))
      .when(intended({ before: { installed: true, version: '1.0' } }))
      .then({ resources: { 'package:curl': { original: { installed: true, version: '1.0' }, after: null } } });
  });

  it('ModuleFinished records the module result of its last run', () => {
    given(moduleStarted(), intended()).when(moduleFinished()).then({
      modules: { baseline: { keys: ['package:curl'], lastRunId: 'r1', lastResult: 'changed', lastFinishedAt: '2025-01-01T00:01:00.000Z' } },
    });
  });

  it('an outcome for an unknown key is ignored but counted', () => {
    given().when(applied()).then({ eventCount: 1, resources: {} });
  });

  it('every event increments eventCount', () => {
    const all = [runStarted(), moduleStarted(), intended(), applied(), failed(), observed({}), skipped(), revertIntended(), reverted('refused'), moduleFinished(), runFinished()];
    assert.equal(new Set(all.map((e) => e.type)).size, 11, 'one of each event type');
    assert.equal(project(all).eventCount, all.length);
  });

  it('the same journal always gives the same state', () => {
    const journal = [runStarted(), moduleStarted(), intended(), applied(), observed({ a: 1 }, { key: 'sysctl:vm.swappiness' }), moduleFinished(), runFinished()];
    assert.deepEqual(project(journal), project(structuredClone(journal)));
  });

  it('evolve never mutates the state or the event it is given', () => {
    const state = deepFreeze(project([runStarted(), intended(), applied()]));
    const event = intended({ reason: 'update', runId: 'r2' });
    const eventCopy = structuredClone(event);
    const stateCopy = structuredClone(state);
    const next = evolve(state, event);
    assert.notEqual(next, state);
    assert.deepEqual(state, stateCopy);
    assert.deepEqual(event, eventCopy);
  });
});
