import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { security } from '../../modules/security.js';
import { effectiveLines, renderSshdDropin, sshAllowRule, sshdCheck, sshdSettings, sshPreflight, sshResources, SSHD_DROPIN } from '../../modules/security/ssh.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import type { ModuleContext } from '../../src/engine/module.js';
import type { Account, SshFacts } from '../../src/facts/ssh.js';
import type { SystemFacts } from '../../src/facts/system.js';
import { PROFILES } from '../../src/engine/profiles.js';

// Real `ssh -Q kex` output of the lab's Debian 12 (OpenSSH 9.2) and Debian 13 (OpenSSH 10.0) hosts.
const KEX_92 = ['diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1', 'diffie-hellman-group14-sha256', 'diffie-hellman-group16-sha512', 'diffie-hellman-group18-sha512',
  'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group-exchange-sha256', 'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521', 'curve25519-sha256',
  'curve25519-sha256@libssh.org', 'sntrup761x25519-sha512', 'sntrup761x25519-sha512@openssh.com'];
const KEX_100 = [...KEX_92, 'mlkem768x25519-sha256'];
const CIPHERS = ['3des-cbc', 'aes128-cbc', 'aes256-cbc', 'aes128-ctr', 'aes256-ctr', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com'];
const MACS = ['hmac-sha1', 'hmac-sha2-256', 'hmac-sha2-512', 'umac-128@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'umac-128-etm@openssh.com'];

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBc1bmuNxZ8UB6m6ZI0tSbqX3k+dI9mnWnXtcG2J8RcF me@laptop';
const RSA_KEY = `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ${'C'.repeat(40)} me@old-laptop`;

const account = (o: Partial<Account> = {}): Account => ({ uid: 1000, home: '/home/deploy', groups: ['deploy', 'sudo'], keyTypes: ['ssh-ed25519'], ...o });
const facts = (o: Partial<SshFacts> = {}): SshFacts => ({
  algorithms: { kex: KEX_92, cipher: CIPHERS, mac: MACS, key: [] }, ports: [22], socketActivated: false, dropinsFirst: true,
  accounts: { root: account({ uid: 0, home: '/root', groups: ['root'], keyTypes: ['ssh-ed25519'] }) }, ufw: null, ...o,
});
const BOOKWORM: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [], ssh: facts() };
const TRIXIE: SystemFacts = { ...BOOKWORM, versionId: '13', codename: 'trixie', ssh: facts({ algorithms: { kex: KEX_100, cipher: CIPHERS, mac: MACS, key: [] } }) };
const NOBLE: SystemFacts = { ...BOOKWORM, distro: 'ubuntu', versionId: '24.04', codename: 'noble', ssh: facts({ socketActivated: true }) };

type Overrides = { ssh_public_key?: string; username?: string; security?: Partial<Config['security']>; user?: Partial<Config['user']> };
function configWith(o: Overrides = {}): Config {
  const base = defaultConfig();
  return {
    ...base, ssh_public_key: o.ssh_public_key ?? KEY, username: o.username ?? base.username,
    security: { ...base.security, ...o.security }, user: { ...base.user, ...o.user },
  };
}
const ctx = (o: Overrides = {}, system: SystemFacts = BOOKWORM, modules = ['baseline', 'user', 'security']): ModuleContext => ({ config: configWith(o), system, modules });
const dropin = (o: Overrides = {}, system: SystemFacts = BOOKWORM): string => renderSshdDropin(sshdSettings(ctx(o, system)));
const setting = (text: string, key: string): string | undefined => text.split('\n').find((l) => l.startsWith(`${key} `))?.slice(key.length + 1);

describe('the sshd hardening drop-in', () => {
  it('turns off root, password and keyboard-interactive login and requires a key by default', () => {
    const text = dropin();
    assert.equal(setting(text, 'PermitRootLogin'), 'no');
    assert.equal(setting(text, 'PasswordAuthentication'), 'no');
    assert.equal(setting(text, 'KbdInteractiveAuthentication'), 'no');
    assert.equal(setting(text, 'AuthenticationMethods'), 'publickey');
  });

  it('allows a key or a password, still without keyboard-interactive, when allow_password_auth is true', () => {
    const text = dropin({ security: { allow_password_auth: true } });
    assert.equal(setting(text, 'PasswordAuthentication'), 'yes');
    assert.equal(setting(text, 'AuthenticationMethods'), 'publickey password');
    assert.equal(setting(text, 'KbdInteractiveAuthentication'), 'no');
  });

  it('holds every dev-sec style limit and forbids every kind of forwarding', () => {
    const text = dropin();
    const want: Record<string, string> = {
      MaxAuthTries: '3', LoginGraceTime: '30', X11Forwarding: 'no', AllowAgentForwarding: 'no', AllowTcpForwarding: 'no', AllowStreamLocalForwarding: 'no',
      PermitTunnel: 'no', ClientAliveInterval: '300', ClientAliveCountMax: '3', LogLevel: 'VERBOSE', PermitEmptyPasswords: 'no', GatewayPorts: 'no',
      PermitUserEnvironment: 'no', MaxSessions: '2',
    };
    assert.deepEqual(Object.fromEntries(Object.keys(want).map((k) => [k, setting(text, k)])), want);
  });

  it('listens on the configured port', () => {
    assert.equal(setting(dropin(), 'Port'), '22');
    assert.equal(setting(dropin({ security: { ssh_port: 2222 } }), 'Port'), '2222');
  });

  it('offers only the ed25519 host key', () => {
    const lines = dropin().split('\n');
    assert.deepEqual(lines.filter((l) => l.startsWith('HostKey ')), ['HostKey /etc/ssh/ssh_host_ed25519_key']);
    assert.equal(setting(dropin(), 'HostKeyAlgorithms'), 'ssh-ed25519,ssh-ed25519-cert-v01@openssh.com');
  });

  it('uses sntrup761 and curve25519 key exchange on bookworm, whose OpenSSH 9.2 has no mlkem768', () => {
    assert.equal(setting(dropin(), 'KexAlgorithms'), 'sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org');
  });

  it('puts mlkem768x25519 first on trixie, whose OpenSSH 10 knows it', () => {
    assert.equal(setting(dropin({}, TRIXIE), 'KexAlgorithms'), 'mlkem768x25519-sha256,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org');
  });

  it('falls back to what the release ships when OpenSSH is not installed yet', () => {
    const bare = (s: SystemFacts): SystemFacts => ({ ...s, ssh: facts({ algorithms: { kex: [], cipher: [], mac: [], key: [] } }) });
    assert.match(setting(dropin({}, bare(TRIXIE)), 'KexAlgorithms') ?? '', /^mlkem768x25519-sha256,/);
    assert.doesNotMatch(setting(dropin({}, bare(BOOKWORM)), 'KexAlgorithms') ?? '', /mlkem/);
  });

  it('lists only AEAD ciphers and encrypt-then-MAC MACs', () => {
    const text = dropin();
    assert.equal(setting(text, 'Ciphers'), 'chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com');
    assert.equal(setting(text, 'MACs'), 'hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com');
  });

  it('accepts only ed25519 user keys when every key in use is ed25519', () => {
    assert.equal(setting(dropin(), 'PubkeyAcceptedAlgorithms'), 'ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,sk-ssh-ed25519@openssh.com,sk-ssh-ed25519-cert-v01@openssh.com');
  });

  it('keeps SHA-2 RSA signatures when the configured login key is RSA, never SHA-1 ssh-rsa', () => {
    const algs = (setting(dropin({ ssh_public_key: RSA_KEY }), 'PubkeyAcceptedAlgorithms') ?? '').split(',');
    assert.ok(algs.includes('rsa-sha2-512') && algs.includes('rsa-sha2-256'));
    assert.ok(!algs.includes('ssh-rsa'));
  });

  it("keeps the key type another user logs in with today, but not root's", () => {
    const system = { ...BOOKWORM, ssh: facts({ accounts: {
      root: account({ uid: 0, home: '/root', keyTypes: ['ssh-rsa'] }),
      ops: account({ uid: 1001, home: '/home/ops', keyTypes: ['ecdsa-sha2-nistp256'] }),
    } }) };
    const algs = (setting(dropin({}, system), 'PubkeyAcceptedAlgorithms') ?? '').split(',');
    assert.ok(algs.includes('ecdsa-sha2-nistp256'));
    assert.ok(!algs.includes('rsa-sha2-512'));
  });

  it('names the login user in the sshd -T hint', () => {
    assert.match(dropin({ username: 'alice' }), /sshd -T -C user=alice,host=x,addr=1\.2\.3\.4/);
  });
});

describe('the effective-settings check', () => {
  it('expects one sshd -T line per setting of the drop-in, key lower-cased, value as written', () => {
    const lines = effectiveLines(dropin());
    assert.ok(lines.includes('permitrootlogin no'));
    assert.ok(lines.includes('loglevel VERBOSE'));
    assert.ok(lines.includes('hostkey /etc/ssh/ssh_host_ed25519_key'));
    assert.ok(lines.includes('authenticationmethods publickey'));
    assert.ok(!lines.some((l) => l.startsWith('#') || l.startsWith('debianbanner')), 'comments and settings sshd -T hides are not expected');
  });

  it('runs sshd -t, then sshd -T for the login user, with the expected host key count', () => {
    const text = dropin({ username: 'alice' });
    const argv = sshdCheck('alice', text);
    assert.deepEqual(argv.slice(0, 2), ['sh', '-c']);
    assert.match(argv[2]!, /sshd -t \|\| exit 1/);
    assert.match(argv[2]!, /sshd -T -C "user=\$1,host=localhost,addr=127\.0\.0\.1"/);
    assert.deepEqual(argv.slice(4, 6), ['alice', '1']);
    assert.deepEqual(argv.slice(6), effectiveLines(text));
  });
});

describe('the ssh resources', () => {
  it('declare the drop-in under sshd_config.d sorting before 50-cloud-init.conf, checked and notifying ssh', () => {
    const decl = sshResources(ctx()).find((d) => d.kind === 'file' && d.id.startsWith('/etc/ssh/sshd_config.d/'));
    assert.equal(decl?.id, SSHD_DROPIN);
    assert.ok(SSHD_DROPIN.split('/').pop()! < '50-cloud-init.conf');
    assert.deepEqual(decl?.notify, ['service:ssh']);
    assert.equal((decl?.options as { check?: string[] }).check?.[0], 'sh');
  });

  it('filter moduli, keep the ed25519 host key and reload ssh after sshd -t, in that order', () => {
    const decls = sshResources(ctx());
    assert.deepEqual(decls.map((d) => `${d.kind}:${d.id}`), [
      'package:openssh-server', 'command:ssh host key /etc/ssh/ssh_host_ed25519_key', 'moduli:/etc/ssh/moduli', `file:${SSHD_DROPIN}`, 'service:ssh',
    ]);
    const ssh = decls.at(-1)!;
    assert.deepEqual(ssh.options, { onChange: 'reload', verify: ['/usr/sbin/sshd', '-t'] });
    assert.deepEqual(decls[2]!.desired, { minBits: 3072, weak: 0 });
  });

  it('move ssh.socket too where systemd owns the listening socket, and only reload ssh.service when it runs', () => {
    const decls = sshResources(ctx({ security: { ssh_port: 2222 } }, NOBLE));
    const socket = decls.find((d) => d.kind === 'unit-dropin');
    assert.equal(socket?.id, '/etc/systemd/system/ssh.socket.d/phanes-port.conf');
    const content = String((socket?.options as { content?: string }).content);
    assert.deepEqual(content.split('\n').filter((l) => l.startsWith('ListenStream')), ['ListenStream=', 'ListenStream=0.0.0.0:2222', 'ListenStream=[::]:2222']);
    assert.match(content, /^\[Socket\]$/m);
    assert.deepEqual(decls.map((d) => d.kind).slice(-3), ['directory', 'unit-dropin', 'service']);
    assert.deepEqual(decls.at(-1)?.desired, {});
  });

  it('treat Ubuntu 22.10 and later as socket-activated even before facts say so', () => {
    const kinds = (system: SystemFacts): string[] => sshResources(ctx({}, system)).map((d) => d.kind);
    assert.ok(kinds({ ...NOBLE, versionId: '22.10', ssh: facts() }).includes('unit-dropin'));
    assert.ok(!kinds({ ...NOBLE, versionId: '22.04', ssh: facts() }).includes('unit-dropin'));
    assert.ok(!kinds(TRIXIE).includes('unit-dropin'));
  });

  it('give the firewall part the ssh port to allow', () => {
    assert.equal(sshAllowRule(configWith({ security: { ssh_port: 2222 } })), '2222/tcp');
  });
});

describe('the security module', () => {
  it('is in the minimal profile right after user', () => {
    assert.deepEqual(PROFILES.minimal?.slice(0, 3), ['baseline', 'user', 'security']);
    assert.equal(security.name, 'security');
  });

  it('declares the ssh resources', () => {
    assert.ok(security.resources(ctx()).some((d) => d.id === SSHD_DROPIN));
  });
});

describe('lockout preflight', () => {
  it('lets a run with a key, the user module and sudo through', () => {
    assert.deepEqual(sshPreflight(ctx()), []);
  });

  it('refuses to turn password login off when no key is configured', () => {
    assert.deepEqual(sshPreflight(ctx({ ssh_public_key: '' })), [
      'security.allow_password_auth is false, so SSH password login would be turned off, but no SSH key is configured for deploy: nobody could log in. Set ssh_public_key to your public key (the line `cat ~/.ssh/id_ed25519.pub` prints), or set security.allow_password_auth: true.',
    ]);
  });

  it('treats a placeholder key as no key', () => {
    assert.equal(sshPreflight(ctx({ ssh_public_key: 'ssh-ed25519 AAAA... you@laptop' })).length, 1);
  });

  it('lets password login stay on without a key', () => {
    assert.deepEqual(sshPreflight(ctx({ ssh_public_key: '', security: { allow_password_auth: true } })), []);
  });

  it('refuses when the user module is not in the run and the user has no key on the host, even with one in the config', () => {
    const system = { ...BOOKWORM, ssh: facts({ accounts: { deploy: account({ keyTypes: [] }) } }) };
    assert.deepEqual(sshPreflight(ctx({}, system, ['security'])), [
      'security.allow_password_auth is false, so SSH password login would be turned off, but deploy has no key in /home/deploy/.ssh/authorized_keys and the user module is not in this run: nobody could log in. Add the user module to the run (--modules user,security) with ssh_public_key set, or set security.allow_password_auth: true.',
    ]);
  });

  it('lets security run alone for a user who already has a key and sudo on the host', () => {
    const system = { ...BOOKWORM, ssh: facts({ accounts: { deploy: account() } }) };
    assert.deepEqual(sshPreflight(ctx({ ssh_public_key: '' }, system, ['security'])), []);
  });

  it('refuses to turn root login off when the user module is not in the run and the user does not exist', () => {
    assert.deepEqual(sshPreflight(ctx({}, BOOKWORM, ['security'])), [
      'security turns off root login over SSH, but the user deploy does not exist on this host and the user module is not in this run: nobody could log in as root or as deploy. Add the user module (--modules user,security, or --profile minimal), or set username to an existing sudo user.',
    ]);
  });

  it('refuses to turn root login off when the existing user is not in sudo', () => {
    const system = { ...BOOKWORM, ssh: facts({ accounts: { deploy: account({ groups: ['deploy'] }) } }) };
    assert.deepEqual(sshPreflight(ctx({}, system, ['security'])), [
      'security turns off root login over SSH, but deploy is not in the sudo group and the user module is not in this run, so nobody could become root over SSH. Add the user module (--modules user,security) with user.sudo: true, or run `adduser deploy sudo` first.',
    ]);
  });

  it('refuses to turn root login off when the user module will not give the user sudo', () => {
    assert.deepEqual(sshPreflight(ctx({ user: { sudo: false } })), [
      'security turns off root login over SSH, but user.sudo is false, so deploy could log in but never become root. Set user.sudo: true.',
    ]);
  });

  const activeUfw = { enabled: true, defaultInput: 'drop', rules: [{ action: 'allow' as const, proto: 'tcp', port: '22' }] };

  it('refuses a port change that an active ufw Phanes does not manage would block', () => {
    const system = { ...BOOKWORM, ssh: facts({ ufw: activeUfw }) };
    assert.deepEqual(sshPreflight(ctx({ security: { ssh_port: 2222, ufw: { ...defaultConfig().security.ufw, enabled: false } } }, system)), [
      'security.ssh_port is 2222 (sshd listens on 22 now), but ufw is active on this host and does not allow 2222/tcp, and security.ufw.enabled is false, so Phanes will not open it: sshd would move to a port no one can reach. Run `ufw allow 2222/tcp` first, or set security.ufw.enabled: true so Phanes opens it before sshd moves, or keep security.ssh_port: 22.',
    ]);
  });

  it('lets the port change when Phanes manages ufw, ufw already allows it, or ufw is inactive', () => {
    const noUfw = { ...defaultConfig().security.ufw, enabled: false };
    const run = (ufw: SshFacts['ufw'], managed: boolean): string[] =>
      sshPreflight(ctx({ security: { ssh_port: 2222, ufw: managed ? defaultConfig().security.ufw : noUfw } }, { ...BOOKWORM, ssh: facts({ ufw }) }));
    assert.deepEqual(run(activeUfw, true), []);
    assert.deepEqual(run({ ...activeUfw, rules: [...activeUfw.rules, { action: 'allow', proto: 'any', port: '2000:3000' }] }, false), []);
    assert.deepEqual(run({ ...activeUfw, enabled: false }, false), []);
    assert.deepEqual(run(null, false), []);
  });

  it('does not call an unchanged port a port change', () => {
    const system = { ...BOOKWORM, ssh: facts({ ufw: activeUfw, ports: [2222] }) };
    assert.deepEqual(sshPreflight(ctx({ security: { ssh_port: 2222, ufw: { ...defaultConfig().security.ufw, enabled: false } } }, system)), []);
  });

  it('refuses when sshd_config has settings of its own before the drop-in Include', () => {
    const system = { ...BOOKWORM, ssh: facts({ dropinsFirst: false }) };
    assert.deepEqual(sshPreflight(ctx({}, system)), [
      "/etc/ssh/sshd_config does not begin with `Include /etc/ssh/sshd_config.d/*.conf`, so its own settings would override Phanes' hardening in /etc/ssh/sshd_config.d/00-phanes-hardening.conf (sshd keeps the first value it reads). Put that Include line before any other setting in /etc/ssh/sshd_config (Debian 12 and Ubuntu 22.04 ship it there), then re-run.",
    ]);
  });

  it('is the security module preflight', () => {
    assert.equal(security.preflight?.(ctx({ ssh_public_key: '' })).length, 1);
  });
});
