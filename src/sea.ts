// node:sea when this process is the single executable, else null (the bundle, tsx, or a Node
// before 20.12, which lacks the module). Stateless, so the CLI entry and the core can both carry it.
import { createRequire } from 'node:module';

/** The part of node:sea Phanes uses. */
export interface Sea {
  isSea(): boolean;
  getAsset(key: string, encoding: string): string;
  getRawAsset(key: string): ArrayBuffer;
}

export function packagedSea(): Sea | null {
  try {
    const sea = createRequire(import.meta.url)('node:sea') as Sea;
    return sea.isSea() ? sea : null;
  } catch {
    return null;
  }
}
