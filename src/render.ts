import { Liquid } from 'liquidjs';
import { readTemplate } from './assets.js';

// strictVariables: a template that names a value the module did not pass is a bug, not an empty string.
const liquid = new Liquid({ strictVariables: true, strictFilters: true, greedy: false });

/** Render `templates/<name>` with liquid. */
export function render(name: string, vars: Record<string, unknown>): string {
  return liquid.parseAndRenderSync(readTemplate(name), vars) as string;
}
