import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { security } from '../../modules/security.js';
import { AUDIT_PACKAGES, baselineHardeningResources, LOGIN_DEFS, loginDefs, MODPROBE_FILE, renderModprobe } from '../../modules/security/baseline-hardening.js';
import { fail2banResources, JAIL_LOCAL, renderJail } from '../../modules/security/fail2ban.js';
import { FORWARDING, hardeningSettings, kernelResources, KERNEL, namespaced, NETWORK, renderSysctlFile, SYSCTL_FILE } from '../../modules/security/kernel.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import type { ModuleContext } from '../../src/engine/module.js';
import type { SystemFacts } from '../../src/facts/system.js';
import { applyModules } from '../../src/engine/apply.js';
import { rollbackModule } from '../../src/engine/rollback.js';
import { project } from '../../state/projector.js';
import { MemoryHost } from './support/memory-host.js';
import { memoryRecorder } from './support/memory-recorder.js';
import { collectingReporter, planWith } from './support/plan.js';

const VM: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };
const NSPAWN: SystemFacts = { ...VM, container: 'systemd-nspawn' };
function ctx(o: { security?: Partial<Config['security']>; system?: SystemFacts; modules?: string[] } = {}): ModuleContext {
  const base = defaultConfig();
  return { config: { ...base, security: { ...base.security, ...o.security } }, system: o.system ?? VM, modules: o.modules ?? ['baseline', 'user', 'security'] };
}
const procPathOf = (key: string): string => `/proc/sys/${key.replace(/\./g, '/')}`;
const live = (c: ModuleContext) => kernelResources(c).filter((d) => d.kind === 'live-sysctl');

