import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aptUpdate } from '../../src/resources/apt-update.js';
import { command } from '../../src/resources/command.js';
import { directory } from '../../src/resources/directory.js';
import { absentFile, file } from '../../src/resources/file.js';
import { line } from '../../src/resources/line.js';
import { pkg } from '../../src/resources/package.js';
import { service } from '../../src/resources/service.js';
import { timezone } from '../../src/resources/timezone.js';
import { user } from '../../src/resources/user.js';
import { planWith } from './support/plan.js';

const dpkg = (rows: string): { match: RegExp; stdout: string; exitCode: number } => ({ match: /^dpkg-query/, stdout: rows, exitCode: 0 });
const systemctl = (blocks: string): { match: RegExp; stdout: string } => ({ match: /^systemctl show/, stdout: blocks });
const unit = (id: string, active: string, file: string): string => `Id=${id}\nLoadState=loaded\nActiveState=${active}\nUnitFileState=${file}\n`;
const passwd = 'root:x:0:0:root:/root:/bin/bash\ndeploy:x:1000:1000::/home/deploy:/bin/bash\n';

describe('package', () => {
  it('plans nothing when the package is installed', async () => {
    const { planned, host } = await planWith({ commands: [dpkg('curl\tii \t7.88.1\n')] }, [pkg('curl')]);
    assert.deepEqual(planned, []);
    assert.equal(host.queries.filter((q) => q.startsWith('dpkg-query')).length, 1);
  });
  it('plans an install when the package is missing', async () => {
    const { planned } = await planWith({ commands: [{ match: /^dpkg-query/, stdout: '', exitCode: 1 }] }, [pkg('curl')]);
    assert.deepEqual(planned.map((s) => s.changes), [['install curl']]);
  });
  it('plans an install when the package was removed but its config files remain', async () => {
    const { planned } = await planWith({ commands: [dpkg('curl\trc \t\n')] }, [pkg('curl')]);
    assert.deepEqual(planned.map((s) => s.label), ['package curl']);
  });
  it('reads every package of a run with one dpkg-query', async () => {
    const { planned, host } = await planWith({ commands: [dpkg('curl\tii \t1\n')] }, [pkg('curl'), pkg('gnupg'), pkg('tzdata')]);
    assert.equal(planned.length, 2);
    assert.equal(host.queries.filter((q) => q.startsWith('dpkg-query')).length, 1);
    assert.match(host.queries.find((q) => q.startsWith('dpkg-query')) ?? '', /curl gnupg tzdata$/);
  });
});

describe('file', () => {
  const spec = { content: 'hello\n', mode: 0o640, owner: 'root', group: 'adm' };
  it('plans nothing when content, mode and owner match', async () => {
    const { planned } = await planWith({ files: { '/etc/x': { content: 'hello\n', mode: 0o640, group: 'adm' } } }, [file('/etc/x', spec)]);
    assert.deepEqual(planned, []);
  });
  it('plans a create with a diff from nothing when the file is missing', async () => {
    const { planned } = await planWith({}, [file('/etc/x', spec)]);
    assert.deepEqual(planned[0]?.changes, ['create (0640 root:adm)']);
    assert.match(planned[0]?.diff ?? '', /\+hello/);
  });
  it('plans a content change with a unified diff when the content drifted', async () => {
    const { planned } = await planWith({ files: { '/etc/x': { content: 'bye\n', mode: 0o640, group: 'adm' } } }, [file('/etc/x', spec)]);
    assert.deepEqual(planned[0]?.changes, ['content']);
    assert.match(planned[0]?.diff ?? '', /-bye\n\+hello/);
  });
  it('plans only a mode change when only the mode drifted', async () => {
    const { planned } = await planWith({ files: { '/etc/x': { content: 'hello\n', mode: 0o644, group: 'adm' } } }, [file('/etc/x', spec)]);
    assert.deepEqual(planned[0]?.changes, ['mode: 0644 → 0640']);
  });
  it('never shows secret content in a diff', async () => {
    const { planned } = await planWith({ files: { '/etc/s': { content: 'pw=old\n' } } }, [file('/etc/s', { content: 'pw=hunter2\n', secret: true })]);
    assert.doesNotMatch(planned[0]?.diff ?? '', /hunter2|old/);
    assert.match(planned[0]?.diff ?? '', /redacted/);
  });
  it('plans a removal when a file must be absent and exists', async () => {
    const { planned } = await planWith({ files: { '/etc/x': { content: 'a' } } }, [absentFile('/etc/x')]);
    assert.deepEqual(planned[0]?.changes, ['remove']);
  });
});

