import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import type { PhanesKeywords } from './keywords.js';
import { SIZE_PATTERN } from './size.js';
import { SSH_KEY_PATTERN } from './ssh-key.js';

/**
 * The Phanes config schema: the one source for validation, defaults, error wording,
 * `phanes schema` (JSON Schema) and config.yaml.example. Every key has a default, so an empty
 * file is a valid config; the loader fills defaults before it validates.
 */

type Options = PhanesKeywords & { description: string; examples?: unknown[] };

const text = (def: string, pattern: string, options: Options) => Type.String({ ...options, pattern, default: def });
const int = (def: number, minimum: number, maximum: number | undefined, options: Options) =>
  Type.Integer({ ...options, minimum, ...(maximum === undefined ? {} : { maximum }), default: def });
/** A fail2ban duration: seconds, or a number with a unit s, m, h, d or w. */
const fail2banTime = (def: string, description: string) => text(def, '^[0-9]+[smhdw]?$', {
  description,
  expected: 'a fail2ban time such as 600, 10m, 1h, 1d or 1w',
  hint: `write a number with an optional unit s, m, h, d or w, e.g. ${def}`,
});
/** A PostgreSQL name (database, role): a lower-case identifier that needs no quoting. */
const sqlIdentifier = (def: string, description: string) => text(def, '^[a-z_][a-z0-9_]{0,62}$', {
  description,
  expected: 'a lower-case SQL identifier (letters, digits and _; at most 63)',
  hint: `use a name such as ${def}`,
});
const flag = (def: boolean, description: string) => Type.Boolean({ description, default: def });
const list = <T extends TSchema>(items: T, options: Options) => Type.Array(items, { ...options, uniqueItems: true, default: [] });
const section = <T extends TProperties>(description: string, properties: T) =>
  Type.Object(properties, { description, default: {}, additionalProperties: false });
/**
 * The shortest password a database module accepts. Postgres and redis answer on the network once
 * `listen` or `bind` says so, and a short password falls to an online guesser; 16 random characters
 * do not. Empty means "not set": a module in the run refuses to start without one.
 */
export const MIN_SECRET_LENGTH = 16;
/** A password: any text of 16+ characters, or empty for "not set yet"; never printed or journaled. */
const secret = (description: string, env?: string) =>
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
const source = (vendor: string) =>
  Type.Unsafe<Source>(Type.String({
    description: `Package source: distro (the distribution's own packages, the default) or upstream (${vendor}'s apt repository).`,
    pattern: '^(?:distro|upstream)$',
    default: 'distro',
    expected: 'distro or upstream',
    hint: 'write distro (the default) or upstream',
  }));
/** A service module's on switch: off releases the module (Phanes forgets it and changes nothing). */
const enabled = (what: string, def = true) => flag(def, `Manage ${what}. Off: Phanes leaves it as it is.`);

/** A Debian package name, as `apt-cache search` shows it. */
const debianPackage = Type.String({
  pattern: '^[a-z0-9][a-z0-9+.-]+$',
  expected: 'a Debian package name (lower-case letters, digits, +, - and .)',
  hint: 'use the name `apt-cache search` shows, e.g. htop',
});
/** One of a fixed set of words, worded as an error that lists them all. */
const oneOf = <T extends string>(words: readonly T[], options: Options & { default?: T }) =>
  Type.Unsafe<T>(Type.String({ expected: `one of ${words.join(', ')}`, hint: `write one of ${words.join(', ')}`, ...options, pattern: `^(?:${words.join('|')})$` }));

const IPV4 = '(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
// The shape of an IPv6 address; the firewall kind parses it fully when the rule is declared.
const IPV6 = '[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}';

/** Monitoring agents Phanes installs (monitoring.agent). */
export const MONITORING_AGENTS = ['netdata', 'node-exporter'] as const;
export type MonitoringAgent = (typeof MONITORING_AGENTS)[number];
/** Language runtimes devtools knows (devtools.runtimes); modules/devtools.ts maps each to its packages. */
export const RUNTIMES = ['node', 'python', 'go', 'rust', 'ruby', 'java'] as const;
export type Runtime = (typeof RUNTIMES)[number];

