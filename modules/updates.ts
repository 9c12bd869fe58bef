import type { Config } from '../src/config/index.js';
import type { Module } from '../src/engine/module.js';
import type { SystemFacts } from '../src/facts/system.js';
import { render } from '../src/render.js';
import { file } from '../src/resources/file.js';
import { pkg } from '../src/resources/package.js';
import { service } from '../src/resources/service.js';

export const AUTO_UPGRADES_FILE = '/etc/apt/apt.conf.d/20auto-upgrades';
export const UNATTENDED_FILE = '/etc/apt/apt.conf.d/52phanes-unattended-upgrades';
/** apt's own timers: one refreshes the lists, the other runs unattended-upgrade. */
export const APT_TIMERS = ['apt-daily.timer', 'apt-daily-upgrade.timer'];

/**
 * The security archive of each distro as unattended-upgrades matches it (`${distro_codename}` is
 * its own variable). Ubuntu's ESM pockets only match on hosts attached to Ubuntu Pro.
 */
export function securityOrigins(distro: string): string[] {
  if (distro === 'ubuntu') {
    return [
      'origin=Ubuntu,archive=${distro_codename}-security,label=Ubuntu',
      'origin=UbuntuESMApps,archive=${distro_codename}-apps-security',
      'origin=UbuntuESM,archive=${distro_codename}-infra-security',
    ];
  }
  return ['origin=Debian,codename=${distro_codename}-security,label=Debian-Security'];
}

/** The two apt.conf.d files, by path. */
export function updatesFiles(updates: Config['updates'], system: Pick<SystemFacts, 'distro'>): Record<string, string> {
  return {
    [AUTO_UPGRADES_FILE]: render('apt/20auto-upgrades.liquid', { autoclean_interval: 7 }),
    [UNATTENDED_FILE]: render('apt/52phanes-unattended-upgrades.liquid', {
      distro_name: system.distro === 'ubuntu' ? 'Ubuntu' : 'Debian',
      origins: securityOrigins(system.distro),
      automatic_reboot: updates.automatic_reboot,
      automatic_reboot_time: updates.automatic_reboot_time,
      mail: updates.mail,
    }),
  };
}

export const updates: Module = {
  name: 'updates',
  description: 'unattended security upgrades',
  resources({ config, system }) {
    if (!config.updates.enabled) return [];
    return [
      pkg('unattended-upgrades'),
      // APT::Periodic and Unattended-Upgrade settings: nothing apt-get install reads, so no barrier to batching.
      ...Object.entries(updatesFiles(config.updates, system)).map(([p, content]) => file(p, { content, aptNeutral: true })),
      ...APT_TIMERS.map((t) => service(t)),
    ];
  },
};
