import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { configFiles } from './support/config-file.js';
import { loadConfig } from '../../src/config/index.js';
import { ConfigError, type ConfigIssue } from '../../src/errors.js';

const { dir, write } = configFiles('phanes-config-');

/** Loads YAML that must be rejected and returns the ConfigError. */
const ALL = ['baseline', 'user', 'security', 'swap', 'updates', 'postgres', 'redis'];

async function rejected(yaml: string, env: NodeJS.ProcessEnv = {}, modules: readonly string[] = ALL): Promise<ConfigError> {
  const file = write(yaml);
  try {
    await loadConfig({ file, explicit: true, env, modules });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.file, file);
    return error;
  }
  assert.fail(`expected this config to be rejected:\n${yaml}`);
}

/** A well-formed ssh-ed25519 line: the blob is the algorithm name and a 32-byte point. */
function ed25519(comment = 'me@laptop', fill = 7): string {
  const u32 = (n: number): Buffer => Buffer.from([0, 0, 0, n]);
  const blob = Buffer.concat([u32(11), Buffer.from('ssh-ed25519'), u32(32), Buffer.alloc(32, fill)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

interface Expected {
  path: string;
  line: number;
  column?: number;
  message: RegExp;
  suggestion?: RegExp;
}

interface BadCase {
  name: string;
  yaml: string;
  env?: NodeJS.ProcessEnv;
  /** The modules of the run (default: every module that exists). */
  modules?: readonly string[];
  expect: Expected;
}

const validKeyCut = ed25519().split(' ')[1]!.slice(0, 40);

const bad: BadCase[] = [
  {
    name: 'names the key path and line of an unknown top-level key and suggests the closest key',
    yaml: 'timezone: UTC\nusernme: deploy\n',
    expect: { path: 'usernme', line: 2, column: 1, message: /^unknown key `usernme`$/, suggestion: /did you mean `username`\?/ },
  },
  {
    name: 'names the dotted path of an unknown nested key and suggests the swapped-letter fix',
    yaml: 'security:\n  ssh_port: 22\n  ssh_prot: 2222\n',
    expect: { path: 'security.ssh_prot', line: 3, column: 3, message: /unknown key `ssh_prot` in `security`/, suggestion: /did you mean `ssh_port`\?/ },
  },
  {
    name: 'tells where a key from another section belongs',
    yaml: 'username: deploy\nssh_port: 2222\n',
    expect: { path: 'ssh_port', line: 2, column: 1, message: /unknown key `ssh_port`/, suggestion: /`security\.ssh_port`.*under `security`/ },
  },
  {
    name: 'lists the allowed keys when nothing is close',
    yaml: 'docker:\n  compose_version: 2\n',
    expect: { path: 'docker.compose_version', line: 2, column: 3, message: /unknown key/, suggestion: /keys allowed here are `enabled`, `source`, `install_compose`/ },
  },
  {
    name: 'finds an unknown key three levels deep',
    yaml: 'security:\n  fail2ban:\n    enabled: true\n    max_retries: 3\n',
    expect: { path: 'security.fail2ban.max_retries', line: 4, column: 5, message: /unknown key `max_retries` in `security\.fail2ban`/, suggestion: /`maxretry`/ },
  },
  {
    name: 'rejects a quoted "yes" where true or false belongs and explains YAML 1.2',
    yaml: 'swap:\n  enabled: "yes"\n',
    expect: { path: 'swap.enabled', line: 2, column: 12, message: /^expected true or false, got "yes"$/, suggestion: /without quotes/ },
  },
  {
    name: 'rejects a list where a section mapping belongs',
    yaml: 'security: [22]\n',
    expect: { path: 'security', line: 1, column: 11, message: /^expected a mapping of keys, got a list$/, suggestion: /indented `key: value` lines under `security:`/ },
  },
  {
    name: 'rejects a list where a single user name belongs',
    yaml: 'username: [deploy]\n',
    expect: { path: 'username', line: 1, column: 11, message: /expected a lower-case Linux user name .*, got a list/ },
  },
  {
    name: 'rejects port 0 with the allowed range',
    yaml: 'security:\n  ssh_port: 0\n',
    expect: { path: 'security.ssh_port', line: 2, column: 13, message: /^expected a whole number from 1 to 65535, got 0$/, suggestion: /2222/ },
  },
  {
    name: 'rejects port 70000 with the allowed range',
    yaml: 'security:\n  ssh_port: 70000\n',
    expect: { path: 'security.ssh_port', line: 2, column: 13, message: /^expected a whole number from 1 to 65535, got 70000$/ },
  },
  {
    name: 'rejects a quoted port and suggests removing the quotes',
    yaml: 'security:\n  ssh_port: "22"\n',
    expect: { path: 'security.ssh_port', line: 2, column: 13, message: /got "22"/, suggestion: /remove the quotes: ssh_port: 22/ },
  },
  {
    name: 'rejects a fractional port',
    yaml: 'security:\n  ssh_port: 22.5\n',
    expect: { path: 'security.ssh_port', line: 2, column: 13, message: /expected a whole number from 1 to 65535, got 22\.5/ },
  },
  {
    name: 'rejects a time zone that is not Area/City',
    yaml: 'timezone: New York\n',
    expect: { path: 'timezone', line: 1, column: 11, message: /^expected UTC or an IANA zone name .*, got "New York"$/, suggestion: /timedatectl list-timezones/ },
  },
  {
    name: 'rejects a time zone abbreviation',
    yaml: 'timezone: EST\n',
    expect: { path: 'timezone', line: 1, column: 11, message: /got "EST"/ },
  },
  {
    name: 'rejects a locale without the UTF-8 codeset',
    yaml: 'locale: en_US\n',
    expect: { path: 'locale', line: 1, column: 9, message: /^expected a UTF-8 locale such as en_US\.UTF-8.*, got "en_US"$/, suggestion: /\.UTF-8/ },
  },
  {
    name: 'rejects a swap size written as 2GB',
    yaml: 'swap:\n  size: 2GB\n',
    expect: { path: 'swap.size', line: 2, column: 9, message: /^expected a size such as 512M or 2G, got "2GB"$/, suggestion: /M or G/ },
  },
  {
    name: 'rejects a swap size of 0G',
    yaml: 'swap:\n  size: 0G\n',
    expect: { path: 'swap.size', line: 2, column: 9, message: /got "0G"/ },
  },
  {
    name: 'rejects swappiness 101',
    yaml: 'swap:\n  swappiness: 101\n',
    expect: { path: 'swap.swappiness', line: 2, column: 15, message: /^expected a whole number from 0 to 100, got 101$/ },
  },
  {
    name: 'points at the bad firewall rule inside the list',
    yaml: 'security:\n  ufw:\n    allow:\n      - 443\n      - 80/http\n',
    expect: { path: 'security.ufw.allow[1]', line: 5, column: 9, message: /^expected a firewall rule: .*, got "80\/http"$/, suggestion: /80\/tcp/ },
  },
  {
    name: 'rejects a port range without a protocol, as ufw does',
    yaml: 'security:\n  ufw:\n    allow: ["60000:61000"]\n',
    expect: { path: 'security.ufw.allow[0]', line: 3, column: 13, message: /got "60000:61000"/, suggestion: /60000:61000\/udp/ },
  },
  {
    name: 'rejects a firewall port above 65535',
    yaml: 'security:\n  ufw:\n    allow: [443, 70000/tcp]\n',
    expect: { path: 'security.ufw.allow[1]', line: 3, column: 18, message: /expected ports from 1 to 65535, got "70000\/tcp"/ },
  },
  {
    name: 'rejects a reversed port range and shows it the right way round',
    yaml: 'security:\n  ufw:\n    allow: [61000:60000/udp]\n',
    expect: { path: 'security.ufw.allow[0]', line: 3, column: 13, message: /lower to a higher port/, suggestion: /60000:61000\/udp/ },
  },
  {
    name: 'rejects an SSH key without key data',
    yaml: 'ssh_public_key: "ssh-ed25519"\n',
    expect: { path: 'ssh_public_key', line: 1, column: 17, message: /^expected one OpenSSH public key line: .*, got "ssh-ed25519"$/, suggestion: /cat ~\/\.ssh\/id_ed25519\.pub/ },
  },
  {
    name: 'rejects an unknown SSH key type',
    yaml: 'ssh_public_key: "ssh-dss AAAAB3NzaC1kc3M= old@box"\n',
    expect: { path: 'ssh_public_key', line: 1, column: 17, message: /got "ssh-dss/ },
  },
  {
    name: 'rejects an SSH key whose data was cut short',
    yaml: `ssh_public_key: "ssh-ed25519 ${validKeyCut} me@laptop"\n`,
    expect: { path: 'ssh_public_key', line: 1, column: 17, message: /not usable: .*(wrong length|damaged|base64)/, suggestion: /in one piece/ },
  },
  {
    name: 'rejects a key line whose data is for another algorithm',
    yaml: `ssh_public_key: "ssh-rsa ${ed25519().split(' ')[1]}"\n`,
    expect: { path: 'ssh_public_key', line: 1, column: 17, message: /the line says ssh-rsa but its key data is for ssh-ed25519/ },
  },
  {
    name: 'points at the bad entry of user.authorized_keys',
    yaml: `user:\n  authorized_keys:\n    - "${ed25519()}"\n    - "not a key"\n`,
    expect: { path: 'user.authorized_keys[1]', line: 4, column: 7, message: /got "not a key"/ },
  },
  {
    name: 'refuses root as the login user',
    yaml: 'username: root\n',
    expect: { path: 'username', line: 1, column: 11, message: /other than root.*, got "root"$/, suggestion: /deploy/ },
  },
  {
    name: 'rejects a user name with capitals',
    yaml: 'username: Deploy\n',
    expect: { path: 'username', line: 1, column: 11, message: /^expected a lower-case Linux user name.*, got "Deploy"$/ },
  },
  {
    name: 'rejects a user name longer than 32 characters',
    yaml: `username: ${'a'.repeat(33)}\n`,
    expect: { path: 'username', line: 1, column: 11, message: /at most 32/ },
  },
  {
    name: 'rejects a reboot time of 25:00',
    yaml: 'updates:\n  automatic_reboot_time: "25:00"\n',
    expect: { path: 'updates.automatic_reboot_time', line: 2, column: 26, message: /^expected a time of day as HH:MM .*, got "25:00"$/, suggestion: /"03:00"/ },
  },
  {
    name: 'rejects a mail address without an @',
    yaml: 'updates:\n  mail: admin at example.com\n',
    expect: { path: 'updates.mail', line: 2, column: 9, message: /^expected an email address .*, got "admin at example\.com"$/ },
  },
  {
    name: 'names a duplicated key and the line of its second copy',
    yaml: 'username: alice\ntimezone: UTC\nusername: bob\n',
    expect: { path: 'username', line: 3, column: 1, message: /^the key `username` appears twice/, suggestion: /keep one/ },
  },
  {
    name: 'names a duplicated nested key by its full path',
    yaml: 'swap:\n  size: 1G\n  size: 2G\n',
    expect: { path: 'swap.size', line: 3, column: 3, message: /appears twice/ },
  },
  {
    name: 'reports a YAML syntax error at the line yaml gives',
    yaml: 'username: deploy\nsecurity:\n  ssh_port: 22\n  ufw: { enabled: true\nswap:\n  size: 2G\n',
    expect: { path: 'swap', line: 5, column: 1, message: /must .*end with a \}/, suggestion: /close any \{ or \[/ },
  },
  {
    name: 'reports an unclosed quote',
    yaml: 'username: "deploy\n',
    expect: { path: '', line: 2, column: 1, message: /missing closing "quote/, suggestion: /close the quote/ },
  },
  {
    name: 'reports tab indentation',
    yaml: 'swap:\n\tsize: 2G\n',
    expect: { path: '', line: 2, column: 1, message: /tab/, suggestion: /spaces/ },
  },
  {
    name: 'rejects a second YAML document',
    yaml: 'username: deploy\n---\nusername: other\n',
    expect: { path: '', line: 2, column: 1, message: /more than one YAML document/, suggestion: /---/ },
  },
  {
    name: 'names an alias whose anchor is missing',
    yaml: 'updates:\n  mail: root@localhost\nredis:\n  password: *pg\n',
    expect: { path: 'redis.password', line: 4, column: 13, message: /the alias \*pg has no anchor &pg/, suggestion: /&pg/ },
  },
  {
    name: 'rejects a list used as a key',
    yaml: 'swap:\n  ? [size, path]\n  : 2G\n',
    expect: { path: 'swap', line: 2, column: 5, message: /a list or mapping is used as a key/, suggestion: /plain names/ },
  },
  {
    name: 'rejects a file whose root is a list',
    yaml: '- username: deploy\n- timezone: UTC\n',
    expect: { path: '', line: 1, column: 1, message: /^expected a mapping of settings at the top level, got a list$/, suggestion: /username: deploy/ },
  },
  {
    name: 'rejects a file whose root is plain text',
    yaml: 'just some words\n',
    expect: { path: '', line: 1, column: 1, message: /got "just some words"/ },
  },
  {
    name: 'names the missing environment variable of a secret and its key',
    yaml: 'redis:\n  maxmemory: 64mb\n  password: "${PG_PASS}"\n',
    expect: { path: 'redis.password', line: 3, column: 13, message: /^environment variable PG_PASS is not set$/, suggestion: /export PG_PASS=.*sudo PG_PASS=/ },
  },
  {
    name: 'rejects a malformed environment reference',
    yaml: 'redis:\n  password: "${REDIS-PASS}"\n',
    expect: { path: 'redis.password', line: 2, column: 13, message: /not a valid environment variable reference/, suggestion: /\$\$\{/ },
  },
  {
    name: 'rejects a negative maxretry',
    yaml: 'security:\n  fail2ban:\n    maxretry: -1\n',
    expect: { path: 'security.fail2ban.maxretry', line: 3, column: 15, message: /^expected a whole number from 1 to 100, got -1$/ },
  },
  {
    name: 'rejects a bantime with an unknown unit',
    yaml: 'security:\n  fail2ban:\n    bantime: 1y\n',
    expect: { path: 'security.fail2ban.bantime', line: 3, column: 14, message: /got "1y"/, suggestion: /s, m, h, d or w/ },
  },
  {
    name: 'rejects a PostgreSQL version that is not a whole major number',
    yaml: 'postgres:\n  version: 16.2\n',
    expect: { path: 'postgres.version', line: 2, column: 12, message: /^expected a PostgreSQL major version such as "17", or "" for the distribution's, got "16\.2"$/ },
  },
  {
    name: 'points at the second copy of a repeated package',
    yaml: 'baseline:\n  extra_packages:\n    - htop\n    - ncdu\n    - htop\n',
    expect: { path: 'baseline.extra_packages[2]', line: 5, column: 7, message: /^"htop" is listed twice \(also at baseline\.extra_packages\[0\]\)$/, suggestion: /remove the duplicate/ },
  },
  {
    name: 'rejects a package name with a space',
    yaml: 'baseline:\n  extra_packages: [Foo Bar]\n',
    expect: { path: 'baseline.extra_packages[0]', line: 2, column: 20, message: /expected a Debian package name.*, got "Foo Bar"/ },
  },
  {
    name: 'rejects an empty value and says how to get the default',
    yaml: 'username:\n',
    expect: { path: 'username', line: 1, column: 1, message: /got an empty value$/, suggestion: /delete the line to use the default \("deploy"\)/ },
  },
  {
    name: 'rejects a relative shell path',
    yaml: 'user:\n  shell: bash\n',
    expect: { path: 'user.shell', line: 2, column: 10, message: /expected an absolute path/ },
  },
  {
    name: 'rejects a short password without printing it',
    yaml: 'redis:\n  password: hunter2\n',
    expect: { path: 'redis.password', line: 2, column: 13, message: /^expected a password of at least 16 characters, got a 7-character value \(not shown\)$/ },
  },
  {
    name: 'rejects a postgres role without a password when postgres runs, saying why',
    yaml: 'redis:\n  password: a-long-enough-redis-password\npostgres:\n  roles:\n    - name: app\n',
    expect: { path: 'postgres.roles[0].name', line: 5, message: /role app has no password: PostgreSQL would be reachable without one/, suggestion: /POSTGRES_PASSWORD.*password_file/ },
  },
  {
    name: 'rejects redis without a password when redis runs',
    yaml: 'postgres:\n  enabled: false\n',
    expect: { path: 'redis.password', line: 1, message: /redis has no password/, suggestion: /REDIS_PASSWORD/ },
  },
  {
    name: 'rejects a database whose owner is not a listed role',
    yaml: 'postgres:\n  databases:\n    - name: shop\n      owner: nobody\n',
    expect: { path: 'postgres.databases[0].owner', line: 4, message: /owner nobody is not one of postgres\.roles/ },
  },
];

describe('loadConfig rejects bad configs with the key path, line and a fix', () => {
  it('has a table of at least 25 bad configs', () => assert.ok(bad.length >= 25));

  for (const c of bad) {
    it(c.name, async () => {
      const error = await rejected(c.yaml, c.env, c.modules);
      const issue = error.issues.find((i) => i.path === c.expect.path);
      assert.ok(issue, `no issue at ${c.expect.path}; got ${JSON.stringify(error.issues)}`);
      assert.equal(issue.line, c.expect.line, `line of ${JSON.stringify(issue)}`);
      if (c.expect.column !== undefined) assert.equal(issue.column, c.expect.column, `column of ${JSON.stringify(issue)}`);
      assert.match(issue.message, c.expect.message);
      assert.ok(issue.suggestion, 'every issue carries a suggestion');
      if (c.expect.suggestion) assert.match(issue.suggestion, c.expect.suggestion);
      assert.doesNotMatch(issue.message, /must match|Expected (string|integer|boolean|object)/, 'no raw typebox wording');
    });
  }

  it('never prints a secret value in an error', async () => {
    const error = await rejected('redis:\n  password: [hunter22]\npostgres:\n  roles: [{ name: app, password: hunter2 }]\n');
    assert.doesNotMatch(error.message, /hunter2/);
  });

  it('reports every problem in a file at once, in file order', async () => {
    const error = await rejected(
      ['usernme: deploy', 'security:', '  ssh_port: 0', '  ufw:', '    allow: [80/http]', 'swap:', '  size: 2GB', 'redis:', '  password: "${NOPE}"'].join('\n'), {}, ['baseline', 'redis'],
    );
    assert.deepEqual(
      error.issues.map((i) => [i.path, i.line]),
      [
        ['usernme', 1],
        ['security.ssh_port', 3],
        ['security.ufw.allow[0]', 5],
        ['swap.size', 7],
        ['redis.password', 9],
      ],
    );
    assert.match(error.message, /config-\d+\.yaml:1:1: usernme: unknown key/);
    assert.match(error.message, /:7:9: swap\.size: expected a size/);
  });

  it('reports one issue per key, the unknown key rather than its unresolved reference', async () => {
    const error = await rejected('redis:\n  pasword: "${MISSING}"\n', {}, ['baseline']);
    assert.deepEqual(
      error.issues.map((i) => [i.path, i.message]),
      [['redis.pasword', 'unknown key `pasword` in `redis`']],
    );
  });

  it('rejects an explicit config file that does not exist, naming it and the fix', async () => {
    const file = path.join(dir, 'nope.yaml');
    await assert.rejects(loadConfig({ file, explicit: true, env: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const issue = error.issues[0] as ConfigIssue;
      assert.match(issue.message, /nope\.yaml does not exist/);
      assert.match(issue.suggestion ?? '', /--config.*cp config\.yaml\.example/);
      return true;
    });
  });

  it('rejects a directory given as the config file', async () => {
    await assert.rejects(loadConfig({ file: dir, explicit: true, env: {} }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.issues[0]?.suggestion ?? '', /not a directory/);
      return true;
    });
  });
});