const NAME = '[a-z_][a-z0-9_-]{0,31}';
/** A DNS name (or IPv4 address) with an optional :port: what a web server site or upstream may name. */
const HOST_PORT = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::[0-9]{1,5})?';
/** A site's name: a host name, `*.` wildcard allowed; with a port when `port` (Caddy's site address). */
const webHost = (port: boolean, description: string) => Type.String({
  description,
  pattern: `^(?:\\*\\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*${port ? '(?::[0-9]{1,5})?' : ''}$`,
  expected: `a host name such as app.example.com${port ? ' (optionally with :port)' : ''}: letters, digits, - and dots only`,
  hint: 'write the bare name, without scheme, spaces, quotes, braces or semicolons',
});
/** A site's upstream (no default: a site names root or an upstream, not both). */
const upstream = (pattern: string, options: Options) => Type.String({ ...options, pattern });
/** A static site's document root. */
const webRoot = () => Type.String({
  description: 'Directory served as static files; give root or the proxy upstream.',
  pattern: ABSOLUTE_PATH,
  expected: 'an absolute directory path such as /srv/www/site (letters, digits, . _ + -)',
  hint: 'use a path such as /var/www/app',
});
const ABSOLUTE_PATH = '^(?:/[A-Za-z0-9._+-]+)+$';
const KEY_EXPECTED = 'one OpenSSH public key line: a type (ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, …), base64 key data and an optional comment';
const KEY_HINT = 'paste the whole line printed by `cat ~/.ssh/id_ed25519.pub`, on one line, in quotes';
const KEY_EXAMPLE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... you@laptop';

