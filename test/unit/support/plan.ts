import { initialState } from '../../../state/projector.js';
import { applyModules } from '../../../src/engine/apply.js';
import { nullRecorder } from '../../../src/engine/recorder.js';
import type { Reporter, StepReport } from '../../../src/report/reporter.js';
import type { Decl } from '../../../src/resources/types.js';
import { ReadOnlyHost } from '../../../src/host/readonly.js';
import { FixtureHost, type FixtureFacts } from './fixture-host.js';

/** A reporter that keeps the steps instead of printing them. */
export function collectingReporter(): Reporter & { steps: StepReport[] } {
  const steps: StepReport[] = [];
  const noop = (): void => undefined;
  return { steps, runStart: noop, moduleStart: noop, step: (s) => steps.push(s), moduleEnd: noop, summary: noop, info: noop, warn: noop, record: noop, drift: noop, error: noop };
}

/** Plan `decls` against fixture facts; returns the steps plan reports and the host (no writes happen). */
export async function planWith(facts: FixtureFacts, decls: Decl[]): Promise<{ steps: StepReport[]; planned: StepReport[]; host: FixtureHost }> {
  const host = new FixtureHost(facts);
  const reporter = collectingReporter();
  await applyModules({
    host: new ReadOnlyHost(host), plan: [{ module: { name: 'test', description: 'test', resources: () => decls }, decls }],
    dryRun: true, recorder: nullRecorder(async () => Buffer.alloc(0)), projection: initialState(), reporter, secrets: [],
    run: { version: 'test', hostname: 'test' },
  });
  return { steps: reporter.steps, planned: reporter.steps.filter((s) => s.status === 'planned'), host };
}
