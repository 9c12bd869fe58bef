import assert from 'node:assert/strict';
import { memoryRecorder } from './support/memory-recorder.js';
import { describe, it } from 'node:test';
import { project } from '../../state/projector.js';
import { applyModules } from '../../src/engine/apply.js';
import { rollbackModule } from '../../src/engine/rollback.js';
import { authorizedKeyTypes, includesDropinsFirst, parseAccounts, probeSections, ufwAllows, ufwFacts } from '../../src/facts/ssh.js';
import { filterModuli, moduli } from '../../src/resources/moduli.js';
import type { Decl } from '../../src/resources/types.js';
import { unitDropin, unitOfDropin } from '../../src/resources/unit-dropin.js';
import { MemoryHost } from './support/memory-host.js';
import { collectingReporter, planWith } from './support/plan.js';

// Shapes of Debian's /etc/ssh/moduli: a header, then `time type tests tries size generator modulus`, size = bits − 1.
const MODULI = [
  '#    $OpenBSD: moduli,v 1.33 2023/03/15 $',
  '# Time Type Tests Tries Size Generator Modulus',
  '20230315000000 2 6 100 2047 5 D2A1',
  '20230315000001 2 6 100 3071 2 E7B3',
  '20230315000002 2 6 100 2047 2 F00D',
  '20230315000003 2 6 100 4095 5 C0FFEE',
  '',
].join('\n');


/** Apply `decls` as module `security`, then roll it back; returns the host after each step. */
async function applyThenRollback(host: MemoryHost, decls: Decl[]) {
  const rec = memoryRecorder();
  const run = { version: 't', hostname: 'h' };
  const applied = await applyModules({ host, plan: [{ module: { name: 'security', description: '', resources: () => decls }, decls }], dryRun: false, recorder: rec, projection: project(rec.events), reporter: collectingReporter(), secrets: [], run });
  const afterApply = new Map([...host.files].map(([p, f]) => [p, f.content.toString()]));
  const again = await applyModules({ host, plan: [{ module: { name: 'security', description: '', resources: () => decls }, decls }], dryRun: false, recorder: rec, projection: project(rec.events), reporter: collectingReporter(), secrets: [], run });
  const rolled = await rollbackModule({ host, module: 'security', projection: project(rec.events), events: rec.events, recorder: rec, reporter: collectingReporter(), secrets: [], dryRun: false, force: false, run });
  return { applied, again, rolled, afterApply };
}

describe('moduli', () => {
  it('removes the groups under 3072 bits and keeps comments and larger groups byte for byte', () => {
    const { content, removed } = filterModuli(MODULI, 3072);
    assert.equal(removed, 2);
    assert.equal(content, MODULI.split('\n').filter((l) => !/ 2047 /.test(l)).join('\n'));
  });

  it('plans the removal with the count', async () => {
    const { planned } = await planWith({ files: { '/etc/ssh/moduli': { content: MODULI } } }, [moduli()]);
    assert.deepEqual(planned.map((s) => s.changes), [['remove 2 moduli under 3072 bits']]);
  });

  it('plans nothing when no small group is left, or when there is no moduli file', async () => {
    const clean = filterModuli(MODULI, 3072).content;
    assert.deepEqual((await planWith({ files: { '/etc/ssh/moduli': { content: clean } } }, [moduli()])).planned, []);
    assert.deepEqual((await planWith({}, [moduli()])).planned, []);
  });

  it('filters on apply, changes nothing the second time, and rollback restores the original exactly', async () => {
    const host = new MemoryHost();
    host.put('/etc/ssh/moduli', MODULI);
    const { applied, again, rolled, afterApply } = await applyThenRollback(host, [moduli()]);
    assert.equal(applied.summary.changed, 1);
    assert.equal(afterApply.get('/etc/ssh/moduli'), filterModuli(MODULI, 3072).content);
    assert.equal(again.summary.changed, 0);
    assert.equal(rolled.ok, true);
    assert.equal(host.text('/etc/ssh/moduli'), MODULI);
    assert.equal(host.files.get('/etc/ssh/moduli')?.mode, 0o644);
  });
});

describe('unit-dropin', () => {
  const dropin = (): Decl => unitDropin('ssh.socket', 'phanes-port.conf', { content: '[Socket]\nListenStream=\nListenStream=0.0.0.0:2222\n' });

  it('names its unit from the path alone, as rollback rebuilds it without options', () => {
    assert.equal(unitOfDropin('/etc/systemd/system/ssh.socket.d/phanes-port.conf'), 'ssh.socket');
  });

  it('reloads systemd and restarts a running unit after writing, and again after rollback removes it', async () => {
    const host = new MemoryHost();
    const { applied, again, rolled, afterApply } = await applyThenRollback(host, [dropin()]);
    assert.equal(applied.summary.changed, 1);
    assert.match(afterApply.get('/etc/systemd/system/ssh.socket.d/phanes-port.conf') ?? '', /ListenStream=0\.0\.0\.0:2222/);
    assert.equal(again.summary.changed, 0);
    assert.equal(rolled.ok, true);
    assert.equal(host.text('/etc/systemd/system/ssh.socket.d/phanes-port.conf'), undefined);
    assert.deepEqual(host.runs, [
      'systemctl daemon-reload', 'systemctl try-reload-or-restart -- ssh.socket',
      'systemctl daemon-reload', 'systemctl try-reload-or-restart -- ssh.socket',
    ]);
  });
});

