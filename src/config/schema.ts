import { Type, type Static } from '@sinclair/typebox';
import { ABSOLUTE_PATH, KEY_EXAMPLE, KEY_EXPECTED, KEY_HINT, NAME, debianPackage, enabled, fail2banTime, flag, int, list, secret, section, text } from './schema-kit.js';
import { serviceSections } from './schema-services.js';
import { SIZE_PATTERN } from './size.js';
import { SSH_KEY_PATTERN } from './ssh-key.js';

/**
 * The Phanes config schema: the one source for validation, defaults, error wording,
 * `phanes schema` (JSON Schema) and config.yaml.example. Every key has a default, so a file of
 * comments only is a valid config (an empty one is refused as a mistake); the loader fills defaults before it validates.
 */

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
    ...serviceSections,
  },
  { additionalProperties: false, description: 'Phanes configuration.' },
);

export { MIN_SECRET_LENGTH, MONITORING_AGENTS, RUNTIMES, SOURCES, type MonitoringAgent, type Runtime, type Source } from './schema-kit.js';

/** A complete config: every key present, defaults filled in. */
export type Config = Static<typeof ConfigSchema>;