export const ConfigSchema = Type.Object(
  {
    username: text('deploy', `^(?!root$)${NAME}$`, {
      description: 'Login and sudo user that Phanes creates. Not root: Phanes itself runs as root.',
      expected: 'a lower-case Linux user name other than root (a letter or _, then letters, digits, _ or -; at most 32)',
      hint: 'use a name such as deploy',
    }),
    ssh_public_key: text('', `^$|${SSH_KEY_PATTERN}`, {
      description:
        "The user's OpenSSH public key, one line. Empty means none; Phanes never disables password login while the user has no key.",
      expected: `${KEY_EXPECTED}, or empty`,
      hint: KEY_HINT,
      examples: [KEY_EXAMPLE],
    }),
    timezone: text('UTC', '^(?:UTC|(?:Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)(?:/[A-Za-z0-9_+-]+){1,2})$', {
      description: "IANA time zone: UTC or Area/City. The host's zone database is checked when applying.",
      expected: 'UTC or an IANA zone name such as Europe/Berlin or America/New_York',
      hint: 'pick a name from `timedatectl list-timezones`, e.g. America/New_York',
      examples: ['Europe/Berlin'],
    }),
    locale: text('en_US.UTF-8', '^(?:C|[a-z]{2,3}_[A-Z]{2})\\.UTF-8$', {
      description: 'System locale, generated and made the default.',
      expected: 'a UTF-8 locale such as en_US.UTF-8, de_DE.UTF-8 or C.UTF-8',
      hint: 'write language_COUNTRY.UTF-8, e.g. en_GB.UTF-8',
    }),
    baseline: section('Base system: packages every profile gets.', {
      extra_packages: list(debianPackage, { description: 'Extra Debian packages to install.', examples: [['htop', 'ncdu']] }),
      apt_cache_max_age: int(3600, 0, undefined, {
        description: 'Refresh the apt package lists when they are older than this many seconds.',
        hint: 'use a number of seconds such as 3600 (one hour)',
      }),
    }),
    user: section('The login user named by `username`.', {
      shell: text('/bin/bash', ABSOLUTE_PATH, {
        description: 'Login shell (an absolute path).',
        expected: 'an absolute path such as /bin/bash',
        hint: 'use /bin/bash or another shell listed in /etc/shells',
      }),
      groups: list(
        Type.String({ pattern: `^${NAME}$`, expected: 'a Linux group name', hint: 'use a lower-case group name such as docker' }),
        { description: 'Extra supplementary groups for the user.', examples: [['docker']] },
      ),
      sudo: flag(true, 'Add the user to the sudo group and install a sudoers drop-in.'),
      sudo_nopasswd: Type.Union([Type.Boolean(), Type.Literal('auto')], {
        description:
          'Whether sudo asks the user for a password. auto (the default): no password is asked while the user has none (user.password_hash empty), as cloud-init does for its default user, so a key-only user can still become root; once a password is set, sudo asks for it. true: never ask. false: always ask; then the user needs a password (user.password_hash), or nobody can become root over SSH and apply refuses.',
        default: 'auto',
        expected: 'auto, true or false',
        hint: 'write auto (NOPASSWD while the user has no password), true or false',
      }),
      password_hash: Type.String({
        description:
          "The user's password as a crypt(3) hash (never the password itself), e.g. from `openssl passwd -6` or `mkpasswd -m yescrypt`. Empty: Phanes sets no password (key-only login). With a hash, sudo asks for this password unless sudo_nopasswd is true. May be a ${ENV} reference; never printed or journaled.",
        default: '',
        pattern: '^(?:|\\$(?:1|5|6|y|gy|7|2[abxy]|sha1|md5)\\$[./A-Za-z0-9$=,]{8,})$',
        secret: true,
        optional: true,
        writeOnly: true,
        expected: 'a crypt(3) password hash such as $6$salt$… or $y$j9T$…, not a plain password',
        hint: 'generate one with `openssl passwd -6` (or `mkpasswd -m yescrypt`) and paste its output, in quotes; never the password itself',
      }),
      authorized_keys: list(
        Type.String({ pattern: SSH_KEY_PATTERN, expected: KEY_EXPECTED, hint: KEY_HINT }),
        { description: 'More public keys that may log in as the user, one line each, same format as ssh_public_key.' },
      ),
      lock_password: flag(false, "Lock the user's password (passwd -l), so only keys can log in."),
    }),
    swap: section('Swap file.', {
      enabled: flag(true, 'Create and enable a swap file (activation is skipped inside containers).'),
      size: text('2G', SIZE_PATTERN, {
        description: 'Size of the swap file: a whole number of megabytes (M) or gigabytes (G).',
        expected: 'a size such as 512M or 2G',
        hint: 'write a whole number followed by M or G, e.g. 2G',
      }),
      swappiness: int(10, 0, 100, {
        description: 'vm.swappiness from 0 to 100: lower keeps more in RAM.',
        hint: 'use a number from 0 to 100; 10 suits most servers',
      }),
      path: text('/swapfile', ABSOLUTE_PATH, {
        description: 'Path of the swap file.',
        expected: 'an absolute path such as /swapfile',
        hint: 'use /swapfile',
      }),
    }),
    security: section('SSH hardening, firewall and brute-force protection.', {
      ssh_port: int(22, 1, 65535, {
        description: 'Port sshd listens on; the firewall keeps it open.',
        hint: 'use 22, or a free port such as 2222',
      }),
      allow_password_auth: flag(false, 'Allow SSH password login. Phanes only turns it off once the user has a key.'),
      ufw: section('ufw firewall: deny incoming except SSH and the rules below.', {
        enabled: flag(true, 'Install and enable ufw.'),
        allow: list(
          Type.String({
            pattern: '^(?:[0-9]{1,5}(?:/(?:tcp|udp))?|[0-9]{1,5}:[0-9]{1,5}/(?:tcp|udp))$',
            expected: 'a firewall rule: a port (443), port/protocol (80/tcp) or range/protocol (60000:61000/udp)',
            hint: 'write a port such as 443, 80/tcp, or a range with a protocol such as 60000:61000/udp',
          }),
          { description: 'Extra incoming rules: PORT, PORT/tcp|udp or LOW:HIGH/tcp|udp.', examples: [['80/tcp', '443/tcp']] },
        ),
      }),
      fail2ban: section('fail2ban: ban addresses that keep failing to log in over SSH.', {
        enabled: flag(true, 'Install fail2ban with an sshd jail.'),
        bantime: fail2banTime('1h', 'How long an address stays banned (fail2ban time: 600, 10m, 1h, 1d, 1w).'),
        findtime: fail2banTime('10m', 'Window in which maxretry failures lead to a ban.'),
        maxretry: int(5, 1, 100, {
          description: 'Failures within findtime that lead to a ban.',
          hint: 'use a small number such as 5',
        }),
      }),
      sysctl_hardening: flag(true, 'Apply kernel and network hardening sysctls (syncookies, no redirects, rp_filter, kptr_restrict).'),
      hardening: section('Baseline hardening beyond sshd, ufw and sysctls.', {
        enabled: flag(true, 'Login banners, stricter login.defs, no core dumps, rare protocols and filesystems blocked, and debsums, apt-show-versions, apt-listchanges, libpam-tmpdir, libpam-pwquality and acct installed.'),
        banner: Type.String({
          description: 'Text of /etc/issue and /etc/issue.net, shown before login.',
          default: 'Authorized access only. Activity on this system is monitored and logged; unauthorized use is prohibited.',
          minLength: 1,
          expected: 'a line of text',
          hint: 'write a short legal warning such as "Authorized access only."',
        }),
        umask: text('027', '^0?[0-7]{3}$', {
          description: 'Default umask for new users and login sessions (UMASK in /etc/login.defs). 027 hides new files from other users; Debian uses 022.',
          expected: 'an octal umask such as "027" or "022"',
          hint: 'write three octal digits in quotes, e.g. "027"',
        }),
        password_max_days: int(0, 0, 99999, {
          description: 'Expire passwords of users created from now on after this many days (PASS_MAX_DAYS); 0 keeps Debian\'s 99999. An expired password blocks key logins too until it is changed.',
          hint: 'use 0 to leave passwords without expiry, or a number of days such as 365',
        }),
      }),
    }),
    updates: section('Unattended security upgrades.', {
      enabled: flag(true, 'Install unattended-upgrades and turn on automatic security updates.'),
      automatic_reboot: flag(false, 'Reboot automatically when an upgrade needs it.'),
      automatic_reboot_time: text('03:00', '^(?:[01][0-9]|2[0-3]):[0-5][0-9]$', {
        description: 'Time of day for that reboot, HH:MM in 24-hour server time.',
        expected: 'a time of day as HH:MM (24-hour), such as 03:00',
        hint: 'write two-digit hours and minutes in quotes, e.g. "03:00"',
      }),
      mail: text('', '^$|^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*$', {
        description: 'Address that receives upgrade reports; empty sends none.',
        expected: 'an email address such as admin@example.com, or empty',
        hint: 'write an address such as admin@example.com, or "" for no mail',
      }),
    }),
    docker: section('Docker Engine, Compose, log rotation, the docker group, and published ports kept behind ufw.', {
      enabled: enabled('Docker'),
      source: source('Docker'),
      install_compose: flag(true, 'Also install Docker Compose: v2 (`docker compose`) where the source has it (trixie, Ubuntu, upstream); Compose v1 (`docker-compose`) on bookworm under distro.'),
      log_max_size: text('10m', '^[1-9][0-9]{0,5}[kmg]$', {
        description: "Rotate a container's json-file log when it reaches this size (daemon.json log-opts max-size).",
        expected: 'a size with a unit k, m or g, such as 10m',
        hint: 'write a whole number followed by k, m or g, e.g. 10m',
      }),
      log_max_file: int(3, 1, 100, {
        description: 'Rotated log files kept per container (daemon.json log-opts max-file).',
        hint: 'use a small number such as 3',
      }),
      login_user: flag(true, 'Add the login user (username) to the docker group. Membership is root-equivalent: it can start privileged containers.'),
      users: list(
        Type.String({ pattern: `^${NAME}$`, expected: 'a Linux user name', hint: 'use the name of an existing user, e.g. ci' }),
        { description: 'More existing users to add to the docker group.', examples: [['ci']] },
      ),
      ufw: flag(true, 'When the security module manages ufw in the run, keep published container ports behind it (DOCKER-USER goes through ufw): a published port answers only once security.ufw.allow lists it (or a `ufw route allow` rule matches).'),
    }),
    monitoring: section('Host monitoring agent: Netdata, or Prometheus\' node exporter.', {
      enabled: enabled('the monitoring agent'),
      agent: oneOf<MonitoringAgent>(MONITORING_AGENTS, {
        description: 'netdata (dashboard on port 19999) or node-exporter (Prometheus metrics on port 9100). Debian 13 (trixie) ships no netdata: there use node-exporter, or source: upstream.',
        default: 'netdata',
      }),
      source: source('Netdata'),
      bind: text('127.0.0.1', `^(?:${IPV4}|${IPV6})$`, {
        description: 'Address the agent listens on. 127.0.0.1 keeps it local (reach it through an SSH tunnel); 0.0.0.0 listens on every address, for allow_from.',
        expected: 'an IP address such as 127.0.0.1, 0.0.0.0 or ::1',
        hint: 'write 127.0.0.1 (local only) or 0.0.0.0 (every address)',
      }),
      allow_from: list(
        Type.String({
          pattern: `^(?:${IPV4}(?:/(?:3[0-2]|[12]?[0-9]))?|${IPV6}(?:/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))?)$`,
          expected: 'an IP address or network such as 192.0.2.10 or 10.0.0.0/8',
          hint: 'write an address (203.0.113.5) or a CIDR network (10.0.0.0/8)',
        }),
        { description: "Addresses or networks allowed through the firewall to the agent's port (when security runs with ufw). Needs a bind other than 127.0.0.1.", examples: [['10.0.0.0/8']] },
      ),
    }),
    nginx: section('nginx web server: one server block per site, on port 80.', {
      enabled: enabled('nginx'),
      source: source('nginx.org'),
      sites: list(Type.Object({
        server_name: webHost(false, 'Name the server block answers to (server_name), e.g. app.example.com.'),
        root: Type.Optional(webRoot()),
        proxy_pass: Type.Optional(upstream(`^https?://${HOST_PORT}(?:/[A-Za-z0-9._~%/-]*)?$`, {
          description: 'Upstream the site passes requests to (proxy_pass); give root or proxy_pass.',
          expected: 'an http(s) URL of host and port such as http://127.0.0.1:8080 (no spaces, quotes, braces or semicolons)',
          hint: 'write http://HOST:PORT, e.g. http://127.0.0.1:3000',
        })),
      }, { additionalProperties: false }), { description: 'Sites: each {server_name, root} for static files or {server_name, proxy_pass} for a reverse proxy.' }),
    }),
    caddy: section('Caddy web server: one site block per site, HTTPS by Caddy.', {
      enabled: enabled('Caddy'),
      source: source('Caddy'),
      sites: list(Type.Object({
        host: webHost(true, 'Site address (host name, optionally :port), e.g. app.example.com.'),
        root: Type.Optional(webRoot()),
        reverse_proxy: Type.Optional(upstream(`^(?:(?:https?|h2c)://)?${HOST_PORT}(?:/[A-Za-z0-9._~%/-]*)?$`, {
          description: 'Upstream the site proxies to (reverse_proxy); give root or reverse_proxy.',
          expected: 'an upstream such as 127.0.0.1:8080 or http://app:3000 (no spaces, quotes, braces or semicolons)',
          hint: 'write HOST:PORT, e.g. 127.0.0.1:3000',
        })),
        tls_internal: Type.Optional(Type.Boolean({ description: "Use Caddy's own local CA (tls internal), for hosts without public DNS." })),
      }, { additionalProperties: false }), { description: 'Sites: each {host, root} for static files or {host, reverse_proxy} for a reverse proxy, with optional tls_internal: true.' }),
    }),
    postgres: section('PostgreSQL server, its databases and roles.', {
      enabled: enabled('PostgreSQL'),
      source: source('PGDG, the PostgreSQL project'),
      version: text('', '^(?:|[0-9]{2})$', {
        description: "PostgreSQL major version. Empty: the version the distribution ships (Debian 12: 15, Debian 13: 17, Ubuntu 22.04: 14, Ubuntu 24.04: 16); another one needs source: upstream.",
        expected: 'a PostgreSQL major version such as "17", or "" for the distribution\'s',
        hint: 'write the major version only, in quotes, e.g. "17", or "" for the one the distribution ships',
      }),
      listen: Type.Array(Type.String({
        pattern: '^(?:localhost|\\*|[0-9.]+|[0-9a-fA-F:]+)$',
        expected: 'localhost, * or an IP address of this host',
        hint: 'write localhost, an address such as 10.0.0.5, or * for every address',
      }), {
        description: 'Addresses PostgreSQL listens on (listen_addresses). localhost only unless you say otherwise; TCP logins always need a scram-sha-256 password.',
        default: ['localhost'], minItems: 1, uniqueItems: true, examples: [['localhost', '10.0.0.5']],
      }),
      databases: Type.Array(Type.Object({
        name: sqlIdentifier('app', 'Database name.'),
        owner: Type.Optional(sqlIdentifier('app', 'Role that owns it (one of roles); default: the role with the database\'s name.')),
      }, { additionalProperties: false }), {
        description: 'Databases to create, each with its owner.',
        default: [{ name: 'app', owner: 'app' }],
      }),
      roles: Type.Array(Type.Object({
        name: sqlIdentifier('app', 'Role name.'),
        password: Type.Optional(secret('Login password, stored as a scram-sha-256 verifier.', 'POSTGRES_PASSWORD')),
        password_file: Type.Optional(Type.String({
          pattern: ABSOLUTE_PATH,
          description: 'Instead of password: a root-owned file of mode 0600 on the server that holds it.',
          expected: 'an absolute path such as /etc/phanes/app.password',
          hint: 'write the path of a file only root can read (chmod 600)',
        })),
      }, { additionalProperties: false }), {
        description: 'Login roles, each with a password, or password_file: the path of a root-owned 0600 file that holds it.',
        default: [{ name: 'app', password: '' }],
      }),
    }),
    redis: section('Redis server.', {
      enabled: enabled('Redis'),
      password: secret('Password clients must send (requirepass).', 'REDIS_PASSWORD'),
      bind: Type.Array(Type.String({
        pattern: '^-?(?:[0-9.]+|[0-9a-fA-F:]+)$',
        expected: 'an IP address such as 127.0.0.1 or ::1',
        hint: 'write an address of this host; a leading - makes it optional',
      }), { description: 'Addresses Redis listens on.', default: ['127.0.0.1', '::1'], minItems: 1, uniqueItems: true }),
      maxmemory: text('', '^(?:|[0-9]+(?:[kKmMgG][bB]?)?)$', {
        description: 'Memory limit such as 256mb; empty: no limit.',
        expected: 'a size such as 256mb or 1gb, or empty',
        hint: 'write a number with kb, mb or gb, e.g. 256mb',
      }),
      maxmemory_policy: text('noeviction', '^(?:noeviction|allkeys-lru|allkeys-lfu|allkeys-random|volatile-lru|volatile-lfu|volatile-random|volatile-ttl)$', {
        description: 'What Redis does at maxmemory: noeviction (refuse writes) or an eviction policy such as allkeys-lru.',
        expected: 'a Redis maxmemory-policy such as noeviction or allkeys-lru',
        hint: 'use noeviction (the default) or allkeys-lru for a cache',
      }),
    }),
    devtools: section('Developer tools (git, build-essential, curl) and language runtimes from the distribution.', {
      enabled: enabled('developer tools'),
      runtimes: list(oneOf<Runtime>(RUNTIMES, {
        description: 'A language runtime.',
        expected: `a runtime Phanes knows: ${RUNTIMES.join(', ')}`,
        hint: `write one of ${RUNTIMES.join(', ')}, or name the Debian package under devtools.packages`,
      }), {
        description: `Language runtimes to install: ${RUNTIMES.join(', ')} (node: nodejs and npm; python: python3 with venv and pip; go: golang-go; rust: rustc and cargo; ruby: ruby-full; java: default-jdk-headless).`,
        examples: [['node', 'python', 'go']],
      }),
      packages: list(debianPackage, { description: 'Extra Debian packages for development.', examples: [['jq', 'sqlite3']] }),
    }),
    coolify: section('Coolify, the self-hosted PaaS, installed once by its official installer.', {
      enabled: enabled('Coolify'),
      installer_url: text('https://cdn.coollabs.io/coolify/install.sh', '^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%/-]*)?$', {
        description: "Where the installer is downloaded from (Coolify's official script by default).",
        expected: 'an http(s) URL such as https://cdn.coollabs.io/coolify/install.sh',
        hint: 'leave the default unless you mirror the installer',
      }),
      installer_sha256: text('', '^(?:|[0-9a-f]{64})$', {
        description: 'Expected sha256 of the installer; a mismatch refuses before running it. Empty: not checked.',
        expected: 'a sha256 as 64 lower-case hex digits, or empty',
        hint: 'use the output of `sha256sum install.sh`',
      }),
      min_disk_gb: int(30, 0, undefined, {
        description: "Free space on / the installer needs, in GB (Coolify's docs ask for 30).",
        hint: 'use a whole number of gigabytes such as 30',
      }),
      root_username: text('', '^$|^[A-Za-z0-9_.-]{1,64}$', {
        description: 'Name of the first (root) Coolify user; empty lets the web UI ask.',
        expected: 'a user name of letters, digits, _, . or -',
        hint: 'use a name such as admin',
      }),
      root_user_email: text('', '^$|^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*$', {
        description: 'Email of the first Coolify user; empty lets the web UI ask.',
        expected: 'an email address such as admin@example.com, or empty',
        hint: 'write an address such as admin@example.com',
      }),
      root_user_password: secret('Password of the first Coolify user (passed to the installer in its environment).'),
      autoupdate: flag(true, "Let Coolify update itself (the installer's AUTOUPDATE)."),
    }),
  },
  { additionalProperties: false, description: 'Phanes configuration.' },
);

/** A complete config: every key present, defaults filled in. */
export type Config = Static<typeof ConfigSchema>;
