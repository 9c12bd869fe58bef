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
/** A password: any text of 8+ characters, or empty for none; never printed. */
const secret = (description: string) =>
  Type.String({
    description,
    default: '',
    pattern: '^(?:|[\\s\\S]{8,})$',
    secret: true,
    writeOnly: true,
    expected: 'a password of at least 8 characters (or empty for none)',
    hint: 'use a long random password, e.g. from `openssl rand -base64 24`',
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
      extra_packages: list(
        Type.String({
          pattern: '^[a-z0-9][a-z0-9+.-]+$',
          expected: 'a Debian package name (lower-case letters, digits, +, - and .)',
          hint: 'use the name `apt-cache search` shows, e.g. htop',
        }),
        { description: 'Extra Debian packages to install.', examples: [['htop', 'ncdu']] },
      ),
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
      sudo_nopasswd: flag(false, 'Let the user run sudo without a password (NOPASSWD).'),
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
    docker: section('Docker Engine.', {
      source: source('Docker'),
      install_compose: flag(true, 'Also install the Docker Compose v2 plugin.'),
    }),
    monitoring: section('Host monitoring agent.', {
      enabled: enabled('the monitoring agent'),
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
    postgres: section('PostgreSQL server, one database and its owner.', {
      version: text('16', '^[0-9]+$', {
        description: 'PostgreSQL major version.',
        expected: 'a PostgreSQL major version such as "16"',
        hint: 'write the major version only, e.g. "16"',
      }),
      password: secret('Password of the database user.'),
      database: sqlIdentifier('app', 'Database to create.'),
      user: sqlIdentifier('app', 'Role that owns the database.'),
    }),
    redis: section('Redis server.', {
      password: secret('Password clients must send (requirepass); empty means none.'),
    }),
    devtools: section('Developer tools and language runtimes.', {
      enabled: enabled('developer tools'),
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
