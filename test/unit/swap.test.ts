import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fstabEntry, swap, SWAP_SYSCTL_FILE } from '../../modules/swap.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import { kindContext } from '../../src/engine/context.js';
import { nullRecorder } from '../../src/engine/recorder.js';
import { RefusedError } from '../../src/errors.js';
import type { SystemFacts } from '../../src/facts/system.js';
import type { RunResult } from '../../src/host/host.js';
import { liveSysctlKind, liveSysctl } from '../../src/resources/live-sysctl.js';
import { activeSwaps, swapfile, swapfileKind, swapon, swaponKind } from '../../src/resources/swapfile.js';
import type { Decl } from '../../src/resources/types.js';
import { FixtureHost, type FixtureFacts } from './support/fixture-host.js';
import { planWith } from './support/plan.js';

const MiB = 1024 ** 2;
const VM: SystemFacts = { distro: 'debian', versionId: '12', codename: 'bookworm', hostname: 'h', container: null, root: true, procSysMounts: [] };
const NSPAWN: SystemFacts = { ...VM, container: 'systemd-nspawn' };
const FSTAB_BASE = 'UUID=abcd / ext4 errors=remount-ro 0 1\n';
const SWAP_LINE = '/swapfile none swap sw 0 0';

function config(swapConfig: Partial<Config['swap']> = {}): Config {
  const c = defaultConfig();
  return { ...c, swap: { ...c.swap, size: '2M', ...swapConfig } };
}
const declsFor = (system: SystemFacts, c: Config = config()): Decl[] => swap.resources({ config: c, system, modules: ['swap'] });
const procSwaps = (...paths: string[]): string =>
  `Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n${paths.map((p) => `${p}                               file\t\t2044\t\t0\t\t-2\n`).join('')}`;

/** A host where `/swapfile` is a swap area of `bytes` (null: absent), active or not, with the rest in place or not. */
function facts(o: { bytes?: number | null; active?: boolean; container?: string; fstab?: string; swappiness?: string; signature?: boolean; sysctlFile?: string } = {}): FixtureFacts {
  const bytes = o.bytes === undefined ? 2 * MiB : o.bytes;
  const files: NonNullable<FixtureFacts['files']> = {
    '/proc/swaps': { content: procSwaps(...(o.active ? ['/swapfile'] : [])) },
    '/etc/fstab': { content: o.fstab ?? FSTAB_BASE },
    '/proc/sys/vm/swappiness': { content: `${o.swappiness ?? '60'}\n` },
  };
  // mkswap's signature ends the first (4 KiB) page.
  if (bytes !== null) files['/swapfile'] = { content: o.signature !== false ? `${'x'.repeat(4086)}SWAPSPACE2${'x'.repeat(bytes - 4096)}` : 'x'.repeat(bytes), mode: 0o600 };
  if (o.sysctlFile !== undefined) files[SWAP_SYSCTL_FILE] = { content: o.sysctlFile };
  return {
    files,
    commands: [
      { match: /^systemd-detect-virt/, stdout: o.container ?? 'none', exitCode: o.container ? 0 : 1 },
      { match: /^df /, stdout: `Avail\n${100 * 1024 * MiB}\n` },
    ],
  };
}
const IN_PLACE = { active: true, fstab: `${FSTAB_BASE}${SWAP_LINE}\n`, swappiness: '10', sysctlFile: '# Managed by Phanes (swap module)\nvm.swappiness = 10\n' };

/** A fixture host whose commands can fail, to drive converge and revert directly. */
class FailingHost extends FixtureHost {
  constructor(f: FixtureFacts, private readonly fails: RegExp[] = []) { super(f); }
  override async run(argv: readonly string[]): Promise<RunResult> {
    await super.run(argv);
    return { stdout: '', stderr: 'failed', exitCode: this.fails.some((re) => re.test(argv.join(' '))) ? 1 : 0 };
  }
}
async function converge(decl: Decl, f: FixtureFacts, fails: RegExp[] = []): Promise<FailingHost> {
  const host = new FailingHost(f, fails);
  const ctx = kindContext(host, nullRecorder(async () => Buffer.alloc(0)), []);
  const kind = { swapfile: swapfileKind, swapon: swaponKind, 'live-sysctl': liveSysctlKind }[decl.kind]!;
  const current = (await kind.read(ctx, [decl])).get(decl.id) ?? {};
  await kind.converge(ctx, decl, current);
  return host;
}

