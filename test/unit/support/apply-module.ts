import { project } from '../../../state/projector.js';
import { applyModules } from '../../../src/engine/apply.js';
import type { Module, ModuleContext } from '../../../src/engine/module.js';
import type { Decl } from '../../../src/resources/types.js';
import type { MemoryHost } from './memory-host.js';
import { memoryRecorder } from './memory-recorder.js';
import { collectingReporter } from './plan.js';

/**
 * Apply one module's declarations for `ctx` to a memory host, recording into `rec`. `only` picks the
 * declarations the memory host can model (files and commands; it knows no packages or units).
 */
export async function applyModule(host: MemoryHost, module: Module, ctx: ModuleContext, only: (d: Decl) => boolean = () => true, rec = memoryRecorder(), secrets: string[] = []) {
  const reporter = collectingReporter();
  const decls: Decl[] = module.resources(ctx).filter(only);
  const result = await applyModules({ host, plan: [{ module, decls }], dryRun: false, recorder: rec, projection: project(rec.events), reporter, secrets, run: { version: 't', hostname: 'h' } });
  return { result, steps: reporter.steps, rec, decls };
}