describe('kernel and network sysctls', () => {
  it('persists every setting in one sysctl.d file and sets each one live on a VM', () => {
    const decls = kernelResources(ctx());
    const file = decls.find((d) => d.id === SYSCTL_FILE);
    assert.ok(file);
    const content = String((file.options as { content: string }).content);
    for (const s of [...NETWORK, ...FORWARDING, ...KERNEL]) assert.match(content, new RegExp(`^-${s.key.replace(/\./g, '\\.')} = ${s.value}$`, 'm'));
    assert.deepEqual(live(ctx()).map((d) => d.id), hardeningSettings(ctx()).map((s) => s.key));
    assert.ok(live(ctx()).every((d) => d.skip === undefined));
  });

  it('turns off ICMP redirects both ways, source routing and forwarding, and turns on syncookies and rp_filter', () => {
    const want = new Map(hardeningSettings(ctx()).map((s) => [s.key, s.value]));
    for (const fam of ['ipv4', 'ipv6']) for (const scope of ['all', 'default']) {
      assert.equal(want.get(`net.${fam}.conf.${scope}.accept_redirects`), '0');
      assert.equal(want.get(`net.${fam}.conf.${scope}.accept_source_route`), '0');
    }
    assert.equal(want.get('net.ipv4.conf.all.send_redirects'), '0');
    assert.equal(want.get('net.ipv4.tcp_syncookies'), '1');
    assert.equal(want.get('net.ipv4.conf.all.rp_filter'), '1');
    assert.equal(want.get('net.ipv4.ip_forward'), '0');
    assert.equal(want.get('kernel.kptr_restrict'), '2');
  });

  it('leaves ip_forward and IPv6 forwarding alone, in the file and live, when docker is in the run', () => {
    const c = ctx({ modules: ['baseline', 'user', 'security', 'docker'] });
    const keys = live(c).map((d) => d.id);
    assert.ok(!keys.includes('net.ipv4.ip_forward') && !keys.includes('net.ipv6.conf.all.forwarding'));
    assert.doesNotMatch(renderSysctlFile(hardeningSettings(c)), /forward/);
  });

  it("inside a container sets only net.* live and skips the machine's keys with the reason", () => {
    const decls = live(ctx({ system: NSPAWN }));
    for (const d of decls) {
      if (namespaced(d.id)) assert.equal(d.skip, undefined, d.id);
      else assert.match(d.skip ?? '', /inside a container \(systemd-nspawn\): .* is the machine's/, d.id);
    }
    assert.ok(decls.some((d) => d.id === 'kernel.kptr_restrict' && d.skip));
    assert.ok(decls.some((d) => d.id === 'net.ipv4.tcp_syncookies' && !d.skip));
  });

  it('never declares a live kernel.*, fs.*, vm.* or dev.* change that is not skipped in a container', () => {
    const risky = live(ctx({ system: NSPAWN, modules: ['security', 'docker'] })).filter((d) => !d.id.startsWith('net.') && !d.skip);
    assert.deepEqual(risky, []);
  });

  it('still writes the file inside a container, so a VM made from it gets the settings at boot', () => {
    assert.ok(kernelResources(ctx({ system: NSPAWN })).some((d) => d.id === SYSCTL_FILE && !d.skip));
  });

  it('declares nothing when sysctl_hardening is off', () => {
    assert.deepEqual(kernelResources(ctx({ security: { sysctl_hardening: false } })), []);
  });

  it('plans only the keys whose live value differs, reading /proc/sys without a process', async () => {
    const decls = live(ctx()).filter((d) => ['net.ipv4.tcp_syncookies', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.icmp_ratemask'].includes(d.id));
    const files = { [procPathOf('net.ipv4.tcp_syncookies')]: { content: '1\n' }, [procPathOf('net.ipv4.conf.all.rp_filter')]: { content: '0\n' }, [procPathOf('net.ipv4.icmp_ratemask')]: { content: '6168\n' } };
    const { planned, host } = await planWith({ files }, decls);
    assert.deepEqual(planned.map((s) => `${s.label}: ${s.changes.join()}`), ['live sysctl net.ipv4.conf.all.rp_filter: 0 → 1', 'live sysctl net.ipv4.icmp_ratemask: 6168 → 88089']);
    assert.equal(host.queries.length, 0);
  });
});

describe('the fail2ban jail', () => {
  it('watches sshd through the journal on the configured port, with the configured times', () => {
    const jail = renderJail(ctx({ security: { ssh_port: 2222, fail2ban: { enabled: true, bantime: '2h', findtime: '15m', maxretry: 3 } } }));
    const sshd = jail.slice(jail.indexOf('[sshd]'));
    assert.match(sshd, /^enabled = true$/m);
    assert.match(sshd, /^backend = systemd$/m);
    assert.match(sshd, /^port\s+= 2222$/m);
    assert.match(jail, /^bantime\s+= 2h$/m);
    assert.match(jail, /^findtime = 15m$/m);
    assert.match(jail, /^maxretry = 3$/m);
    assert.match(jail, /^banaction = nftables$/m);
  });

  it('installs python3-systemd and nftables beside fail2ban, and restarts it after a config test on a jail change', () => {
    const decls = fail2banResources(ctx());
    assert.deepEqual(decls.map((d) => `${d.kind}:${d.id}`), ['package:fail2ban', 'package:python3-systemd', 'package:nftables', `file:${JAIL_LOCAL}`, 'service:fail2ban']);
    assert.deepEqual(decls[3]?.notify, ['service:fail2ban']);
    assert.deepEqual(decls[4]?.options, { onChange: 'restart', verify: ['fail2ban-client', '-t'] });
  });

  it('declares nothing when fail2ban is off', () => {
    assert.deepEqual(fail2banResources(ctx({ security: { fail2ban: { ...defaultConfig().security.fail2ban, enabled: false } } })), []);
  });
});

// Debian 12's /etc/login.defs around the keys Phanes sets (Debian 13 has no UMASK or SHA_CRYPT lines).
const LOGIN_DEFS_12 = [
  '#	PASS_MAX_DAYS	Maximum number of days a password may be used.',
  '#	PASS_MIN_DAYS	Minimum number of days allowed between password changes.',
  'PASS_MAX_DAYS	99999',
  'PASS_MIN_DAYS	0',
  'PASS_WARN_AGE	7',
  'UMASK		022',
  '#SHA_CRYPT_MIN_ROUNDS 5000',
  '#SHA_CRYPT_MAX_ROUNDS 5000',
  '',
].join('\n');

describe('baseline hardening', () => {
  it('replaces the active login.defs settings and the commented examples, never the explanations', async () => {
    const { planned } = await planWith({ files: { [LOGIN_DEFS]: { content: LOGIN_DEFS_12 } } }, loginDefs(defaultConfig().security.hardening));
    assert.deepEqual(planned.map((s) => s.changes.join()), [
      'replace "PASS_MIN_DAYS	0"', 'replace "UMASK		022"', 'replace "#SHA_CRYPT_MIN_ROUNDS 5000"', 'replace "#SHA_CRYPT_MAX_ROUNDS 5000"',
    ]);
  });

  it('sets a maximum password age only when configured', () => {
    const h = defaultConfig().security.hardening;
    assert.ok(!loginDefs(h).some((d) => String(d.desired.line).startsWith('PASS_MAX_DAYS')));
    assert.ok(loginDefs({ ...h, password_max_days: 365 }).some((d) => d.desired.line === 'PASS_MAX_DAYS\t365'));
    assert.ok(loginDefs({ ...h, umask: '022' }).some((d) => d.desired.line === 'UMASK\t022'));
  });

  it('blocks rare protocols and filesystems with install /bin/true, and keeps udf and squashfs loadable', () => {
    const text = renderModprobe();
    for (const m of ['dccp', 'sctp', 'rds', 'tipc', 'usb-storage', 'cramfs']) assert.match(text, new RegExp(`^install ${m} /bin/true$`, 'm'));
    assert.doesNotMatch(text, /udf|squashfs|vfat/);
  });

  it('writes banners, login.defs, core dump and modprobe files and the audit helpers, and skips acct in a container', () => {
    const vm = baselineHardeningResources(ctx());
    for (const id of ['/etc/issue', '/etc/issue.net', MODPROBE_FILE, ...AUDIT_PACKAGES, 'acct']) assert.ok(vm.some((d) => d.id === id), id);
    assert.equal(vm.find((d) => d.id === 'acct')?.skip, undefined);
    assert.match(baselineHardeningResources(ctx({ system: NSPAWN })).find((d) => d.id === 'acct')?.skip ?? '', /CAP_SYS_PACCT/);
  });

  it('is part of the security module and declares nothing when turned off', () => {
    assert.ok(security.resources(ctx()).some((d) => d.id === MODPROBE_FILE));
    assert.ok(!kernelResources(ctx()).some((d) => d.id === MODPROBE_FILE));
    assert.deepEqual(baselineHardeningResources(ctx({ security: { hardening: { ...defaultConfig().security.hardening, enabled: false } } })), []);
  });

  it('puts login.defs back byte for byte on rollback', async () => {
    const host = new MemoryHost();
    host.put(LOGIN_DEFS, LOGIN_DEFS_12);
    const rec = memoryRecorder();
    const run = { version: 't', hostname: 'h' };
    const decls = loginDefs(defaultConfig().security.hardening);
    await applyModules({ host, plan: [{ module: { name: 'security', description: '', resources: () => decls }, decls }], dryRun: false, recorder: rec, projection: project(rec.events), reporter: collectingReporter(), secrets: [], run });
    assert.match(host.text(LOGIN_DEFS) ?? '', /^UMASK\t027$/m);
    await rollbackModule({ host, module: 'security', projection: project(rec.events), events: rec.events, recorder: rec, reporter: collectingReporter(), secrets: [], dryRun: false, force: false, run });
    assert.equal(host.text(LOGIN_DEFS), LOGIN_DEFS_12);
  });
});