describe('swap planning', () => {
  it('creates the file, activates it, adds the fstab entry and sets swappiness when there is no swap file', async () => {
    const { planned } = await planWith(facts({ bytes: null }), declsFor(VM));
    assert.deepEqual(planned.map((s) => [s.label, s.changes]), [
      ['swap file /swapfile', ['create 2M (0600 root:root), mkswap']],
      ['swapon /swapfile', ['activate']],
      [`line in /etc/fstab: ${SWAP_LINE}`, [`append "${SWAP_LINE}"`]],
      [`file ${SWAP_SYSCTL_FILE}`, ['create (0644 root:root)']],
      ['live sysctl vm.swappiness', ['60 → 10']],
    ]);
  });

  it('plans nothing when the swap file has the right size, mode and signature and everything else is in place', async () => {
    const { planned, steps } = await planWith(facts(IN_PLACE), declsFor(VM));
    assert.deepEqual(planned, []);
    assert.equal(steps.filter((s) => s.status === 'unchanged').length, 5);
  });

  it('plans a resize that swaps off, recreates and swaps on again when the size changed', async () => {
    const { planned } = await planWith(facts(IN_PLACE), declsFor(VM, config({ size: '3M' })));
    assert.deepEqual(planned.map((s) => [s.label, s.changes]), [['swap file /swapfile', ['resize 2M → 3M (swapoff, recreate, mkswap, swapon)']]]);
  });

  it('plans only a mode change when the file is world-readable', async () => {
    const f = facts(IN_PLACE);
    f.files!['/swapfile']!.mode = 0o644;
    const { planned } = await planWith(f, declsFor(VM));
    assert.deepEqual(planned.map((s) => s.changes), [['mode: 0644 → 0600']]);
  });

  it('reports activation and the live swappiness as skipped inside a container, and still plans the file, fstab and sysctl.d', async () => {
    const { steps } = await planWith(facts({ bytes: null, container: 'systemd-nspawn' }), declsFor(NSPAWN));
    assert.deepEqual(steps.map((s) => [s.label, s.status]), [
      ['swap file /swapfile', 'planned'],
      ['swapon /swapfile', 'skipped'],
      [`line in /etc/fstab: ${SWAP_LINE}`, 'planned'],
      [`file ${SWAP_SYSCTL_FILE}`, 'planned'],
      ['live sysctl vm.swappiness', 'skipped'],
    ]);
    assert.match(steps[1]?.reason ?? '', /container \(systemd-nspawn\).*machine's swap/);
  });

  it('does not treat a path in /proc/swaps as this host\'s active swap inside a container', async () => {
    const { planned } = await planWith(facts({ ...IN_PLACE, container: 'systemd-nspawn' }), declsFor(NSPAWN, config({ size: '3M' })));
    assert.deepEqual(planned[0]?.changes, ['resize 2M → 3M (recreate, mkswap)']);
  });

  it('declares nothing when swap is disabled, so a swap Phanes did not add stays', () => {
    assert.deepEqual(declsFor(VM, config({ enabled: false })), []);
  });

  it('says apply will refuse when the path holds a file without a swap signature', async () => {
    const { planned } = await planWith(facts({ ...IN_PLACE, signature: false }), declsFor(VM));
    assert.deepEqual(planned[0]?.changes, ['exists and is not a swap file: apply refuses to overwrite it']);
  });

  it('writes swappiness into a sysctl.d file', () => {
    const file = declsFor(VM, config({ swappiness: 5 })).find((d) => d.id === SWAP_SYSCTL_FILE);
    assert.match(String((file?.options as { content: string }).content), /^vm\.swappiness = 5$/m);
  });
});

describe('swap fstab line', () => {
  it('is the file, no mount point, type swap and the sw option', () => {
    assert.equal(fstabEntry('/var/swap.img').text, '/var/swap.img none swap sw 0 0');
  });
  it('matches an older entry for the same file whatever its options, and no other file', () => {
    const { match } = fstabEntry('/swap.img');
    assert.ok(match.test('/swap.img\tswap\tswap\tdefaults\t0\t0'));
    assert.ok(!match.test('/swapximg none swap sw 0 0'));
    assert.ok(!match.test('/swap.img2 none swap sw 0 0'));
    assert.ok(!match.test('#/swap.img none swap sw 0 0'));
  });
  it('replaces an older entry for the same file instead of adding a second one', async () => {
    const { planned } = await planWith(facts({ ...IN_PLACE, fstab: `${FSTAB_BASE}/swapfile swap swap defaults 0 0\n` }), declsFor(VM));
    assert.deepEqual(planned.map((s) => s.changes), [['replace "/swapfile swap swap defaults 0 0"']]);
  });
});

describe('swapfile converge', () => {
  it('builds a new swap file beside the target at mode 0600, then moves it into place and leaves activation to swapon', async () => {
    const host = await converge(swapfile('/swapfile', 2 * MiB), facts({ bytes: null }));
    assert.deepEqual(host.runs, [
      'rm /.swapfile.phanes-new', 'write /.swapfile.phanes-new', 'chattr +C -- /.swapfile.phanes-new', `fallocate -l ${2 * MiB} -- /.swapfile.phanes-new`,
      'mkswap -- /.swapfile.phanes-new', 'mv -f -- /.swapfile.phanes-new /swapfile',
    ]);
  });

  it('resizes an active swap file by swapping that file off, recreating it and swapping it on again', async () => {
    const host = await converge(swapfile('/swapfile', 3 * MiB), facts({ active: true }));
    assert.deepEqual(host.runs, [
      'swapoff -- /swapfile', 'rm /swapfile', 'rm /.swapfile.phanes-new', 'write /.swapfile.phanes-new', 'chattr +C -- /.swapfile.phanes-new', `fallocate -l ${3 * MiB} -- /.swapfile.phanes-new`,
      'mkswap -- /.swapfile.phanes-new', 'mv -f -- /.swapfile.phanes-new /swapfile', 'swapon -- /swapfile',
    ]);
  });

  it('never runs swapoff or swapon while resizing inside a container', async () => {
    const host = await converge(swapfile('/swapfile', 3 * MiB), facts({ active: true, container: 'systemd-nspawn' }));
    assert.deepEqual(host.runs.filter((r) => /^swap(on|off)/.test(r)), []);
    assert.ok(host.runs.includes('mv -f -- /.swapfile.phanes-new /swapfile'));
  });

  it('writes zeroes with dd when the filesystem refuses fallocate', async () => {
    const host = await converge(swapfile('/swapfile', 2 * MiB), facts({ bytes: null }), [/^fallocate/]);
    assert.ok(host.runs.includes('dd if=/dev/zero of=/.swapfile.phanes-new bs=1M count=2 status=none'));
  });

  it('refuses to create it without enough free space, naming the path and the fix', async () => {
    const f = facts({ bytes: null });
    f.commands!.find((c) => String(c.match) === String(/^df /))!.stdout = `Avail\n${10 * MiB}\n`;
    await assert.rejects(converge(swapfile('/swapfile', 2 * 1024 * MiB), f), (e: Error & { suggestion?: string }) => {
      assert.match(e.message, /not enough free disk space for the swap file \/swapfile: it needs 2G/);
      assert.match(e.suggestion ?? '', /swap\.size smaller.*swap\.path/);
      return true;
    });
  });

  it('counts the space of the file it replaces when resizing', async () => {
    const f = facts({ bytes: 2 * MiB });
    f.commands!.find((c) => String(c.match) === String(/^df /))!.stdout = `Avail\n${65 * MiB}\n`;
    const host = await converge(swapfile('/swapfile', 3 * MiB), f);
    assert.ok(host.runs.some((r) => r.startsWith('fallocate')));
  });

  it('refuses to overwrite a file that is not a swap area', async () => {
    await assert.rejects(converge(swapfile('/swapfile', 2 * MiB), facts({ signature: false })), RefusedError);
  });
});

describe('swap activation guard', () => {
  it('refuses swapon inside a container even when a module did not mark it skipped', async () => {
    await assert.rejects(converge(swapon('/swapfile'), facts({ container: 'systemd-nspawn' })), (e: Error) => {
      assert.ok(e instanceof RefusedError);
      assert.match(e.message, /refusing to swapon \/swapfile inside a container \(systemd-nspawn\)/);
      return true;
    });
  });

  it('refuses swapon when /run/systemd/container says container though systemd-detect-virt is missing', async () => {
    const f = facts();
    f.commands = f.commands!.filter((c) => !String(c.match).includes('detect-virt'));
    f.files!['/run/systemd/container'] = { content: 'lxc\n' };
    await assert.rejects(converge(swapon('/swapfile'), f), RefusedError);
  });

  it('runs swapon on a VM', async () => {
    const host = await converge(swapon('/swapfile'), facts());
    assert.deepEqual(host.runs, ['swapon -- /swapfile']);
  });

  it('refuses to set vm.swappiness live inside a container', async () => {
    await assert.rejects(converge(liveSysctl('vm.swappiness', 10), facts({ container: 'docker' })), RefusedError);
  });

  it('sets a namespaced net.* parameter live inside a container', async () => {
    const host = await converge(liveSysctl('net.ipv4.tcp_syncookies', 1), facts({ container: 'docker' }));
    assert.deepEqual(host.runs, ['sysctl -q -w net.ipv4.tcp_syncookies=1']);
  });
});

describe('swap revert', () => {
  it('swaps the file off and removes it when Phanes created it', async () => {
    const host = new FailingHost(facts({ active: true }));
    const ctx = kindContext(host, nullRecorder(async () => Buffer.alloc(0)), []);
    const decl = swapfile('/swapfile', 2 * MiB);
    const current = (await swapfileKind.read(ctx, [decl])).get('/swapfile')!;
    await swapfileKind.revert(ctx, decl, current, { exists: false });
    assert.deepEqual(host.runs, ['swapoff -- /swapfile', 'rm /swapfile']);
  });

  it('recreates a swap file Phanes resized at its original size', async () => {
    const host = new FailingHost(facts({ bytes: 3 * MiB }));
    const ctx = kindContext(host, nullRecorder(async () => Buffer.alloc(0)), []);
    const decl = swapfile('/swapfile', 3 * MiB);
    const current = (await swapfileKind.read(ctx, [decl])).get('/swapfile')!;
    const outcome = await swapfileKind.revert(ctx, decl, current, { exists: true, size: 2 * MiB, mode: 0o600, owner: 'root', group: 'root', swap: true, active: false });
    assert.ok(host.runs.includes(`fallocate -l ${2 * MiB} -- /.swapfile.phanes-new`));
    assert.match(outcome.note ?? '', /original 2M/);
  });
});

describe('/proc/swaps', () => {
  it('lists the active paths and decodes escaped spaces', () => {
    assert.deepEqual([...activeSwaps(procSwaps('/swapfile', '/dev/vda2', '/my\\040swap'))], ['/swapfile', '/dev/vda2', '/my swap']);
  });
});

describe('swap rollback planning', () => {
  it('describes the restore of a swap file Phanes created as a removal', () => {
    const decl = { ...swapfile('/swapfile', 2 * MiB), desired: { exists: false } };
    assert.deepEqual(swapfileKind.diff({ exists: true, size: 2 * MiB, swap: true, active: false }, decl, kindContext(new FixtureHost({}), nullRecorder(async () => Buffer.alloc(0)), [])), ['remove']);
  });
});

describe('live sysctl', () => {
  it('plans nothing for a key this kernel does not have', async () => {
    const { planned } = await planWith({}, [liveSysctl('net.ipv6.conf.all.accept_redirects', 0)]);
    assert.deepEqual(planned, []);
  });
  it('sets a restored value again when a later step of the rollback moved it, and leaves an equal or absent one alone', async () => {
    const host = new FailingHost(facts());
    const ctx = kindContext(host, nullRecorder(async () => Buffer.alloc(0)), []);
    const decl = liveSysctl('net.ipv4.conf.all.accept_redirects', 0);
    await liveSysctlKind.settle!(ctx, decl, { value: '0' }, { value: '1' });
    await liveSysctlKind.settle!(ctx, decl, { value: '1' }, { value: '1' });
    await liveSysctlKind.settle!(ctx, decl, { value: null }, { value: '1' });
    assert.deepEqual(host.runs, ['sysctl -q -w net.ipv4.conf.all.accept_redirects=1']);
  });
  it('plans the change from the running value', async () => {
    const { planned } = await planWith({ files: { '/proc/sys/net/ipv4/tcp_syncookies': { content: '0\n' } } }, [liveSysctl('net.ipv4.tcp_syncookies', 1)]);
    assert.deepEqual(planned.map((s) => s.changes), [['0 → 1']]);
  });
});
