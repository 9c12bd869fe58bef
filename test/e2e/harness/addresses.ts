// Hands out host addresses in the lab /24; a lock file per address keeps parallel test processes apart.
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { config } from './config.js';
import { pidAlive } from './sys.js';

const FIRST = 10;
const LAST = 250;
const lockDir = path.join(config.stateDir, 'addresses');
const lockPath = (octet: number): string => path.join(lockDir, String(octet));

/**
 * Reserves a free last octet and names the host; the lock file says "<pid> <name>", which is how
 * leakcheck.sh and cleanup.sh tell hosts of live processes from leftovers. Reclaims locks of dead processes.
 */
export function allocateOctet(nameFor: (octet: number) => string): { octet: number; name: string } {
  mkdirSync(lockDir, { recursive: true });
  for (let octet = FIRST; octet <= LAST; octet++) {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lockPath(octet), 'wx');
        const name = nameFor(octet);
        writeSync(fd, `${process.pid} ${name}\n`);
        closeSync(fd);
        return { octet, name };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(readFileSync(lockPath(octet), 'utf8').split(' ')[0]);
        if (pid > 0 && pidAlive(pid)) break;
        rmSync(lockPath(octet), { force: true });
      }
    }
  }
  throw new Error(`no free address in ${config.subnetPrefix}.${FIRST}-${LAST}`);
}

export function releaseOctet(octet: number): void {
  rmSync(lockPath(octet), { force: true });
}
