import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, editDistance } from '../../src/config/did-you-mean.js';
import { defaultConfig, isPlaceholderKey, keyDataProblem, loginKeys, parseSize } from '../../src/config/index.js';
import { formatPath, pointerToPath } from '../../src/config/paths.js';
import { ConfigError } from '../../src/errors.js';

function ed25519(comment = 'me@laptop', fill = 7): string {
  const u32 = (n: number): Buffer => Buffer.from([0, 0, 0, n]);
  const blob = Buffer.concat([u32(11), Buffer.from('ssh-ed25519'), u32(32), Buffer.alloc(32, fill)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

describe('did-you-mean', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    assert.equal(editDistance('ssh_prot', 'ssh_port'), 1);
    assert.equal(editDistance('usernme', 'username'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests the closest key, ignoring case and dash versus underscore', () => {
    assert.equal(closest('usernme', ['username', 'timezone']), 'username');
    assert.equal(closest('SSH-PORT', ['ssh_port', 'ufw']), 'ssh_port');
    assert.equal(closest('maxretries', ['enabled', 'bantime', 'findtime', 'maxretry']), 'maxretry');
  });

  it('suggests nothing when no key is close', () => {
    assert.equal(closest('compose_version', ['install_compose']), undefined);
    assert.equal(closest('x', ['sudo', 'shell']), undefined);
  });
});

describe('key paths', () => {
  it('formats paths with dots and list indexes', () => {
    assert.equal(formatPath(['security', 'ufw', 'allow', 1]), 'security.ufw.allow[1]');
    assert.equal(formatPath([]), '');
  });

  it('numbers only the steps into lists when reading a JSON pointer', () => {
    const root = { a: { '0': { b: [1, 2] } } };
    assert.deepEqual(pointerToPath('/a/0/b/1', root), ['a', '0', 'b', 1]);
    assert.deepEqual(pointerToPath('/x~1y/z~0', {}), ['x/y', 'z~']);
  });
});

describe('parseSize', () => {
  it('reads megabytes and gigabytes as binary units', () => {
    assert.equal(parseSize('512M'), 512 * 1024 * 1024);
    assert.equal(parseSize('2G'), 2 * 1024 ** 3);
  });

  it('throws a ConfigError at swap.size for a size it cannot read', () => {
    assert.throws(() => parseSize('2GB'), (e: unknown) => e instanceof ConfigError && e.issues[0]?.path === 'swap.size');
  });
});

describe('SSH public keys', () => {
  it('accepts well-formed key data', () => {
    assert.equal(keyDataProblem(ed25519()), undefined);
    assert.equal(keyDataProblem(`${ed25519()}  with a comment of several words`), undefined);
  });

  it('explains damaged key data', () => {
    const [, body] = ed25519().split(' ');
    assert.match(keyDataProblem(`ssh-ed25519 ${body!.slice(0, -4)}`) ?? '', /wrong length|base64/);
    assert.match(keyDataProblem(`ssh-rsa ${body}`) ?? '', /the line says ssh-rsa but its key data is for ssh-ed25519/);
    assert.match(keyDataProblem('ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQC') ?? '', /./);
  });

  it('recognises documentation placeholders', () => {
    assert.equal(isPlaceholderKey('ssh-ed25519 AAAA... user@host'), true);
    assert.equal(isPlaceholderKey(ed25519()), false);
  });

  it('lists login keys once each, without placeholders', () => {
    const config = defaultConfig();
    config.ssh_public_key = ed25519();
    config.user.authorized_keys = [ed25519(), 'ssh-ed25519 AAAA... user@host', ed25519('other', 1)];
    assert.deepEqual(loginKeys(config), [ed25519(), ed25519('other', 1)]);
    assert.deepEqual(loginKeys(defaultConfig()), []);
  });
});
