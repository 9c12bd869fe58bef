import type { Config } from './schema.js';
import { isPlaceholderKey } from './ssh-key.js';

/**
 * Every public key that could log in as the user: ssh_public_key then user.authorized_keys,
 * without duplicates or `AAAA...` placeholders. The engine refuses to lock password login
 * (or to apply at all) when this is empty.
 */
export function loginKeys(config: Config): string[] {
  const all = [config.ssh_public_key, ...config.user.authorized_keys].map((k) => k.trim());
  return [...new Set(all.filter((k) => k !== '' && !isPlaceholderKey(k)))];
}
