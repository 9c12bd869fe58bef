import { aptUpdateKind } from './apt-update.js';
import { blockKind } from './block.js';
import { commandKind } from './command.js';
import { directoryKind } from './directory.js';
import { fileKind } from './file.js';
import { groupMemberKind } from './group-member.js';
import { lineKind } from './line.js';
import { moduliKind } from './moduli.js';
import { liveSysctlKind } from './live-sysctl.js';
import { packageKind } from './package.js';
import { pgKind } from './pg.js';
import { serviceKind } from './service.js';
import { swapfileKind, swaponKind } from './swapfile.js';
import { timezoneKind } from './timezone.js';
import type { Kind } from './types.js';
import { ufwKind } from './ufw.js';
import { unitDropinKind } from './unit-dropin.js';
import { userKind } from './user.js';

/** Every resource kind, by name. A kind added here is known to plan, status and rollback alike. */
// Kinds differ in their option types; the registry only routes by name, so it holds them as Kind<never>-compatible.
const kinds: ReadonlyArray<Kind<any>> = [ // eslint-disable-line @typescript-eslint/no-explicit-any -- heterogeneous option types, routed by name only
  aptUpdateKind, packageKind, fileKind, directoryKind, lineKind, serviceKind, userKind, timezoneKind, commandKind,
  moduliKind, unitDropinKind,
  swapfileKind, swaponKind, liveSysctlKind,
  ufwKind,
  blockKind, groupMemberKind, pgKind,
];

const byName = new Map(kinds.map((k) => [k.name, k]));

export function kindOf(name: string): Kind {
  const kind = byName.get(name);
  if (!kind) throw new Error(`unknown resource kind "${name}" (the journal is newer than this Phanes?)`);
  return kind as Kind;
}

export const kindNames = (): string[] => [...byName.keys()];
