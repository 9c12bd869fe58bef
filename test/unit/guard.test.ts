import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { security } from '../../modules/security.js';
import { defaultConfig } from '../../src/config/index.js';
import { applyModules } from '../../src/engine/apply.js';
import { clientOf, guardCovers, guardDecision, guardDeadline, recordsBefore } from '../../src/engine/guard.js';
import type { Module } from '../../src/engine/module.js';
import type { SystemFacts } from '../../src/facts/system.js';
import { file } from '../../src/resources/file.js';
import { keyOf, type Decl } from '../../src/resources/types.js';
import type { GuardArmed, PhanesEvent } from '../../state/events.js';
import { project } from '../../state/projector.js';
import { MemoryHost } from './support/memory-host.js';
import { memoryRecorder } from './support/memory-recorder.js';
import { collectingReporter } from './support/plan.js';

const DROPIN = '/etc/ssh/sshd_config.d/00-phanes-hardening.conf';
const SSH = '10.157.83.1 51234 10.157.83.20 22';
const BOOKWORM: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };

describe('which resources the confirm guard covers', () => {
  it('covers the security module\'s ufw settings and sshd drop-in, and nothing that cannot lock a user out', () => {
    const config = defaultConfig();
    const decls = security.resources({ config: { ...config, ssh_public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE3rKc0G9Zp1Qv0U8F2cY8k3yq6l2JmS3b3V1ZxJmQ4p a@b' }, system: BOOKWORM, modules: ['user', 'security'] });
    const covered = decls.filter(guardCovers).map(keyOf);
    assert.ok(covered.includes(`file:${DROPIN}`), covered.join(', '));
    assert.ok(covered.includes('ufw:allow 22/tcp') && covered.includes('ufw:enabled') && covered.includes('ufw:default incoming'), covered.join(', '));
    assert.deepEqual(covered.filter((k) => !k.startsWith('ufw:') && k !== `file:${DROPIN}`), [], 'only ufw and sshd config');
    for (const k of ['package:ufw', 'package:openssh-server', 'moduli:/etc/ssh/moduli', 'service:ssh']) assert.ok(!covered.includes(k), k);
  });

  it('covers ssh.socket\'s port drop-in and ufw\'s own files, not other unit drop-ins', () => {
    assert.ok(guardCovers({ kind: 'unit-dropin', id: '/etc/systemd/system/ssh.socket.d/phanes-port.conf' }));
    assert.ok(guardCovers({ kind: 'block', id: '/etc/ufw/after.rules' }));
    assert.ok(guardCovers({ kind: 'line', id: '/etc/default/ufw' }));
    assert.ok(!guardCovers({ kind: 'unit-dropin', id: '/etc/systemd/system/docker.service.d/phanes.conf' }));
    assert.ok(!guardCovers({ kind: 'file', id: '/etc/ssh/ssh_config.d/phanes.conf' }), 'the ssh client config is not sshd');
  });
});

describe('when a run arms the guard', () => {
  it('arms over SSH with the default 120 s, or the timeout given', () => {
    assert.deepEqual(guardDecision({ connection: SSH, noConfirm: false, timeout: undefined }), { arm: true, timeoutS: 120, connection: '10.157.83.1 51234' });
    assert.deepEqual(guardDecision({ connection: SSH, noConfirm: false, timeout: '30' }), { arm: true, timeoutS: 30, connection: '10.157.83.1 51234' });
  });

  it('does not arm with --no-confirm, nor outside SSH', () => {
    assert.deepEqual(guardDecision({ connection: SSH, noConfirm: true, timeout: undefined }), { arm: false, why: '--no-confirm' });
    assert.equal(guardDecision({ connection: undefined, noConfirm: false, timeout: undefined }).arm, false);
    assert.equal(guardDecision({ connection: 'garbage', noConfirm: false, timeout: undefined }).arm, false);
  });

  it('refuses a timeout that is not whole seconds from 10 to a day, and a timeout with --no-confirm', () => {
    for (const t of ['0', '9', '-5', '1.5', '2m', '', '86401']) {
      assert.throws(() => guardDecision({ connection: SSH, noConfirm: false, timeout: t }), /--confirm-timeout ".*" is not a whole number of seconds from 10 to 86400/, t);
    }
    assert.throws(() => guardDecision({ connection: SSH, noConfirm: true, timeout: '60' }), /contradict/);
  });

  it('tells connections apart by the client address and port', () => {
    assert.equal(clientOf(SSH), '10.157.83.1 51234');
    assert.notEqual(clientOf('10.157.83.1 51240 10.157.83.20 2222'), clientOf(SSH));
    assert.equal(clientOf(undefined), undefined);
  });
});

const mod = (decls: Decl[]): { module: Module; decls: Decl[] } => ({ module: { name: 'security', description: 'security', resources: () => decls }, decls });

/** Apply with a guard that records what the sshd drop-in held when it was armed. */
async function applyGuarded(host: MemoryHost, rec: ReturnType<typeof memoryRecorder>, decls: Decl[], dryRun = false) {
  const armedWith: (string | null)[] = [];
  await applyModules({
    host, plan: [mod(decls)], dryRun, recorder: rec, projection: project(rec.events), reporter: collectingReporter(), secrets: [], run: { version: 't', hostname: 'h' },
    guard: { covers: guardCovers, arm: async () => void armedWith.push(host.text(DROPIN) ?? null) },
  });
  return armedWith;
}

describe('the engine arms the guard', () => {
  it('once, before the first sshd change, with the old config still in place; plan asks too', async () => {
    const host = new MemoryHost();
    host.put(DROPIN, 'Port 22\n');
    const rec = memoryRecorder();
    const decls = [file('/etc/motd', { content: 'hi\n' }), file(DROPIN, { content: 'Port 2222\n' }), file('/etc/ufw/user.rules', { content: 'rules\n' })];
    assert.deepEqual(await applyGuarded(host, rec, decls, true), ['Port 22\n'], 'plan');
    assert.deepEqual(await applyGuarded(host, rec, decls), ['Port 22\n'], 'apply');
    assert.equal(host.text(DROPIN), 'Port 2222\n');
  });

  it('not when sshd and ufw are already as declared, even if other files change', async () => {
    const host = new MemoryHost();
    host.put(DROPIN, 'Port 22\n');
    const rec = memoryRecorder();
    assert.deepEqual(await applyGuarded(host, rec, [file('/etc/motd', { content: 'hi\n' }), file(DROPIN, { content: 'Port 22\n' })]), []);
  });

  it('before pruning an sshd file the config no longer declares', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    const extra = '/etc/ssh/sshd_config.d/10-extra.conf';
    await applyGuarded(host, rec, [file(extra, { content: 'X11Forwarding no\n' })]);
    host.put(DROPIN, 'Port 22\n');
    assert.deepEqual(await applyGuarded(host, rec, []), ['Port 22\n']);
    assert.equal(host.text(extra), undefined, 'pruned');
  });
});

describe('after a revert the journal matches the host again', () => {
  it('puts back the records of the sshd and ufw resources the guarded run touched, and forgets the ones it created', async () => {
    const host = new MemoryHost();
    const rec = memoryRecorder();
    const old = '/etc/ssh/sshd_config.d/10-old.conf';
    await applyGuarded(host, rec, [file(DROPIN, { content: 'Port 22\n' }), file(old, { content: 'old\n' }), file('/etc/motd', { content: 'a\n' })]);
    const before = project(rec.events);
    const added = '/etc/ssh/sshd_config.d/20-new.conf';
    await applyGuarded(host, rec, [file(DROPIN, { content: 'Port 2222\n' }), file(added, { content: 'new\n' }), file('/etc/motd', { content: 'b\n' })]);
    const guarded = rec.events.filter((e) => e.type === 'RunStarted').at(-1)!.data.runId;
    const records = recordsBefore(rec.events, guarded);
    assert.deepEqual(Object.keys(records).sort(), [`file:${DROPIN}`, `file:${old}`, `file:${added}`].sort(), 'motd is not sshd');
    assert.equal(records[`file:${added}`], null);

    const armed: GuardArmed = { type: 'GuardArmed', data: { runId: guarded, at: '2026-12-05T10:00:00.000Z', guardId: 'g1', unit: 'phanes-guard-g1', timeoutS: 30, connection: '10.0.0.1 5000', files: [], ufwEnabled: true } };
    const reverted: PhanesEvent = { type: 'GuardReverted', data: { runId: 'r', at: '2026-12-05T10:01:00.000Z', guardId: 'g1', ok: true, restored: [DROPIN], resources: records } };
    assert.equal(project([...rec.events, armed]).guard?.status, 'armed');
    const after = project([...rec.events, armed, reverted]);
    assert.equal(after.guard, undefined, 'no guard pending');
    for (const k of [`file:${DROPIN}`, `file:${old}`]) assert.deepEqual(after.resources[k], before.resources[k], k);
    assert.equal(after.resources[`file:${added}`], undefined);
    assert.deepEqual(after.modules.security?.keys.sort(), before.modules.security?.keys.sort());
    assert.notDeepEqual(after.resources['file:/etc/motd'], before.resources['file:/etc/motd'], 'motd stays as the run left it');
  });

  it('counts the deadline from the end of the guarded run, or from arming when that run never finished', () => {
    const armed: GuardArmed = { type: 'GuardArmed', data: { runId: 'run1', at: '2026-12-05T10:00:00.000Z', guardId: 'g', unit: 'u', timeoutS: 20, connection: null, files: [], ufwEnabled: false } };
    assert.equal(guardDeadline([armed], armed), Date.parse('2026-12-05T10:00:20.000Z'));
    const finished: PhanesEvent = { type: 'RunFinished', data: { runId: 'run1', at: '2026-12-05T10:00:45.000Z', summary: { changed: 1, unchanged: 0, skipped: 0, failed: 0 }, durationMs: 1, ok: true } };
    assert.equal(guardDeadline([armed, finished], armed), Date.parse('2026-12-05T10:01:05.000Z'));
  });
});
