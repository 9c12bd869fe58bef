import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sshPreflight } from '../../modules/security/ssh.js';
import { sudoersLine, sudoWithoutPassword, user } from '../../modules/user.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import type { ModuleContext } from '../../src/engine/module.js';
import { grantsNopasswd, usablePassword, type Account } from '../../src/facts/ssh.js';
import type { SystemFacts } from '../../src/facts/system.js';
import type { Decl } from '../../src/resources/types.js';
import { passwordTag, userKind, type UserOptions } from '../../src/resources/user.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBc1bmuNxZ8UB6m6ZI0tSbqX3k+dI9mnWnXtcG2J8RcF me@laptop';
const HASH = '$6$saltsalt$ZP7ekVv0cVnVGWUgFp6nz7E6TfKuFz.Fw7yVh3Ns3P5Lh1JbHc1fS2.xzQ7N0A1b2ZmQ5W8l3jv3n6wQm1y0u/';
const account = (o: Partial<Account> = {}): Account => ({ uid: 1000, home: '/home/deploy', groups: ['deploy', 'sudo'], keyTypes: ['ssh-ed25519'], hasPassword: false, sudoNopasswd: false, ...o });
const system = (accounts: Record<string, Account> = {}): SystemFacts => ({
  distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [],
  ssh: { algorithms: { kex: [], cipher: [], mac: [], key: [] }, ports: [22], socketActivated: false, dropinsFirst: true, accounts, ufw: null },
});
const withUser = (u: Partial<Config['user']>): Config => ({ ...defaultConfig(), ssh_public_key: KEY, user: { ...defaultConfig().user, ...u } });
const ctx = (config: Config, sys = system(), modules = ['baseline', 'user', 'security']): ModuleContext => ({ config, system: sys, modules });
const lockout = (refusals: string[]): string[] => refusals.filter((r) => /nobody could become root/.test(r));

describe('sudo for the login user', () => {
  it('gives a key-only user (no password_hash) NOPASSWD by default, as cloud-init does', () => {
    assert.equal(sudoWithoutPassword(defaultConfig().user), true);
    assert.match(sudoersLine('deploy', defaultConfig().user), /^deploy ALL=\(ALL:ALL\) NOPASSWD: ALL$/m);
  });

  it('asks for the password once password_hash sets one, unless sudo_nopasswd is true', () => {
    assert.equal(sudoWithoutPassword(withUser({ password_hash: HASH }).user), false);
    assert.match(sudoersLine('deploy', withUser({ password_hash: HASH }).user), /^deploy ALL=\(ALL:ALL\) ALL$/m);
    assert.equal(sudoWithoutPassword(withUser({ password_hash: HASH, sudo_nopasswd: true }).user), true);
    assert.equal(sudoWithoutPassword(withUser({ sudo_nopasswd: false }).user), false);
  });

  it('records only a tag of the hash, never the hash', () => {
    const [decl] = user.resources(ctx(withUser({ password_hash: HASH }))).filter((d) => d.kind === 'user');
    assert.ok(decl);
    assert.ok(!JSON.stringify(decl.desired).includes(HASH));
    assert.ok(!JSON.stringify(decl.desired).includes('saltsalt'));
    assert.match(String(decl.desired.password), /^sha256:[0-9a-f]{64}$/);
  });

  it('tags the shadow markers that hold no secret as they are', () => {
    assert.equal(passwordTag('!'), 'plain:!');
    assert.equal(passwordTag('*'), 'plain:*');
    assert.equal(passwordTag(''), 'plain:');
    assert.match(passwordTag(HASH), /^sha256:/);
  });

  it('plans "set password" for a user with none and "change password" for one with another', () => {
    const decl = user.resources(ctx(withUser({ password_hash: HASH }))).find((d) => d.kind === 'user') as Decl<UserOptions>;
    const base = { exists: true, shell: '/bin/bash', groups: ['sudo'] };
    const noCtx = { notified: new Set<string>() } as never;
    assert.deepEqual(userKind.diff({ ...base, password: 'plain:!' }, decl, noCtx), ['set password']);
    assert.deepEqual(userKind.diff({ ...base, password: passwordTag('$6$other$xxxxxxxxxx') }, decl, noCtx), ['change password']);
    assert.deepEqual(userKind.diff({ ...base, password: passwordTag(HASH) }, decl, noCtx), []);
  });
});

describe('the lockout preflight proves a way to root', () => {
  it('accepts the PRD config: a key-only user with the default sudo_nopasswd (auto)', () => {
    assert.deepEqual(lockout(sshPreflight(ctx(withUser({})))), []);
  });

  it('refuses sudo_nopasswd: false for a user with no password, naming both ways out', () => {
    const [r] = lockout(sshPreflight(ctx(withUser({ sudo_nopasswd: false }), system({ deploy: account() }))));
    assert.ok(r);
    assert.match(r, /user\.sudo_nopasswd is false/);
    assert.match(r, /set user\.sudo_nopasswd: auto \(or true\)/);
    assert.match(r, /user\.password_hash/);
  });

  it('accepts sudo_nopasswd: false when password_hash sets a password, or the user already has one', () => {
    assert.deepEqual(lockout(sshPreflight(ctx(withUser({ sudo_nopasswd: false, password_hash: HASH })))), []);
    assert.deepEqual(lockout(sshPreflight(ctx(withUser({ sudo_nopasswd: false }), system({ deploy: account({ hasPassword: true }) })))), []);
  });

  it('refuses sudo_nopasswd: false with a locked password, even when the host has one', () => {
    const r = lockout(sshPreflight(ctx(withUser({ sudo_nopasswd: false, lock_password: true }), system({ deploy: account({ hasPassword: true }) }))));
    assert.equal(r.length, 1);
    assert.match(r[0]!, /user\.lock_password locks its password/);
  });

  it('without the user module, refuses a sudoer who has neither a password nor a NOPASSWD rule', () => {
    assert.equal(lockout(sshPreflight(ctx(withUser({}), system({ deploy: account() }), ['security']))).length, 1);
    assert.deepEqual(lockout(sshPreflight(ctx(withUser({}), system({ deploy: account({ sudoNopasswd: true }) }), ['security']))), []);
    assert.deepEqual(lockout(sshPreflight(ctx(withUser({}), system({ deploy: account({ hasPassword: true }) }), ['security']))), []);
  });
});

describe('sudo facts', () => {
  it('reads a usable password from shadow: a hash, not locked, not empty', () => {
    const shadow = `root:*:1::::::\ndeploy:${HASH}:1::::::\nlocked:!${HASH}:1::::::\nnone::1::::::\n`;
    assert.equal(usablePassword(shadow, 'deploy'), true);
    assert.equal(usablePassword(shadow, 'locked'), false);
    assert.equal(usablePassword(shadow, 'none'), false);
    assert.equal(usablePassword(shadow, 'root'), false);
  });

  it('finds NOPASSWD rules for the user, its groups or ALL', () => {
    assert.equal(grantsNopasswd(['deploy ALL=(ALL:ALL) NOPASSWD: ALL'], 'deploy', []), true);
    assert.equal(grantsNopasswd(['%sudo ALL=(ALL) NOPASSWD: ALL'], 'deploy', ['sudo']), true);
    assert.equal(grantsNopasswd(['%wheel ALL=(ALL) NOPASSWD: ALL'], 'deploy', ['sudo']), false);
    assert.equal(grantsNopasswd(['other ALL=(ALL) NOPASSWD: ALL'], 'deploy', ['sudo']), false);
  });
});
