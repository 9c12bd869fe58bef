// Everything a command does once it runs. The CLI (src/main.ts and src/commands/) only declares
// commands and options, and loads this on first use through src/core-loader.ts, so `--help`,
// `--version` and a mistyped option compile none of the engine. In the bundle the core is its own
// file (dist/phanes-core.cjs); in the single binary it is an embedded asset. The two never share a
// module with state or classes (scripts/build.mjs checks), so errors keep one identity.
export { apply } from './actions/apply.js';
export { confirm } from './actions/confirm.js';
export { diff } from './actions/diff.js';
export { guardRevert } from './actions/guard.js';
export { commandIO, reportFailure } from './actions/io.js';
export { listModules } from './actions/list.js';
export { log } from './actions/log.js';
export { rollback } from './actions/rollback.js';
export { schema } from './actions/schema.js';
export { stateRebuild } from './actions/state-rebuild.js';
export { status } from './actions/status.js';
export { validate } from './actions/validate.js';
