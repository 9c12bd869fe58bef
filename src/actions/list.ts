import { ALL_MODULE_NAMES, MODULES } from '../../modules/index.js';
import { missingModules, PROFILES } from '../engine/profiles.js';
import type { Reporter } from '../report/reporter.js';

/** Print the modules and profiles this build has (shared with the legacy `--list`). */
export function listModules(reporter: Reporter): void {
  reporter.record('heading', { text: 'modules' }, 'Modules:');
  for (const m of MODULES) reporter.record('module', { name: m.name, description: m.description, available: true }, `  ${m.name.padEnd(11)} ${m.description}`);
  const coming = ALL_MODULE_NAMES.filter((n) => !MODULES.some((m) => m.name === n));
  if (coming.length) reporter.record('note', { notYetBuilt: coming }, `  (not in this build yet: ${coming.join(', ')})`);
  reporter.record('heading', { text: 'profiles' }, 'Profiles:');
  for (const [name, modules] of Object.entries(PROFILES)) {
    const missing = missingModules(name);
    reporter.record('profile', { name, modules, available: missing.length === 0, missing },
      `  ${name.padEnd(11)} ${modules.join(', ')}${missing.length ? `  (needs ${missing.join(', ')}: not available yet)` : ''}`);
  }
  reporter.record('summary', { modules: MODULES.length, profiles: Object.keys(PROFILES).length }, '');
}

