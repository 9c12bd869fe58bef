/** Where the journal lives by default. Kept apart from the store so the CLI can name it without loading the store. */
export const DEFAULT_STATE_DIR = '/var/lib/phanes';

/** `--state-dir` falls back to this: `PHANES_STATE_DIR`, else /var/lib/phanes (an empty value counts as unset). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.PHANES_STATE_DIR;
  return dir !== undefined && dir !== '' ? dir : DEFAULT_STATE_DIR;
}
