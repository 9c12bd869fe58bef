import type { Segment } from './paths.js';
import type { RawIssue } from './raw-issue.js';
import { parseSize } from './size.js';

/**
 * Accounts a Debian or Ubuntu system (or a package Phanes installs) owns. Phanes would take one over
 * as the login user: give it a shell, a key and sudo.
 */
export const SYSTEM_ACCOUNTS: ReadonlySet<string> = new Set([
  'root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data', 'backup', 'list',
  'irc', 'gnats', 'nobody', '_apt', 'messagebus', 'sshd', 'systemd-network', 'systemd-resolve', 'systemd-timesync',
  'systemd-coredump', 'polkitd', 'tss', 'uuidd', 'tcpdump', 'postgres', 'redis', 'netdata', 'prometheus', 'caddy', 'nginx', 'docker', 'ntp', 'statd',
]);

/** Groups that give root's powers outright; `sudo` is the module's own switch (user.sudo). */
const ROOT_GROUPS = new Set(['root', 'shadow', 'disk', 'kmem']);

/** Top-level directories a swap file must never be created in: mkswap would overwrite a system file. */
const SYSTEM_DIRS = ['/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/boot', '/dev', '/proc', '/sys', '/run'];
const MAX_SWAP = 1024 ** 4; // 1 TiB: more is a typo, and fallocate would fill the disk halfway through a run

// Control characters other than tab and newline; those two are allowed only in free text (the banner).
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;
const LINE_BREAK = /[\t\n]/;
const FREE_TEXT = new Set(['security.hardening.banner']);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const dotted = (path: readonly Segment[]): string => path.filter((s) => typeof s === 'string').join('.');

/** Every string in the config with its path. */
function strings(value: unknown, path: Segment[] = []): [Segment[], string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, [...path, i]));
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => strings(v, [...path, k]));
  return [];
}

/** A zone the time zone database knows (ICU's copy of it, in Node). */
function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

let displayNames: { language: Intl.DisplayNames; region: Intl.DisplayNames } | undefined;
/** `xx_YY.UTF-8`: what is wrong with the language or the country code, if anything. */
function localeProblem(locale: string): string | undefined {
  const match = /^([a-z]{2,3})_([A-Z]{2})\./.exec(locale);
  if (!match) return undefined;
  displayNames ??= {
    language: new Intl.DisplayNames('en', { type: 'language', fallback: 'none' }),
    region: new Intl.DisplayNames('en', { type: 'region', fallback: 'none' }),
  };
  if (displayNames.language.of(match[1]!) === undefined) return `${match[1]} is not a language code`;
  if (displayNames.region.of(match[2]!) === undefined) return `${match[2]} is not a country code`;
  return undefined;
}

/**
 * Values that pass their pattern but would harm or break the host: control characters that would
 * start a new line in a config file (or cannot be passed to a process at all), system accounts as
 * the login user, a swap file over system files, a zone or locale that does not exist.
 */
export function safetyIssues(config: Record<string, unknown>): RawIssue[] {
  const issues: RawIssue[] = [];
  for (const [path, text] of strings(config)) {
    const free = FREE_TEXT.has(dotted(path));
    if (text.includes('\0') || CONTROL.test(text) || (!free && LINE_BREAK.test(text))) {
      issues.push({ path, target: 'value', message: 'the value holds a control character (a NUL, a line break or a tab), which would split or cut the file or command it goes into', suggestion: 'write it on one line, without escapes such as \\n or \\0' });
    }
  }
  const { username, timezone, locale } = config;
  if (typeof username === 'string' && SYSTEM_ACCOUNTS.has(username)) {
    issues.push({ path: ['username'], target: 'value', message: `${username} is a system account: Phanes would give it a login shell, SSH keys and sudo`, suggestion: 'use a name of your own for the login user, such as deploy' });
  }
  const user = config.user;
  if (isRecord(user) && Array.isArray(user.groups)) user.groups.forEach((g, i) => {
    if (typeof g === 'string' && ROOT_GROUPS.has(g)) issues.push({ path: ['user', 'groups', i], target: 'value', message: `group ${g} gives its members root's powers over the system's files`, suggestion: 'remove it; user.sudo: true is the way to give the user root' });
  });
  if (typeof timezone === 'string' && /^[A-Z][A-Za-z]+\//.test(timezone) && !knownZone(timezone)) {
    issues.push({ path: ['timezone'], target: 'value', message: `${timezone} is not a time zone`, suggestion: 'pick a name from `timedatectl list-timezones`, e.g. Europe/Berlin' });
  }
  const localeIssue = typeof locale === 'string' ? localeProblem(locale) : undefined;
  if (localeIssue) issues.push({ path: ['locale'], target: 'value', message: `${String(locale)} is not a locale: ${localeIssue}`, suggestion: 'write language_COUNTRY.UTF-8 as `locale -a` or /usr/share/i18n/SUPPORTED lists it, e.g. en_GB.UTF-8' });
  const swap = config.swap;
  if (isRecord(swap)) {
    if (typeof swap.size === 'string' && /^[1-9][0-9]*[MG]$/.test(swap.size) && parseSize(swap.size) > MAX_SWAP) {
      issues.push({ path: ['swap', 'size'], target: 'value', message: `${swap.size} is more than 1T of swap`, suggestion: 'a swap file is usually the size of the RAM or less, e.g. 2G' });
    }
    const inside = typeof swap.path === 'string' ? SYSTEM_DIRS.find((d) => swap.path === d || (swap.path as string).startsWith(`${d}/`)) : undefined;
    if (inside) issues.push({ path: ['swap', 'path'], target: 'value', message: `${String(swap.path)} is inside ${inside}, where mkswap would overwrite system or user files`, suggestion: 'use /swapfile' });
  }
  return issues;
}
