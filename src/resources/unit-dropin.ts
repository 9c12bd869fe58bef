import * as path from 'node:path';
import { file, fileKind, type FileOptions, type FileSpec } from './file.js';
import type { Decl, Kind, KindContext } from './types.js';

/**
 * A systemd drop-in (`/etc/systemd/system/<unit>.d/<name>`) that takes effect: after writing it,
 * and after rollback puts the old one back, systemd reloads its unit files and the unit is
 * reloaded or restarted if it runs. A plain file plus a service would leave the old unit
 * definition loaded on rollback, since the engine has no daemon-reload step.
 */
export function unitDropin(unit: string, name: string, spec: FileSpec): Decl<FileOptions> {
  return { ...file(`/etc/systemd/system/${unit}.d/${name}`, spec), kind: 'unit-dropin' };
}

/** `/etc/systemd/system/ssh.socket.d/x.conf` → `ssh.socket`: the id alone names the unit (rollback has no options). */
export const unitOfDropin = (id: string): string => path.basename(path.dirname(id)).replace(/\.d$/, '');

async function activate(ctx: KindContext, id: string): Promise<void> {
  await ctx.host.run(['systemctl', 'daemon-reload']);
  // A socket cannot reload, so it restarts; a stopped unit stays stopped.
  await ctx.host.run(['systemctl', 'try-reload-or-restart', '--', unitOfDropin(id)]);
}

export const unitDropinKind: Kind<FileOptions> = {
  ...fileKind,
  name: 'unit-dropin',
  label: (d) => `drop-in ${d.id}`,
  async converge(ctx, decl, current) {
    await fileKind.converge(ctx, decl, current);
    await activate(ctx, decl.id);
  },
  async revert(ctx, decl, current, target) {
    const outcome = await fileKind.revert(ctx, decl, current, target);
    await activate(ctx, decl.id);
    return outcome;
  },
};