describe('directory', () => {
  it('plans nothing when it exists with the mode and owner', async () => {
    const { planned } = await planWith({ files: { '/home/d/.ssh': { dir: true, mode: 0o700, owner: 'd' } } }, [directory('/home/d/.ssh', { mode: 0o700, owner: 'd' })]);
    assert.deepEqual(planned, []);
  });
  it('plans a create when it is missing', async () => {
    const { planned } = await planWith({}, [directory('/home/d/.ssh', { mode: 0o700, owner: 'd' })]);
    assert.deepEqual(planned[0]?.changes, ['create (0700 d:d)']);
  });
  it('plans a mode fix when the mode drifted', async () => {
    const { planned } = await planWith({ files: { '/home/d/.ssh': { dir: true, mode: 0o755, owner: 'd' } } }, [directory('/home/d/.ssh', { mode: 0o700, owner: 'd' })]);
    assert.deepEqual(planned[0]?.changes, ['mode: 0755 → 0700']);
  });
});

describe('line', () => {
  const decl = line('/etc/locale.gen', 'en_US.UTF-8 UTF-8', /^#?\s*en_US\.UTF-8\s/);
  it('plans nothing when the line is there', async () => {
    const { planned } = await planWith({ files: { '/etc/locale.gen': { content: '# x\nen_US.UTF-8 UTF-8\n' } } }, [decl]);
    assert.deepEqual(planned, []);
  });
  it('plans replacing the commented line that matches', async () => {
    const { planned } = await planWith({ files: { '/etc/locale.gen': { content: '# en_US.UTF-8 UTF-8\n' } } }, [decl]);
    assert.deepEqual(planned[0]?.changes, ['replace "# en_US.UTF-8 UTF-8"']);
  });
  it('plans an append when nothing matches', async () => {
    const { planned } = await planWith({ files: { '/etc/locale.gen': { content: '' } } }, [decl]);
    assert.deepEqual(planned[0]?.changes, ['append "en_US.UTF-8 UTF-8"']);
  });
});

describe('service', () => {
  it('plans nothing when it is enabled and running', async () => {
    const { planned } = await planWith({ commands: [systemctl(unit('ssh.service', 'active', 'enabled'))] }, [service('ssh')]);
    assert.deepEqual(planned, []);
  });
  it('plans enable and start when it is stopped and disabled', async () => {
    const { planned } = await planWith({ commands: [systemctl(unit('x.service', 'inactive', 'disabled'))] }, [service('x')]);
    assert.deepEqual(planned[0]?.changes, ['enable', 'start']);
  });
  it('plans a reload when a file that notifies it changes, and not otherwise', async () => {
    const facts = { commands: [systemctl(unit('ssh.service', 'active', 'enabled'))], files: { '/etc/ssh/x': { content: 'old\n' } } };
    const changed = await planWith(facts, [file('/etc/ssh/x', { content: 'new\n', notify: ['service:ssh'] }), service('ssh', { onChange: 'reload' })]);
    assert.deepEqual(changed.planned.map((s) => s.changes), [['content'], ['reload']]);
    const same = await planWith(facts, [file('/etc/ssh/x', { content: 'old\n', notify: ['service:ssh'] }), service('ssh')]);
    assert.deepEqual(same.planned, []);
  });
  it('plans enable and the restart when a notified unit runs but was disabled, so the restart is named', async () => {
    const facts = { commands: [systemctl(unit('netdata.service', 'active', 'disabled'))], files: { '/etc/netdata/netdata.conf': { content: 'old\n' } } };
    const { planned } = await planWith(facts, [file('/etc/netdata/netdata.conf', { content: 'new\n', notify: ['service:netdata'] }), service('netdata', { onChange: 'restart' })]);
    assert.deepEqual(planned.map((s) => s.changes), [['content'], ['enable', 'restart']]);
  });
  it('reads every unit of a run with one systemctl', async () => {
    const { host } = await planWith({ commands: [systemctl(`${unit('a.service', 'active', 'enabled')}\n${unit('b.service', 'active', 'enabled')}`)] }, [service('a'), service('b')]);
    assert.equal(host.queries.filter((q) => q.startsWith('systemctl')).length, 1);
  });
});

describe('user', () => {
  const decl = user('deploy', { shell: '/bin/bash', groups: ['sudo'] });
  it('plans nothing when the user exists with the shell and groups', async () => {
    const { planned } = await planWith({ files: { '/etc/passwd': { content: passwd }, '/etc/group': { content: 'sudo:x:27:deploy\n' } } }, [decl]);
    assert.deepEqual(planned, []);
  });
  it('plans a create when the user is missing', async () => {
    const { planned } = await planWith({ files: { '/etc/passwd': { content: 'root:x:0:0::/root:/bin/bash\n' }, '/etc/group': { content: '' } } }, [decl]);
    assert.deepEqual(planned[0]?.changes, ['create (shell /bin/bash, groups sudo)']);
  });
  it('plans adding the missing group and the shell when they drifted, leaving other groups alone', async () => {
    const { planned } = await planWith({ files: { '/etc/passwd': { content: passwd.replace(/\/bin\/bash\n$/, '/bin/sh\n') }, '/etc/group': { content: 'docker:x:999:deploy\nsudo:x:27:\n' } } }, [decl]);
    assert.deepEqual(planned[0]?.changes, ['shell: /bin/sh → /bin/bash', 'add to groups sudo']);
  });
});

describe('timezone', () => {
  it('plans nothing when /etc/localtime points at the zone', async () => {
    const { planned } = await planWith({ files: { '/etc/localtime': { link: '/usr/share/zoneinfo/Europe/Berlin' } } }, [timezone('Europe/Berlin')]);
    assert.deepEqual(planned, []);
  });
  it('plans the change from the current zone', async () => {
    const { planned } = await planWith({ files: { '/etc/localtime': { link: '../usr/share/zoneinfo/Etc/UTC' } } }, [timezone('Europe/Berlin')]);
    assert.deepEqual(planned[0]?.changes, ['Etc/UTC → Europe/Berlin']);
  });
  it('plans setting it when there is no /etc/localtime', async () => {
    const { planned } = await planWith({}, [timezone('UTC')]);
    assert.deepEqual(planned[0]?.changes, ['(unset) → UTC']);
  });
});

describe('command', () => {
  const decl = command('locale-gen en_US.UTF-8', { check: ['sh', '-c', 'locale -a | grep -qix en_us.utf8'], run: ['locale-gen'], undo: ['true'] });
  it('plans nothing when its check passes', async () => {
    const { planned } = await planWith({ commands: [{ match: /^sh -c locale/, exitCode: 0 }] }, [decl]);
    assert.deepEqual(planned, []);
  });
  it('plans the command when its check fails', async () => {
    const { planned } = await planWith({ commands: [{ match: /^sh -c locale/, exitCode: 1 }] }, [decl]);
    assert.deepEqual(planned[0]?.changes, ['run locale-gen']);
  });
});

describe('apt update', () => {
  const LISTS = '/var/lib/apt/lists';
  const list = (ageSeconds: number) => ({ [`${LISTS}/apt.example_debian_dists_bookworm_main_binary-amd64_Packages`]: { content: 'Package: x\n', mtimeMs: Date.now() - ageSeconds * 1000 } });
  it('plans nothing when a package list is younger than the limit, and spawns nothing to know it', async () => {
    const { planned, host } = await planWith({ files: { ...list(600), [`${LISTS}/lock`]: { content: '' } } }, [aptUpdate(3600)]);
    assert.deepEqual(planned, []);
    assert.deepEqual(host.queries, []);
  });
  it('plans an update when the lists are stale or missing', async () => {
    assert.deepEqual((await planWith({ files: list(7200) }, [aptUpdate(3600)])).planned[0]?.changes, ['apt-get update (lists are stale)']);
    assert.deepEqual((await planWith({ files: { [`${LISTS}/lock`]: { content: '' } } }, [aptUpdate(3600)])).planned[0]?.changes, ['apt-get update (lists are stale)']);
    assert.deepEqual((await planWith({}, [aptUpdate(3600)])).planned[0]?.changes, ['apt-get update (lists are stale)']);
  });
});

describe('plan', () => {
  it('plans later steps against the state earlier steps predict', async () => {
    const { planned, steps } = await planWith({}, [pkg('curl'), pkg('curl')]);
    assert.equal(planned.length, 1);
    assert.equal(steps[1]?.status, 'unchanged');
  });
  it('never writes to the host', async () => {
    const { host } = await planWith({}, [pkg('curl'), file('/etc/x', { content: 'x' }), service('ssh'), user('deploy', { shell: '/bin/bash', groups: [] })]);
    assert.deepEqual(host.runs, []);
  });
});
