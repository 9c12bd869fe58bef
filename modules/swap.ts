import { parseSize } from '../src/config/index.js';
import type { Module } from '../src/engine/module.js';
import { inContainer } from '../src/facts/container.js';
import { file } from '../src/resources/file.js';
import { line } from '../src/resources/line.js';
import { liveSysctlOn } from '../src/resources/live-sysctl.js';
import { swapfile, swapon } from '../src/resources/swapfile.js';
import { skipIf } from '../src/resources/types.js';

export const SWAP_SYSCTL_FILE = '/etc/sysctl.d/60-phanes-swap.conf';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The fstab entry for a swap file, and the pattern that finds an older entry for the same file. */
export function fstabEntry(filePath: string): { text: string; match: RegExp } {
  return { text: `${filePath} none swap sw 0 0`, match: new RegExp(`^\\s*${escapeRe(filePath)}\\s+\\S+\\s+swap\\s`) };
}

export const swap: Module = {
  name: 'swap',
  description: 'swap file, fstab entry and swappiness',
  resources({ config, system }) {
    const s = config.swap;
    if (!s.enabled) return []; // an existing swap Phanes did not add is left as it is
    const fstab = fstabEntry(s.path);
    return [
      swapfile(s.path, parseSize(s.size)),
      // Swap is the machine's, not a container's: in one, activating would change the machine.
      skipIf(swapon(s.path), inContainer(system.container, "swapon would change the machine's swap, not this host's")),
      line('/etc/fstab', fstab.text, fstab.match),
      file(SWAP_SYSCTL_FILE, { content: `# Managed by Phanes (swap module)\nvm.swappiness = ${s.swappiness}\n` }),
      liveSysctlOn(system, 'vm.swappiness', s.swappiness),
    ];
  },
};
