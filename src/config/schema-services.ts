import { Type } from '@sinclair/typebox';
import {
  ABSOLUTE_PATH, HOST_PORT, IPV4, IPV6, MONITORING_AGENTS, NAME, RUNTIMES, debianPackage, enabled, flag, int, list, oneOf, secret, section, source, sqlIdentifier, text, upstream, webHost, webRoot,
  type MonitoringAgent, type Runtime,
} from './schema-kit.js';

/** The service modules' sections of the config schema (docker … coolify), in run order. */
export const serviceSections = {
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
};
