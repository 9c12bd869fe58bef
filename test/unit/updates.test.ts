import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTO_UPGRADES_FILE, UNATTENDED_FILE, updates, updatesFiles } from '../../modules/updates.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import type { SystemFacts } from '../../src/facts/system.js';
import { planWith } from './support/plan.js';

const DEBIAN: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };
const UBUNTU: SystemFacts = { ...DEBIAN, distro: 'ubuntu', versionId: '24.04', codename: 'noble' };

const options = (o: Partial<Config['updates']> = {}): Config['updates'] => ({ ...defaultConfig().updates, ...o });
const dropIn = (o: Partial<Config['updates']> = {}, system: SystemFacts = DEBIAN): string => updatesFiles(options(o), system)[UNATTENDED_FILE]!;
const originsOf = (text: string): string[] => [...(/Origins-Pattern \{\n([\s\S]*?)\n\};/.exec(text)?.[1] ?? '').matchAll(/"([^"]+)";/g)].map((m) => m[1]!);

describe('updates rendering', () => {
  it('writes 20auto-upgrades with daily list updates, daily unattended upgrades and a weekly autoclean', () => {
    const text = updatesFiles(options(), DEBIAN)[AUTO_UPGRADES_FILE]!;
    const settings = text.split('\n').filter((l) => l.startsWith('APT::'));
    assert.deepEqual(settings, [
      'APT::Periodic::Update-Package-Lists "1";',
      'APT::Periodic::Unattended-Upgrade "1";',
      'APT::Periodic::AutocleanInterval "7";',
    ]);
  });

  it('allows the Debian security archive on Debian', () => {
    assert.deepEqual(originsOf(dropIn()), ['origin=Debian,codename=${distro_codename}-security,label=Debian-Security']);
  });

  it('allows the Ubuntu security pocket and the ESM security pockets on Ubuntu', () => {
    assert.deepEqual(originsOf(dropIn({}, UBUNTU)), [
      'origin=Ubuntu,archive=${distro_codename}-security,label=Ubuntu',
      'origin=UbuntuESMApps,archive=${distro_codename}-apps-security',
      'origin=UbuntuESM,archive=${distro_codename}-infra-security',
    ]);
  });

  it('turns automatic reboots off by default and names no reboot time', () => {
    const text = dropIn();
    assert.match(text, /^Unattended-Upgrade::Automatic-Reboot "false";$/m);
    assert.doesNotMatch(text, /Automatic-Reboot-Time/);
  });

  it('reboots at the configured time when automatic_reboot is on', () => {
    const text = dropIn({ automatic_reboot: true, automatic_reboot_time: '04:30' });
    assert.match(text, /^Unattended-Upgrade::Automatic-Reboot "true";$/m);
    assert.match(text, /^Unattended-Upgrade::Automatic-Reboot-Time "04:30";$/m);
  });

  it('sets an empty Mail, so no report is sent, when mail is empty', () => {
    const text = dropIn();
    assert.match(text, /^Unattended-Upgrade::Mail "";$/m);
    assert.doesNotMatch(text, /MailReport/);
  });

  it('mails reports on change to the configured address', () => {
    const text = dropIn({ mail: 'ops@example.com' });
    assert.match(text, /^Unattended-Upgrade::Mail "ops@example\.com";$/m);
    assert.match(text, /^Unattended-Upgrade::MailReport "on-change";$/m);
  });

  it('ends every setting line with a semicolon and balances its braces, as apt.conf requires', () => {
    for (const text of [dropIn(), dropIn({ automatic_reboot: true, mail: 'a@b.co' }, UBUNTU)]) {
      const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('//'));
      for (const l of lines) assert.match(l, /[;{]$/, `line without ; or {: ${l}`);
      assert.equal(lines.filter((l) => l.endsWith('{')).length, lines.filter((l) => l === '};').length);
    }
  });
});

describe('updates planning', () => {
  const declsFor = (o: Partial<Config['updates']> = {}) => updates.resources({ config: { ...defaultConfig(), updates: options(o) }, system: DEBIAN, modules: ['updates'] });

  it('declares the package, both apt.conf.d files and the two apt timers', () => {
    assert.deepEqual(declsFor().map((d) => `${d.kind}:${d.id}`), [
      'package:unattended-upgrades', `file:${AUTO_UPGRADES_FILE}`, `file:${UNATTENDED_FILE}`, 'service:apt-daily.timer', 'service:apt-daily-upgrade.timer',
    ]);
  });

  it('declares nothing when updates are disabled', () => {
    assert.deepEqual(declsFor({ enabled: false }), []);
  });

  it('replaces a 20auto-upgrades that turns upgrades off, showing the diff', async () => {
    const off = 'APT::Periodic::Update-Package-Lists "0";\nAPT::Periodic::Unattended-Upgrade "0";\n';
    const { planned } = await planWith({
      files: { [AUTO_UPGRADES_FILE]: { content: off } },
      commands: [{ match: /^dpkg-query/, stdout: 'unattended-upgrades\tii \t2.9.1+nmu3\n' }, { match: /^systemctl show/, stdout: [
        'Id=apt-daily.timer\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n',
        'Id=apt-daily-upgrade.timer\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n',
      ].join('\n') }],
    }, declsFor());
    assert.deepEqual(planned.map((s) => s.label), [`file ${AUTO_UPGRADES_FILE}`, `file ${UNATTENDED_FILE}`]);
    assert.match(planned[0]?.diff ?? '', /^-APT::Periodic::Unattended-Upgrade "0";$/m);
    assert.match(planned[0]?.diff ?? '', /^\+APT::Periodic::Unattended-Upgrade "1";$/m);
  });

  it('enables and starts a disabled apt timer', async () => {
    const { planned } = await planWith({ commands: [{ match: /^systemctl show/, stdout: [
      'Id=apt-daily.timer\nLoadState=loaded\nActiveState=inactive\nUnitFileState=disabled\n',
      'Id=apt-daily-upgrade.timer\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n',
    ].join('\n') }] }, declsFor());
    assert.deepEqual(planned.filter((s) => s.label.startsWith('service')).map((s) => [s.label, s.changes]), [['service apt-daily.timer', ['enable', 'start']]]);
  });
});
