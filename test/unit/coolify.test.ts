import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checksumFile, coolify, coolifyProblems, INSTALLED_MARK, installerCopy, installerEnv, listeningPorts, MANUAL_STEPS } from '../../modules/coolify.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import type { ModuleContext } from '../../src/engine/module.js';
import type { SystemFacts } from '../../src/facts/system.js';
import type { CommandOptions } from '../../src/resources/command.js';
import { applyModule } from './support/apply-module.js';
import { FixtureHost } from './support/fixture-host.js';
import { MemoryHost } from './support/memory-host.js';
import type { RunOptions, RunResult } from '../../src/host/host.js';

const DEBIAN: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };
const SHA = 'a'.repeat(64);
const URL = 'https://cdn.coollabs.io/coolify/install.sh';
const COPY = installerCopy(URL);
const PASSWORD = 'correct horse battery staple';
const ctxWith = (conf: Partial<Config['coolify']> = {}, modules = ['docker', 'coolify']): ModuleContext => {
  const config = defaultConfig();
  return { config: { ...config, coolify: { ...config.coolify, ...conf } }, system: DEBIAN, modules };
};
const commands = (ctx: ModuleContext) => coolify.resources(ctx).filter((d) => d.kind === 'command') as { id: string; options?: CommandOptions; desired: object }[];
const facts = (o: Partial<Parameters<typeof coolifyProblems>[1]> = {}) => ({ installed: false, dockerActive: false, listening: new Set<number>(), freeGb: 100, ...o });

// Two listeners (0A): 127.0.0.1:8000 (0x1F40) and [::]:6002 (0x1772); one established connection on 6001 (0x1771).
const TCP = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0',
  '   1: 0100007F:1771 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1',
].join('\n');
const TCP6 = [
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 00000000000000000000000000000000:1772 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0',
].join('\n');

describe('coolify planning', () => {
  it('downloads, then verifies and runs the installer in one step, each done once /data/coolify is installed', () => {
    const decls = coolify.resources(ctxWith({ installer_sha256: SHA }));
    assert.deepEqual(decls.map((d) => `${d.kind}:${d.id}`), [
      'package:curl', 'command:download the Coolify installer', `file:${checksumFile(URL)}`, 'command:run the Coolify installer',
    ]);
    const [download, run] = commands(ctxWith({ installer_sha256: SHA }));
    assert.deepEqual(download!.options?.check, ['sh', '-c', 'test -e "$1" || test -s "$2"', 'sh', INSTALLED_MARK, COPY]);
    assert.deepEqual(download!.options?.run.slice(-3), [COPY, '--', URL]);
    assert.deepEqual(run!.options?.check, ['test', '-e', INSTALLED_MARK]);
    assert.deepEqual(run!.options?.run, ['sh', '-c', 'sha256sum --check --strict "$1" && exec bash "$2"', 'sh', checksumFile(URL), COPY]);
    assert.equal((decls[2]!.options as { content: string }).content, `${SHA}  ${COPY}\n`);
  });

  it('names the downloaded copy after its URL, so a new URL downloads anew', () => {
    assert.match(COPY, /^\/var\/cache\/phanes\/coolify-install-[0-9a-f]{12}\.sh$/);
    assert.notEqual(installerCopy('http://10.0.0.1/install.sh'), COPY);
  });

  it('runs the copy without a checksum file when no sha256 is configured', () => {
    const decls = coolify.resources(ctxWith());
    assert.deepEqual(decls.map((d) => d.kind), ['package', 'command', 'command']);
    assert.deepEqual(commands(ctxWith()).at(-1)!.options?.run, ['bash', COPY]);
  });

  it('marks the install irreversible, with the manual steps as the reason, in what the journal records', () => {
    const run = commands(ctxWith()).at(-1)!;
    assert.deepEqual(run.desired, { done: true, undo: { irreversible: MANUAL_STEPS } });
    assert.match(MANUAL_STEPS, /rm -rf \/data\/coolify/);
  });

  it("passes the installer's documented variables, the password only in the environment", () => {
    const conf = { ...defaultConfig().coolify, root_username: 'admin', root_user_email: 'a@example.com', root_user_password: PASSWORD, autoupdate: false };
    assert.deepEqual(installerEnv(conf), { ROOT_USERNAME: 'admin', ROOT_USER_EMAIL: 'a@example.com', ROOT_USER_PASSWORD: PASSWORD, AUTOUPDATE: 'false' });
    assert.deepEqual(installerEnv(defaultConfig().coolify), { AUTOUPDATE: 'true' });
    const decls = coolify.resources(ctxWith({ root_user_password: PASSWORD }));
    for (const d of decls) {
      assert.doesNotMatch(JSON.stringify(d.desired), /horse/);
      assert.doesNotMatch(JSON.stringify((d.options as CommandOptions | undefined)?.run ?? []), /horse/);
    }
  });

  it('declares nothing when disabled', () => {
    assert.deepEqual(coolify.resources(ctxWith({ enabled: false })), []);
  });
});

