import fs from 'node:fs';
import path from 'node:path';
import { tempDirs } from './temp-dirs.js';

/** A temp dir for one test file, removed after it; `write` puts YAML in a fresh file there, as a user's config.yaml would be. */
export function configFiles(prefix: string): { dir: string; write(yaml: string): string } {
  const dir = tempDirs(prefix)();
  let count = 0;
  return {
    dir,
    write(yaml: string): string {
      const file = path.join(dir, `config-${++count}.yaml`);
      fs.writeFileSync(file, yaml);
      return file;
    },
  };
}