describe('ssh facts', () => {
  it('splits the probe output into its sections', () => {
    const s = probeSections('@kex\ncurve25519-sha256\nmlkem768x25519-sha256\n@cipher\n@port\nport 2222\n@socket\ndisabled\n');
    assert.deepEqual(s.get('kex'), ['curve25519-sha256', 'mlkem768x25519-sha256']);
    assert.deepEqual(s.get('cipher'), []);
    assert.deepEqual(s.get('port'), ['port 2222']);
  });

  it('knows login accounts with their primary and supplementary groups, and skips system accounts', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\ndeploy:x:1000:1000::/home/deploy:/bin/bash\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n';
    const group = 'root:x:0:\nsudo:x:27:deploy\ndeploy:x:1000:\n';
    assert.deepEqual(parseAccounts(passwd, group), {
      root: { uid: 0, home: '/root', groups: ['root'], keyTypes: null },
      deploy: { uid: 1000, home: '/home/deploy', groups: ['deploy', 'sudo'], keyTypes: null },
    });
  });

  it('reads key types from authorized_keys lines, options included, comments skipped', () => {
    const text = '# laptop\nssh-ed25519 AAAAC3Nz me\nfrom="10.0.0.1",no-pty ssh-rsa AAAAB3Nz ci\n\nsk-ssh-ed25519@openssh.com AAAAGnNr yubikey\n';
    assert.deepEqual(authorizedKeyTypes(text), ['ssh-ed25519', 'ssh-rsa', 'sk-ssh-ed25519@openssh.com']);
  });

  it('sees whether sshd_config includes the drop-ins before its own settings', () => {
    assert.equal(includesDropinsFirst('# comment\n\nInclude /etc/ssh/sshd_config.d/*.conf\nPort 22\n'), true);
    assert.equal(includesDropinsFirst('Port 22\nInclude /etc/ssh/sshd_config.d/*.conf\n'), false);
    assert.equal(includesDropinsFirst('Port 22\n'), false);
  });

  const RULES = [
    '*filter', '### RULES ###', '',
    '### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in',
    '-A ufw-user-input -p tcp --dport 22 -j ACCEPT', '',
    '### tuple ### deny tcp 2222 0.0.0.0/0 any 0.0.0.0/0 in',
    '### tuple ### limit tcp 2200 0.0.0.0/0 any 0.0.0.0/0 in',
    '### tuple ### allow any 60000:61000 0.0.0.0/0 any 0.0.0.0/0 in',
    '### tuple ### allow tcp 80,443 0.0.0.0/0 any 0.0.0.0/0 Nginx%20Full - in',
    '### tuple ### allow tcp 3000 0.0.0.0/0 any 0.0.0.0/0 out',
    'COMMIT',
  ].join('\n');

  const ufwFiles = (conf: string, defaults: string, rules: string): Map<string, Buffer> =>
    new Map([['/etc/ufw/ufw.conf', conf], ['/etc/default/ufw', defaults], ['/etc/ufw/user.rules', rules], ['/etc/ufw/user6.rules', '']].map(([k, v]) => [k!, Buffer.from(v!)]));

  it('does not take an allow from one network for a port open to everyone', () => {
    const ufw = ufwFacts(ufwFiles('ENABLED=yes\n', 'DEFAULT_INPUT_POLICY="DROP"\n', '### tuple ### allow tcp 2222 0.0.0.0/0 any 10.0.0.0/8 in\n'))!;
    assert.equal(ufwAllows(ufw, 2222), false);
  });

  it("reads ufw's enabled flag, default policy and incoming rules from its files", () => {
    const ufw = ufwFacts(ufwFiles('ENABLED=yes\nLOGLEVEL=low\n', 'DEFAULT_INPUT_POLICY="DROP"\n', RULES));
    assert.deepEqual(ufw, { enabled: true, defaultInput: 'drop', rules: [
      { action: 'allow', proto: 'tcp', port: '22' }, { action: 'deny', proto: 'tcp', port: '2222' }, { action: 'limit', proto: 'tcp', port: '2200' },
      { action: 'allow', proto: 'any', port: '60000:61000' }, { action: 'allow', proto: 'tcp', port: '80,443' },
    ] });
    assert.equal(ufwFacts(new Map()), null);
  });

  it('decides like ufw: the first matching incoming rule, else the default policy', () => {
    const ufw = ufwFacts(ufwFiles('ENABLED=yes\n', 'DEFAULT_INPUT_POLICY="DROP"\n', RULES))!;
    assert.deepEqual([22, 2222, 2200, 60500, 443, 3000, 8080].map((p) => ufwAllows(ufw, p)), [true, false, true, true, true, false, false]);
    assert.equal(ufwAllows({ ...ufw, defaultInput: 'accept' }, 8080), true);
    assert.equal(ufwAllows({ ...ufw, enabled: false }, 8080), true);
  });
});
