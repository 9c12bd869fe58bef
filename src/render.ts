import { Liquid } from 'liquidjs';
import { readTemplate } from './assets.js';

// Made on first render, not at load: the constructor costs ~15 ms, and status, log and list never render.
let liquid: Liquid | undefined;

/** Render `templates/<name>` with liquid. */
export function render(name: string, vars: Record<string, unknown>): string {
  // strictVariables: a template that names a value the module did not pass is a bug, not an empty string.
  // A fixed locale: without one, liquid asks Intl for the system's, and ICU's first use costs ~15 ms.
  liquid ??= new Liquid({ strictVariables: true, strictFilters: true, greedy: false, locale: 'en-US' });
  return liquid.parseAndRenderSync(readTemplate(name), vars) as string;
}
