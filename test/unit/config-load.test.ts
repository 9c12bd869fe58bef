import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { configFiles } from './support/config-file.js';
import { configSha256, defaultConfig, loadConfig, loginKeys, parseConfig, redactConfig, secretPaths } from '../../src/config/index.js';

const { dir, write } = configFiles('phanes-config-load-');

/** A well-formed ssh-ed25519 line: the blob is the algorithm name and a 32-byte point. */
function ed25519(comment = 'me@laptop', fill = 7): string {
  const u32 = (n: number): Buffer => Buffer.from([0, 0, 0, n]);
  const blob = Buffer.concat([u32(11), Buffer.from('ssh-ed25519'), u32(32), Buffer.alloc(32, fill)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

/** The PRD's example config, its postgres part in the roles form that replaced `postgres.password`. */
const PRD_EXAMPLE = `# User settings
username: deploy
ssh_public_key: "ssh-ed25519 AAAA... user@host"
timezone: America/New_York

# Feature toggles
swap:
  enabled: true
  size: 2G

security:
  ssh_port: 22
  allow_password_auth: false
  
docker:
  install_compose: true

postgres:
  version: "16"
  roles:
    - name: app
      password: "change-me-in-production"

redis:
  password: "change-me-in-production"
`;

describe('loadConfig accepts good configs', () => {
  it("loads the PRD's example config", async () => {
    const loaded = await loadConfig({ file: write(PRD_EXAMPLE), explicit: true, env: {} });
    assert.equal(loaded.fromDefaults, false);
    assert.equal(loaded.config.username, 'deploy');
    assert.equal(loaded.config.timezone, 'America/New_York');
    assert.equal(loaded.config.swap.size, '2G');
    assert.equal(loaded.config.postgres.version, '16');
    assert.equal(loaded.config.locale, 'en_US.UTF-8', 'keys it leaves out get their defaults');
    assert.deepEqual(loaded.secrets, ['change-me-in-production']);
  });

  it('loads the PRD placeholder key but warns, and does not count it as a login key', async () => {
    const loaded = await loadConfig({ file: write(PRD_EXAMPLE), explicit: true, env: {} });
    assert.deepEqual(loginKeys(loaded.config), []);
    assert.equal(loaded.warnings.length, 1);
    assert.equal(loaded.warnings[0]?.path, 'ssh_public_key');
    assert.equal(loaded.warnings[0]?.line, 3);
    assert.match(loaded.warnings[0]?.message ?? '', /placeholder/);
  });

  it('rejects an empty file (a cut-off write, or `> config.yaml` by mistake) at line 1', async () => {
    for (const text of ['', '\n  \n']) {
      await assert.rejects(loadConfig({ file: write(text), explicit: true, env: {} }), (e: unknown) => e instanceof ConfigError && e.issues[0]?.line === 1 && /the file is empty/.test(e.message));
    }
  });

  it('gives the defaults for a file of comments only', async () => {
    const loaded = await loadConfig({ file: write('# nothing yet\n'), explicit: true, env: {} });
    assert.deepEqual(loaded.config, defaultConfig());
  });

  it('has the documented defaults', () => {
    const c = defaultConfig();
    assert.equal(c.username, 'deploy');
    assert.equal(c.ssh_public_key, '');
    assert.equal(c.security.ssh_port, 22);
    assert.equal(c.security.allow_password_auth, false);
    assert.deepEqual(c.security.ufw, { enabled: true, allow: [] });
    assert.deepEqual(c.security.fail2ban, { enabled: true, bantime: '1h', findtime: '10m', maxretry: 5 });
    assert.deepEqual(c.swap, { enabled: true, size: '2G', swappiness: 10, path: '/swapfile' });
    assert.deepEqual(c.updates, { enabled: true, automatic_reboot: false, automatic_reboot_time: '03:00', mail: '' });
    assert.deepEqual(c.postgres, { enabled: true, source: 'distro', version: '', listen: ['localhost'], databases: [{ name: 'app', owner: 'app' }], roles: [{ name: 'app', password: '' }] });
    assert.deepEqual(c.redis, { enabled: true, password: '', bind: ['127.0.0.1', '::1'], maxmemory: '', maxmemory_policy: 'noeviction' });
  });

  it('uses the defaults when no file was named and ./config.yaml is absent', async () => {
    const loaded = await loadConfig({ file: path.join(dir, 'absent.yaml'), explicit: false, env: {} });
    assert.equal(loaded.fromDefaults, true);
    assert.equal(loaded.file, undefined);
    assert.deepEqual(loaded.config, defaultConfig());
  });

  it('reads the file when no file was named but it exists', async () => {
    const loaded = await loadConfig({ file: write('username: alice\n'), explicit: false, env: {} });
    assert.equal(loaded.fromDefaults, false);
    assert.equal(loaded.config.username, 'alice');
  });

  it('resolves ${ENV} references and lists resolved secrets for the redactor', async () => {
    const file = write('postgres:\n  roles:\n    - name: app\n      password: "${PG_PASS}"\nredis:\n  password: "pre-${REDIS_PASS}"\nupdates:\n  mail: "${MAIL_TO}"\n');
    const env = { PG_PASS: 's3cret-postgres-password', REDIS_PASS: 'redis-token-0123456789', MAIL_TO: 'ops@example.com' };
    const loaded = await loadConfig({ file, explicit: true, env });
    assert.equal(loaded.config.postgres.roles[0]?.password, 's3cret-postgres-password');
    assert.equal(loaded.config.redis.password, 'pre-redis-token-0123456789');
    assert.equal(loaded.config.updates.mail, 'ops@example.com');
    assert.deepEqual(loaded.secrets.sort(), ['pre-redis-token-0123456789', 's3cret-postgres-password']);
  });

  it('resolves references only for the modules in the run, and names an unset one in validate as a warning', async () => {
    const file = write('redis:\n  password: "${REDIS_PASS}"\npostgres:\n  roles:\n    - name: app\n      password: "${PG}"\n');
    const minimal = await loadConfig({ file, explicit: true, env: {}, modules: ['baseline', 'user', 'security', 'swap', 'updates'] });
    assert.deepEqual(minimal.secrets, []);
    await assert.rejects(loadConfig({ file, explicit: true, env: {}, modules: ['redis'] }), /environment variable REDIS_PASS is not set/);
    const validated = await loadConfig({ file, explicit: true, env: {} });
    assert.deepEqual(validated.warnings.map((w) => [w.path, w.message]), [
      ['redis.password', 'environment variable REDIS_PASS is not set'],
      ['postgres.roles[0].password', 'environment variable PG is not set'],
    ]);
  });

  it('keeps $${ as a literal ${', () => {
    const { config } = parseConfig('redis:\n  password: "abc$${HOME}def-0123456789"\n', { env: {} });
    assert.equal(config.redis.password, 'abc${HOME}def-0123456789');
  });

  it('reads process.env when no env is passed', () => {
    process.env.PHANES_TEST_SECRET = 'from-process-env-0123';
    try {
      assert.equal(parseConfig('redis:\n  password: "${PHANES_TEST_SECRET}"\n').config.redis.password, 'from-process-env-0123');
    } finally {
      delete process.env.PHANES_TEST_SECRET;
    }
  });

  it('accepts the PostgreSQL version as a bare number and keeps it as text', () => {
    assert.equal(parseConfig('postgres:\n  version: 16\n', { env: {} }).config.postgres.version, '16');
  });

  it('accepts a bare number of seconds for fail2ban times', () => {
    const { config } = parseConfig('security:\n  fail2ban:\n    bantime: 3600\n    findtime: 600s\n', { env: {} });
    assert.equal(config.security.fail2ban.bantime, '3600');
    assert.equal(config.security.fail2ban.findtime, '600s');
  });

  it('treats a section with every key commented out as empty', () => {
    const { config } = parseConfig('redis:\n  # password: x\nswap:\n', { env: {} });
    assert.deepEqual(config.redis, defaultConfig().redis);
    assert.deepEqual(config.swap, defaultConfig().swap);
  });

  it('accepts the shapes the schema documents', () => {
    const key = ed25519();
    const yaml = [
      'username: _svc-1',
      `ssh_public_key: "${key}"`,
      'timezone: America/Argentina/Buenos_Aires',
      'locale: C.UTF-8',
      'baseline: { extra_packages: [htop, g++, libc6-dev, python3.11], apt_cache_max_age: 0 }',
      'user: { shell: /usr/bin/zsh, groups: [docker, adm], authorized_keys: ["' + ed25519('second', 9) + '"] }',
      'swap: { size: 512M, swappiness: 0, path: /var/swap.img }',
      'security: { ssh_port: 65535, ufw: { allow: ["443", 80/tcp, "60000:61000/udp"] }, fail2ban: { bantime: 1w, maxretry: 100 } }',
      'updates: { automatic_reboot: true, automatic_reboot_time: "23:59", mail: root@localhost }',
      'postgres: { listen: [localhost, 10.0.0.5], databases: [{ name: my_app, owner: my_role }, { name: my_role }], roles: [{ name: my_role, password_file: /etc/phanes/my_role.password }] }',
      'redis: { password: a-redis-password-0123, bind: [127.0.0.1], maxmemory: 256mb, maxmemory_policy: allkeys-lru }',
    ].join('\n');
    const { config, warnings } = parseConfig(yaml, { env: {} });
    assert.deepEqual(warnings, []);
    assert.deepEqual(config.security.ufw.allow, ['443', '80/tcp', '60000:61000/udp']);
    assert.deepEqual(loginKeys(config), [key, ed25519('second', 9)]);
  });

  it('follows YAML anchors and aliases', () => {
    const parsed = parseConfig('postgres:\n  roles: [{ name: app, password: &pw long-enough-password }]\nredis:\n  password: *pw\n', { env: {} });
    assert.equal(parsed.config.redis.password, 'long-enough-password');
    assert.deepEqual(parsed.secrets, ['long-enough-password']);
  });

  it('does not treat missing login keys with password login off as a config error', () => {
    const { config } = parseConfig('security:\n  allow_password_auth: false\n', { env: {} });
    assert.deepEqual(loginKeys(config), []);
  });
});

describe('secrets, redaction and the config fingerprint', () => {
  it('knows which paths are secret', () => {
    assert.deepEqual(secretPaths(), ['user.password_hash', 'postgres.roles[].password', 'redis.password', 'coolify.root_user_password']);
  });

  it('replaces secret values with <redacted> and leaves everything else', () => {
    const { config } = parseConfig('postgres:\n  roles: [{ name: app, password: correct-horse-battery }, { name: b, password: second-role-password }]\nredis:\n  password: ""\n', { env: {} });
    const redacted = redactConfig(config);
    assert.deepEqual(redacted.postgres.roles.map((r) => r.password), ['<redacted>', '<redacted>'], 'secrets inside list items too');
    assert.equal(redacted.redis.password, '', 'an unset secret stays visibly unset');
    assert.equal(redacted.postgres.databases[0]?.name, 'app');
    assert.equal(config.postgres.roles[0]?.password, 'correct-horse-battery', 'the original is not changed');
    assert.doesNotMatch(JSON.stringify(redacted), /correct-horse|second-role/);
  });

  it('fingerprints the redacted config, so the hash does not depend on a secret', () => {
    const a = parseConfig('redis:\n  password: first-password-0123\n', { env: {} }).config;
    const b = parseConfig('redis:\n  password: second-password-0123\n', { env: {} }).config;
    const c = parseConfig('redis:\n  password: first-password-0123\nswap:\n  size: 4G\n', { env: {} }).config;
    assert.match(configSha256(a), /^[0-9a-f]{64}$/);
    assert.equal(configSha256(a), configSha256(b));
    assert.notEqual(configSha256(a), configSha256(c));
  });

  it('fingerprints the same config the same whatever the key order in the file', () => {
    const a = parseConfig('username: alice\nswap: { size: 1G, enabled: false }\n', { env: {} }).config;
    const b = parseConfig('swap: { enabled: false, size: 1G }\nusername: alice\n', { env: {} }).config;
    assert.equal(configSha256(a), configSha256(b));
  });
});
