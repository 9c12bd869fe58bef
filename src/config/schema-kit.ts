import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import type { PhanesKeywords } from './keywords.js';

/** The building blocks of the config schema: typed fields with their error wording, and shared patterns. */

export type Options = PhanesKeywords & { description: string; examples?: unknown[] };

export const text = (def: string, pattern: string, options: Options) => Type.String({ ...options, pattern, default: def });
export const int = (def: number, minimum: number, maximum: number | undefined, options: Options) =>
  Type.Integer({ ...options, minimum, ...(maximum === undefined ? {} : { maximum }), default: def });
/** A fail2ban duration: seconds, or a number with a unit s, m, h, d or w. */
export const fail2banTime = (def: string, description: string) => text(def, '^[0-9]+[smhdw]?$', {
  description,
  expected: 'a fail2ban time such as 600, 10m, 1h, 1d or 1w',
  hint: `write a number with an optional unit s, m, h, d or w, e.g. ${def}`,
});
/** A PostgreSQL name (database, role): a lower-case identifier that needs no quoting. */
export const sqlIdentifier = (def: string, description: string) => text(def, '^[a-z_][a-z0-9_]{0,62}$', {
  description,
  expected: 'a lower-case SQL identifier (letters, digits and _; at most 63)',
  hint: `use a name such as ${def}`,
});
export const flag = (def: boolean, description: string) => Type.Boolean({ description, default: def });
export const list = <T extends TSchema>(items: T, options: Options) => Type.Array(items, { ...options, uniqueItems: true, default: [] });
export const section = <T extends TProperties>(description: string, properties: T) =>
  Type.Object(properties, { description, default: {}, additionalProperties: false });
/**
 * The shortest password a database module accepts. Postgres and redis answer on the network once
 * `listen` or `bind` says so, and a short password falls to an online guesser; 16 random characters
 * do not. Empty means "not set": a module in the run refuses to start without one.
 */
export const MIN_SECRET_LENGTH = 16;
/** A password: any text of 16+ characters, or empty for "not set yet"; never printed or journaled. */
export const secret = (description: string, env?: string) =>
  Type.String({
    description,
    default: '',
    pattern: `^(?:|[\\s\\S]{${MIN_SECRET_LENGTH},})$`,
    secret: true,
    writeOnly: true,
    ...(env ? { env } : {}),
    expected: `a password of at least ${MIN_SECRET_LENGTH} characters`,
    hint: 'a database reachable with a short password is one an online guesser gets into; use a long random one, e.g. from `openssl rand -base64 24`',
  });

/**
 * Where a service module's packages come from: `distro` (Debian's or Ubuntu's own, the default and
 * what the tests run) or `upstream` (the vendor's apt repository, added with a key in /etc/apt/keyrings).
 */
export const SOURCES = ['distro', 'upstream'] as const;
export type Source = (typeof SOURCES)[number];
export const source = (vendor: string) =>
  Type.Unsafe<Source>(Type.String({
    description: `Package source: distro (the distribution's own packages, the default) or upstream (${vendor}'s apt repository).`,
    pattern: '^(?:distro|upstream)$',
    default: 'distro',
    expected: 'distro or upstream',
    hint: 'write distro (the default) or upstream',
  }));
/** A service module's on switch: off releases the module (Phanes forgets it and changes nothing). */
export const enabled = (what: string, def = true) => flag(def, `Manage ${what}. Off: Phanes leaves it as it is.`);

/** A Debian package name, as `apt-cache search` shows it. */
export const debianPackage = Type.String({
  pattern: '^[a-z0-9][a-z0-9+.-]+$',
  expected: 'a Debian package name (lower-case letters, digits, +, - and .)',
  hint: 'use the name `apt-cache search` shows, e.g. htop',
});
/** One of a fixed set of words, worded as an error that lists them all. */
export const oneOf = <T extends string>(words: readonly T[], options: Options & { default?: T }) =>
  Type.Unsafe<T>(Type.String({ expected: `one of ${words.join(', ')}`, hint: `write one of ${words.join(', ')}`, ...options, pattern: `^(?:${words.join('|')})$` }));

export const IPV4 = '(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
// The shape of an IPv6 address; the firewall kind parses it fully when the rule is declared.
export const IPV6 = '[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}';

/** Monitoring agents Phanes installs (monitoring.agent). */
export const MONITORING_AGENTS = ['netdata', 'node-exporter'] as const;
export type MonitoringAgent = (typeof MONITORING_AGENTS)[number];
/** Language runtimes devtools knows (devtools.runtimes); modules/devtools.ts maps each to its packages. */
export const RUNTIMES = ['node', 'python', 'go', 'rust', 'ruby', 'java'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export const NAME = '[a-z_][a-z0-9_-]{0,31}';
/** A DNS name (or IPv4 address) with an optional :port: what a web server site or upstream may name. */
export const HOST_PORT = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::[0-9]{1,5})?';
/** A site's name: a host name, `*.` wildcard allowed; with a port when `port` (Caddy's site address). */
export const webHost = (port: boolean, description: string) => Type.String({
  description,
  pattern: `^(?:\\*\\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*${port ? '(?::[0-9]{1,5})?' : ''}$`,
  expected: `a host name such as app.example.com${port ? ' (optionally with :port)' : ''}: letters, digits, - and dots only`,
  hint: 'write the bare name, without scheme, spaces, quotes, braces or semicolons',
});
/** A site's upstream (no default: a site names root or an upstream, not both). */
export const upstream = (pattern: string, options: Options) => Type.String({ ...options, pattern });
/** A static site's document root. */
export const webRoot = () => Type.String({
  description: 'Directory served as static files; give root or the proxy upstream.',
  pattern: ABSOLUTE_PATH,
  expected: 'an absolute directory path such as /srv/www/site (letters, digits, . _ + -)',
  hint: 'use a path such as /var/www/app',
});
// No `.` or `..` segment: a path never climbs out of where it says it is.
export const ABSOLUTE_PATH = '^(?:/(?!\\.\\.?(?:/|$))[A-Za-z0-9._+-]+)+$';
export const KEY_EXPECTED = 'one OpenSSH public key line: a type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, …), base64 key data and an optional comment';
export const KEY_HINT = 'paste the whole line printed by `cat ~/.ssh/id_ed25519.pub`, on one line, in quotes';
export const KEY_EXAMPLE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... you@laptop';
