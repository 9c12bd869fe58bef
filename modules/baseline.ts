import type { Module } from '../src/engine/module.js';
import { aptUpdate } from '../src/resources/apt-update.js';
import { localeAvailable } from '../src/facts/locales.js';
import { command } from '../src/resources/command.js';
import { file } from '../src/resources/file.js';
import { line } from '../src/resources/line.js';
import { pkg } from '../src/resources/package.js';
import { timezone } from '../src/resources/timezone.js';
import type { Decl } from '../src/resources/types.js';

const BASE_PACKAGES = ['ca-certificates', 'curl', 'gnupg', 'tzdata'];

/** `en_US.UTF-8` → the locale.gen line, the name `locale -a` prints, and whether it needs generating. */
export function localeParts(locale: string): { genLine: string; listed: string; generated: boolean } {
  const [name = locale, charset = 'UTF-8'] = locale.split('.');
  const listed = `${name}.${charset.toLowerCase().replace(/-/g, '')}`;
  return { genLine: `${locale} ${charset}`, listed, generated: name !== 'C' && name !== 'POSIX' };
}

function localeResources(locale: string): Decl[] {
  const { genLine, listed, generated } = localeParts(locale);
  const gen: Decl[] = generated
    ? [
        pkg('locales'),
        line('/etc/locale.gen', genLine, new RegExp(`^#?\\s*${locale.replace(/\./g, '\\.')}\\s`)),
        command(`locale-gen ${locale}`, { check: (host) => localeAvailable(host, listed), run: ['locale-gen'], aptNeutral: true, undo: ['localedef', '--delete-from-archive', listed] }),
      ]
    : [];
  return [...gen, file('/etc/default/locale', { content: `LANG=${locale}\n` })];
}

const ZONEINFO = '/usr/share/zoneinfo';
const SUPPORTED = '/usr/share/i18n/SUPPORTED';

/**
 * The zone and locale checked against the host's own lists, where it has them (tzdata and locales may
 * only come with this run): a name the host lacks would stop the run halfway, after other changes.
 */
export function hostNameProblems(config: { timezone: string; locale: string }, zoneinfo: boolean, zone: boolean, supported: string | undefined): string[] {
  const out: string[] = [];
  if (zoneinfo && !zone) out.push(`timezone: ${config.timezone} is not in ${ZONEINFO} on this host; pick a name from \`timedatectl list-timezones\``);
  if (supported !== undefined && localeParts(config.locale).generated && !supported.split('\n').some((l) => l.startsWith(`${config.locale} `))) {
    out.push(`locale: ${config.locale} is not in ${SUPPORTED} on this host; pick a UTF-8 locale listed there, e.g. en_US.UTF-8`);
  }
  return out;
}

export const baseline: Module = {
  name: 'baseline',
  description: 'timezone, locale, fresh apt lists and base packages',
  resources({ config }) {
    const extra = config.baseline.extra_packages.filter((p: string) => !BASE_PACKAGES.includes(p));
    return [
      aptUpdate(config.baseline.apt_cache_max_age),
      ...[...BASE_PACKAGES, ...extra].map((p) => pkg(p)),
      timezone(config.timezone),
      ...localeResources(config.locale),
    ];
  },
  async hostPreflight({ config }, host) {
    const [stats, files] = await Promise.all([host.statFiles([ZONEINFO, `${ZONEINFO}/${config.timezone}`]), host.readFiles([SUPPORTED])]);
    const supported = files.get(SUPPORTED);
    return hostNameProblems(config, Boolean(stats.get(ZONEINFO)), Boolean(stats.get(`${ZONEINFO}/${config.timezone}`)), supported ? supported.toString('utf8') : undefined);
  },
};
