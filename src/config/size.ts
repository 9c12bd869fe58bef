import { ConfigError } from '../errors.js';

export const SIZE_PATTERN = '^[1-9][0-9]*(M|G)$';

const UNIT = { M: 1024 ** 2, G: 1024 ** 3 } as const;

/** Bytes in a size such as `512M` or `2G` (binary units, as fallocate and dd read them). */
export function parseSize(size: string, path = 'swap.size'): number {
  const match = /^([1-9][0-9]*)(M|G)$/.exec(size);
  if (!match) {
    throw new ConfigError([{ path, message: `expected a size such as 2G or 512M, got ${JSON.stringify(size)}`, suggestion: 'write a whole number followed by M or G, e.g. 2G' }]);
  }
  return Number(match[1]) * UNIT[match[2] as keyof typeof UNIT];
}