describe('coolify preflight', () => {
  it('reads listening TCP ports from /proc/net/tcp and tcp6', () => {
    assert.deepEqual([...listeningPorts([TCP, TCP6])].sort(), [6002, 8000]);
  });

  it('refuses without docker in the run or active, with a port taken, and with too little disk', () => {
    const problems = coolifyProblems(ctxWith({ min_disk_gb: 30 }, ['coolify']), facts({ listening: new Set([8000, 6002]), freeGb: 12 }));
    assert.equal(problems.length, 4);
    assert.match(problems[0]!, /needs Docker.*add docker to --modules/);
    assert.match(problems[1]!, /port 8000/);
    assert.match(problems[2]!, /port 6002/);
    assert.match(problems[3]!, /needs 30 GB free on \/ \(coolify\.min_disk_gb\), and only 12 GB are free/);
  });

  it('accepts docker already active instead of in the run, and a lowered min_disk_gb', () => {
    assert.deepEqual(coolifyProblems(ctxWith({ min_disk_gb: 5 }, ['coolify']), facts({ dockerActive: true, freeGb: 12 })), []);
  });

  it('checks nothing once Coolify is installed (its own ports are then in use)', () => {
    assert.deepEqual(coolifyProblems(ctxWith({}, ['coolify']), facts({ installed: true, listening: new Set([8000, 6001, 6002]), freeGb: 1 })), []);
  });

  it('reads the host in one batch: the install mark, /proc/net, docker.service and df', async () => {
    const host = new FixtureHost({
      files: { '/proc/net/tcp': { content: TCP }, '/proc/net/tcp6': { content: TCP6 } },
      commands: [{ match: /^df /, stdout: ' Avail\n    7\n' }, { match: /^systemctl is-active/, exitCode: 0 }],
    });
    const problems = await coolify.hostPreflight!(ctxWith({}, ['coolify']), host);
    assert.deepEqual(problems.map((p) => /port (\d+)|(\d+) GB are free/.exec(p)?.slice(1).find(Boolean)), ['8000', '6002', '7']);
  });
});

/** The memory host, taught the two `sh -c` checks: done when Coolify is installed, or the copy exists (a checksum never matches). */
class CoolifyHost extends MemoryHost {
  override async query(argv: readonly string[], o?: RunOptions): Promise<RunResult> {
    if (argv[0] !== 'sh') return super.query(argv, o);
    const done = this.files.has(argv[4] ?? '') || (/test -s/.test(argv[2] ?? '') && this.files.has(argv[5] ?? ''));
    return { stdout: '', stderr: '', exitCode: done ? 0 : 1 };
  }
}

describe('coolify applying', () => {
  it('changes nothing when /data/coolify is already installed', async () => {
    const host = new CoolifyHost();
    host.put(INSTALLED_MARK, 'APP_ID=x\n');
    const { result } = await applyModule(host, coolify, ctxWith(), (d) => d.kind === 'command');
    assert.equal(result.summary.changed, 0);
    assert.deepEqual(host.runs, []);
  });

  it('runs nothing after a checksum mismatch', async () => {
    const host = new CoolifyHost();
    host.effects[commands(ctxWith())[0]!.options!.run.join(' ')] = () => host.put(COPY, 'echo installer\n');
    host.failing = [/sha256sum --check/];
    const { result, rec } = await applyModule(host, coolify, ctxWith({ installer_sha256: SHA }), (d) => d.kind !== 'package');
    assert.equal(result.ok, false);
    assert.ok(rec.events.some((e) => e.type === 'ChangeFailed' && e.data.label === 'command run the Coolify installer'));
    assert.equal(host.runs.some((r) => r.startsWith('bash')), false, host.runs.join('\n'));
  });
});
